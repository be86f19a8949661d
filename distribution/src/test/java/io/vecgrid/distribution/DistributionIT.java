package io.vecgrid.distribution;

import io.vecgrid.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vecgrid.distribution.DistProcesses.Result;
import static io.vecgrid.distribution.DistProcesses.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binary distribution as an operator uses it: vecgrid-VERSION-bin.tar.gz unpacked into a temporary directory
 * outside the source tree; bin/start-cluster.sh starts two server nodes (separate JVMs, small heaps, the shipped
 * persistent config/default-config.xml) on ports of this test's own; bin/vecgrid, run from another directory, creates
 * a collection, imports a JSON-lines file, counts and searches; bin/sqlline.sh counts over SQL; bin/stop-cluster.sh
 * stops the nodes.
 */
class DistributionIT {
    private static final int NODES = 2;
    private static final int ROWS = 300;
    private static final int DIM = 8;

    private Path tmp;
    private final List<Long> pids = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        // Whatever stop-cluster.sh did not stop (a failed test): these are the node JVMs this test started.
        for (long pid : pids)
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        DistProcesses.delete(tmp);
    }

    @Test
    void nodesAndCommandLineRunFromTheUnpackedArchive() throws Exception {
        tmp = Files.createTempDirectory("vecgrid-dist-it");
        Path home = DistProcesses.unpack(tmp);
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        assertTrue(Files.isRegularFile(home.resolve("LICENSE")) && Files.isRegularFile(home.resolve("README.md")));
        assertTrue(Files.isRegularFile(home.resolve("config/default-config.xml")));
        assertTrue(Files.isRegularFile(home.resolve("docs/operations.md")));

        int base = TestCluster.freePortBase();
        Map<String, String> env = new HashMap<>();
        env.put("VECGRID_JVM_OPTS", "-Xms128m -Xmx384m -Dvecgrid.discovery.port=" + base +
            " -Dvecgrid.discovery.addresses=" + TestCluster.discoveryAddresses(base) +
            " -Dvecgrid.communication.port=" + (base + 20) + " -Dvecgrid.client.port=" + (base + 60) +
            " -Dvecgrid.http.port=" + (base + 40) +
            " -Dvecgrid.region.bytes=" + (128L << 20) + " -Dvecgrid.segments.region.bytes=" + (64L << 20));
        env.put("VECGRID_EXPECTED_NODES", String.valueOf(NODES));
        env.put("VECGRID_HOST", "127.0.0.1:" + (base + 60) + ".." + (base + 69));

        Result started = run(elsewhere, env, 240, home.resolve("bin/start-cluster.sh").toString(), String.valueOf(NODES));
        for (int i = 1; i <= NODES; i++) {
            Path pidFile = home.resolve("run/node" + i + ".pid");
            if (Files.exists(pidFile))
                pids.add(Long.parseLong(Files.readString(pidFile).trim()));
        }
        assertEquals(0, started.code, "start-cluster.sh: " + started + "\n" + logs(home));
        assertEquals(NODES, pids.size());
        for (long pid : pids)
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node " + pid + " is not running");

        String vecgrid = home.resolve("bin/vecgrid").toString();
        Result created = run(elsewhere, env, 120, vecgrid, "create", "docs", "--dim", String.valueOf(DIM),
            "--metric", "L2", "--field", "tag:LONG", "--replicas", "2");
        assertEquals(0, created.code, created.toString());

        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < ROWS; i++)
            jsonl.append("{\"id\": ").append(i).append(", \"vector\": ").append(vectorJson(i)).append(", \"tag\": ")
                .append(i % 5).append("}\n");
        Path file = elsewhere.resolve("docs.jsonl");
        Files.writeString(file, jsonl, StandardCharsets.UTF_8);
        Result imported = run(elsewhere, env, 180, vecgrid, "import", "docs", "docs.jsonl", "--batch", "100", "--flush");
        assertEquals(0, imported.code, imported.toString());

        Result count = run(elsewhere, env, 120, vecgrid, "count", "docs");
        assertEquals(0, count.code, count.toString());
        assertEquals(String.valueOf(ROWS), lastLine(count.out), count.toString());

        int probe = 137;
        Result found = run(elsewhere, env, 120, vecgrid, "search", "docs", "--vector", vectorJson(probe), "--top-k", "3",
            "--json");
        assertEquals(0, found.code, found.toString());
        Matcher m = Pattern.compile("\"pk\"\\s*:\\s*(\\d+)").matcher(found.out);
        assertTrue(m.find(), found.toString());
        assertEquals(probe, Integer.parseInt(m.group(1)), "nearest row of row " + probe + "'s own vector: " + found);

        Result filtered = run(elsewhere, env, 120, vecgrid, "search", "docs", "--vector", vectorJson(probe), "--top-k",
            "5", "--filter", "tag == 3", "--json");
        assertEquals(0, filtered.code, filtered.toString());
        Matcher f = Pattern.compile("\"pk\"\\s*:\\s*(\\d+)").matcher(filtered.out);
        int hits = 0;
        while (f.find()) {
            assertEquals(3, Integer.parseInt(f.group(1)) % 5, filtered.toString());
            hits++;
        }
        assertEquals(5, hits, filtered.toString());

        // SQL through bin/sqlline.sh (libs/sqlline): the collection's table.
        Path sql = tmp.resolve("count.sql");
        Files.writeString(sql, "!set outputformat csv\nSELECT COUNT(*) AS N, SUM(TAG) AS S FROM DOCS;\n",
            StandardCharsets.UTF_8);
        Map<String, String> sqlEnv = new HashMap<>(env);
        sqlEnv.put("VECGRID_JDBC_URL", "jdbc:ignite:thin://127.0.0.1:" + (base + 60) + ".." + (base + 69) + "/VECGRID");
        Result sqlline = run(elsewhere, sqlEnv, 120, home.resolve("bin/sqlline.sh").toString(), "-f", sql.toString());
        long tagSum = 0;
        for (int i = 0; i < ROWS; i++)
            tagSum += i % 5;
        assertTrue(sqlline.out.contains("'" + ROWS + "','" + tagSum + "'"), "sqlline counts the rows: " + sqlline);

        Result stopped = run(elsewhere, env, 60, home.resolve("bin/stop-cluster.sh").toString());
        assertEquals(0, stopped.code, stopped.toString());
        long deadline = System.currentTimeMillis() + 90_000;
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < deadline)
                Thread.sleep(200);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "node " + pid + " still runs 90 s after stop-cluster.sh");
        }
        // The nodes wrote their logs and data under the distribution's home, not the working directory.
        assertTrue(Files.isRegularFile(home.resolve("logs/vecgrid-node1.log")));
        assertTrue(Files.isDirectory(home.resolve("work/node1")));
        try (var s = Files.list(elsewhere)) {
            assertEquals(List.of(file), s.toList());
        }
    }

    /** A distinct vector per row: its nearest row is itself. */
    private static String vectorJson(int i) {
        StringBuilder sb = new StringBuilder("[");
        for (int d = 0; d < DIM; d++)
            sb.append(d == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", (double)((i * (d + 3)) % 101 + d * i % 7)));
        return sb.append(']').toString();
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static String logs(Path home) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var s = Files.list(home.resolve("logs"))) {
            for (Path p : s.toList()) {
                List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                sb.append("== ").append(p.getFileName()).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
            }
        }
        catch (java.io.IOException e) {
            sb.append("(no logs: ").append(e).append(")");
        }
        return sb.toString();
    }
}
