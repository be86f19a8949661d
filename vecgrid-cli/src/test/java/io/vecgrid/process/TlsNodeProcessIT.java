package io.vecgrid.process;

import io.vecgrid.TestCluster;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS as an operator sets it up: {@code scripts/make-dev-certs.sh} makes the stores, {@code scripts/start-node.sh
 * config/secure-config.xml} starts a node JVM that finds them through the {@code VECGRID_NODE_SSL_*} variables, and the
 * shipped clients reach it over TLS: {@code scripts/vecgrid} with the {@code --ssl-*} options (passwords from the
 * environment), {@code scripts/sqlline.sh} with the {@code VECGRID_SSL_*} variables, and Ignite's control utility
 * ({@code scripts/control.sh}) with its own TLS options. Without TLS settings the CLI exits 3 saying TLS is required.
 */
class TlsNodeProcessIT {
    private static final File ROOT = NodeProcesses.ROOT;
    private static final String KS_PW = "proc-key-secret";
    private static final String TS_PW = "proc-trust-secret";

    /** What one script run printed and returned. */
    private record Run(int code, String out) {
    }

    private static Run run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT);
        pb.environment().keySet().removeIf(k -> k.startsWith("VECGRID_"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    void scriptsReachASecureNodeOverTls() throws Exception {
        File dir = Files.createTempDirectory("vecgrid-tls-proc").toFile();
        try {
            File certs = new File(dir, "certs");
            Run made = run(Map.of("VECGRID_SSL_KEYSTORE_PASSWORD", KS_PW, "VECGRID_SSL_TRUSTSTORE_PASSWORD", TS_PW),
                "scripts/make-dev-certs.sh", certs.getPath());
            assertEquals(0, made.code(), made.out());
            String keyStore = new File(certs, "client.p12").getPath();
            String trustStore = new File(certs, "truststore.p12").getPath();

            Map<String, String> nodeEnv = Map.of(
                "VECGRID_NODE_SSL_KEYSTORE", new File(certs, "node.p12").getPath(),
                "VECGRID_NODE_SSL_KEYSTORE_PASSWORD", KS_PW,
                "VECGRID_NODE_SSL_TRUSTSTORE", trustStore,
                "VECGRID_NODE_SSL_TRUSTSTORE_PASSWORD", TS_PW);
            try (NodeProcesses nodes = new NodeProcesses("vecgrid-tls-node", "-Dvecgrid.region.bytes=134217728",
                "config/secure-config.xml", nodeEnv)) {
                nodes.start("tls0");
                TestCluster.awaitTrue("tls0 serves", () -> nodes.logged("tls0", "vecgrid is serving"), 120_000);

                Map<String, String> env = new HashMap<>(Map.of("VECGRID_HOST", nodes.clientAddresses(),
                    "VECGRID_USER", "ignite", "VECGRID_PASSWORD", "ignite",
                    "VECGRID_SSL_KEYSTORE_PASSWORD", KS_PW, "VECGRID_SSL_TRUSTSTORE_PASSWORD", TS_PW));
                Run status = run(env, "scripts/vecgrid", "--ssl-truststore", trustStore, "--ssl-keystore", keyStore,
                    "status");
                assertEquals(0, status.code(), status.out());
                assertTrue(status.out().contains("1 server node(s)"), status.out());
                Run created = run(env, "scripts/vecgrid", "--ssl-truststore", trustStore, "--ssl-keystore", keyStore,
                    "create", "tlsdocs", "--dim", "2", "--metric", "L2", "--index", "FLAT");
                assertEquals(0, created.code(), created.out());

                Run plain = run(env, "scripts/vecgrid", "list");
                assertEquals(3, plain.code(), plain.out());
                assertTrue(plain.out().contains("vecgrid: TLS required: the cluster at " + nodes.clientAddresses()),
                    plain.out());

                // sqlline through the script, the stores from the CLI's variables.
                Map<String, String> sqlEnv = new HashMap<>(env);
                sqlEnv.put("VECGRID_SSL_TRUSTSTORE", trustStore);
                sqlEnv.put("VECGRID_SSL_KEYSTORE", keyStore);
                sqlEnv.put("VECGRID_JDBC_URL", "jdbc:ignite:thin://" + nodes.clientAddresses() + "/VECGRID");
                File sql = new File(dir, "q.sql");
                Files.writeString(sql.toPath(), "!set outputformat csv\nINSERT INTO TLSDOCS (ID, VECTOR) VALUES " +
                    "(1, '[1, 0]'), (2, '[0, 1]');\nSELECT COUNT(*) AS N FROM TLSDOCS;\n");
                Run sqlline = run(sqlEnv, "scripts/sqlline.sh", "-f", sql.getPath());
                assertTrue(sqlline.out().contains("2 rows affected"), sqlline.out());
                assertTrue(sqlline.out().contains("'2'"), sqlline.out());
                assertFalse(sqlline.out().contains(KS_PW) || sqlline.out().contains(TS_PW), sqlline.out());
                Run count = run(sqlEnv, "scripts/vecgrid", "count", "tlsdocs");
                assertEquals(0, count.code(), count.out());
                assertTrue(count.out().lines().anyMatch("2"::equals), count.out());

                // Ignite's control utility, with its own TLS options.
                String port = nodes.clientAddresses().replaceAll(".*:(\\d+)\\.\\..*", "$1");
                List<String> control = List.of("scripts/control.sh", "--host", "127.0.0.1", "--port", port, "--state",
                    "--user", "ignite", "--password", "ignite", "--keystore", keyStore, "--keystore-password", KS_PW,
                    "--truststore", trustStore, "--truststore-password", TS_PW);
                Run state = run(Map.of(), control.toArray(new String[0]));
                assertEquals(0, state.code(), state.out());
                assertTrue(state.out().contains("Cluster state: ACTIVE"), state.out());
            }
        }
        finally {
            TestCluster.deleteTree(dir);
        }
    }
}
