package io.vecgrid.tls;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.cli.ClientChecks;
import io.vecgrid.cli.CliRun;
import io.vecgrid.cli.VecgridCli;
import io.vecgrid.client.AuthenticationException;
import io.vecgrid.client.TlsException;
import io.vecgrid.client.VecgridClient;
import org.apache.ignite.Ignite;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.internal.IgnitionEx;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS as config/secure-config.xml sets it up, on two persistent server nodes with authentication: the nodes' TLS
 * context factory is the one the XML makes (loaded with its store paths pointed at stores that
 * {@code scripts/make-dev-certs.sh} made in this test's directory, with non-default passwords), so discovery,
 * communication, thin clients and JDBC all run over it, with client certificates required.
 *
 * <p>A thin client, the CLI, JDBC and sqlline connect with the trust store and the client key store and do real
 * work; without TLS, without the trust store, with another CA's stores or without a client certificate they are
 * refused with an error that says which; bad store settings (missing file, wrong password) name the setting; a node
 * without TLS, or with another CA's certificate, cannot join.
 */
class TlsTest {
    private static final int DIM = 8;
    private static final String USER = "ignite";
    private static final String PASSWORD = "ignite";
    /** Not the script's default: the passwords must come through. */
    private static final String KS_PW = "key-secret-1";
    private static final String TS_PW = "trust-secret-2";

    private static File root;
    private static File certs;
    /** Stores of another development CA. */
    private static File otherCerts;
    private static String keyStore;
    private static String trustStore;
    private static TestCluster cluster;
    private static String hosts;
    /** The TLS context factory config/secure-config.xml made, and whether its client connector wants certificates. */
    private static SslContextFactory xmlSsl;
    private static ClientConnectorConfiguration xmlConnector;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("vecgrid-tls").toFile();
        certs = new File(root, "certs");
        otherCerts = new File(root, "other-certs");
        DevCerts.makeOrFail(certs, KS_PW, TS_PW);
        DevCerts.makeOrFail(otherCerts, KS_PW, TS_PW);
        keyStore = new File(certs, "client.p12").getPath();
        trustStore = new File(certs, "truststore.p12").getPath();

        IgniteConfiguration xml = loadSecureConfig(Map.of("vecgrid.ssl.keystore", new File(certs, "node.p12").getPath(),
            "vecgrid.ssl.keystore.password", KS_PW, "vecgrid.ssl.truststore", trustStore,
            "vecgrid.ssl.truststore.password", TS_PW));
        xmlSsl = (SslContextFactory)xml.getSslContextFactory();
        xmlConnector = xml.getClientConnectorConfiguration();

        cluster = new TestCluster().persistent(new File(root, "nodes")).authentication(true)
            .ssl(xmlSsl, xmlConnector.isSslClientAuth()).startServers(2);
        hosts = "127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
        TestCluster.deleteTree(root);
    }

    /**
     * @return config/secure-config.xml loaded with {@code props} as system properties (set only while it loads), its
     *     logger on the test configuration.
     */
    private static IgniteConfiguration loadSecureConfig(Map<String, String> props) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(props);
        all.put("vecgrid.log4j2", new File("../ignite-plugin/src/test/resources/log4j2-test.xml").getAbsolutePath());
        Map<String, String> before = new HashMap<>();
        all.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
        try {
            return IgnitionEx.loadConfiguration(new File(DevCerts.ROOT, "config/secure-config.xml").toURI().toURL())
                .get1();
        }
        finally {
            before.forEach((k, v) -> {
                if (v == null)
                    System.clearProperty(k);
                else
                    System.setProperty(k, v);
            });
        }
    }

    private static VecgridClient.Builder tls() {
        return VecgridClient.builder().addresses(hosts).credentials(USER, PASSWORD).trustStore(trustStore, TS_PW)
            .keyStore(keyStore, KS_PW);
    }

    private static CollectionSpec spec(String name) {
        return CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build();
    }

    /**
     * What the script made: a CA, a node key store (key and CA-signed certificate, server and client usages,
     * 127.0.0.1 in its names), a client key store (client usage), a trust store holding only the CA certificate, all
     * opened with the passwords given through the environment; a second run changes nothing; a short password is
     * refused before anything is made.
     */
    @Test
    void devCertsScriptMakesTheStoresOnce() throws Exception {
        KeyStore ca = KeyStore.getInstance(new File(certs, "ca.p12"), KS_PW.toCharArray());
        X509Certificate caCert = (X509Certificate)ca.getCertificate("ca");
        assertEquals("CN=vecgrid development CA", caCert.getSubjectX500Principal().getName());
        assertTrue(caCert.getBasicConstraints() >= 0, "the CA certificate is a CA");

        KeyStore node = KeyStore.getInstance(new File(certs, "node.p12"), KS_PW.toCharArray());
        assertEquals(List.of("node"), java.util.Collections.list(node.aliases()));
        assertTrue(node.isKeyEntry("node"));
        X509Certificate nodeCert = (X509Certificate)node.getCertificate("node");
        nodeCert.verify(caCert.getPublicKey());
        assertEquals(2, node.getCertificateChain("node").length, "key, then the CA");
        assertTrue(nodeCert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")),
            "serverAuth and clientAuth: " + nodeCert.getExtendedKeyUsage());
        assertTrue(nodeCert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("127.0.0.1")));
        assertEquals(-1, nodeCert.getBasicConstraints(), "not a CA");

        KeyStore client = KeyStore.getInstance(new File(certs, "client.p12"), KS_PW.toCharArray());
        X509Certificate clientCert = (X509Certificate)client.getCertificate("client");
        clientCert.verify(caCert.getPublicKey());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), clientCert.getExtendedKeyUsage());

        KeyStore trust = KeyStore.getInstance(new File(certs, "truststore.p12"), TS_PW.toCharArray());
        assertEquals(List.of("ca"), java.util.Collections.list(trust.aliases()));
        assertFalse(trust.isKeyEntry("ca"), "no private key in the trust store");
        assertEquals(caCert, trust.getCertificate("ca"));
        assertThrows(java.io.IOException.class, () -> KeyStore.getInstance(new File(certs, "truststore.p12"),
            "vecgrid-dev".toCharArray()), "the script's default password is not the one given");

        // Idempotent: a second run keeps every file as it is.
        Map<String, byte[]> before = new HashMap<>();
        for (File f : certs.listFiles())
            before.put(f.getName(), Files.readAllBytes(f.toPath()));
        assertEquals(Set.of("ca.p12", "ca.pem", "node.p12", "client.p12", "truststore.p12"), before.keySet());
        DevCerts.Run again = DevCerts.make(certs, KS_PW, TS_PW);
        assertEquals(0, again.code(), again.output());
        assertTrue(again.output().contains("nothing to do"), again.output());
        for (File f : certs.listFiles())
            assertArrayEquals(before.get(f.getName()), Files.readAllBytes(f.toPath()), f.getName());

        // A lost store is made again, signed by the same CA.
        assertTrue(new File(certs, "client.p12").renameTo(new File(root, "client.p12.saved")));
        try {
            DevCerts.makeOrFail(certs, KS_PW, TS_PW);
            X509Certificate remade = (X509Certificate)KeyStore.getInstance(new File(certs, "client.p12"),
                KS_PW.toCharArray()).getCertificate("client");
            remade.verify(caCert.getPublicKey());
        }
        finally {
            Files.move(new File(root, "client.p12.saved").toPath(), new File(certs, "client.p12").toPath(),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        File shortPw = new File(root, "short");
        DevCerts.Run refused = DevCerts.make(shortPw, "abc", TS_PW);
        assertEquals(1, refused.code(), refused.output());
        assertTrue(refused.output().contains("VECGRID_SSL_KEYSTORE_PASSWORD"), refused.output());
        assertFalse(new File(shortPw, "ca.p12").exists());
    }

    /**
     * The XML's TLS settings, with the store paths and passwords it was given through system properties; without them,
     * the development stores; no legacy REST connector (Ignite's default one has no TLS).
     */
    @Test
    void secureConfigTakesTheStoresFromSystemProperties() throws Exception {
        assertEquals(new File(certs, "node.p12").getPath(), xmlSsl.getKeyStoreFilePath());
        assertEquals(trustStore, xmlSsl.getTrustStoreFilePath());
        assertEquals("PKCS12", xmlSsl.getKeyStoreType());
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, xmlSsl.getProtocols());
        assertTrue(xmlConnector.isSslEnabled());
        assertTrue(xmlConnector.isUseIgniteSslContextFactory());
        assertTrue(xmlConnector.isSslClientAuth(), "client certificates by default");

        // Without properties: the development stores of scripts/make-dev-certs.sh, under the working directory.
        IgniteConfiguration dflt = loadSecureConfig(Map.of("vecgrid.ssl.client.auth", "false"));
        SslContextFactory f = (SslContextFactory)dflt.getSslContextFactory();
        assertEquals("work/certs/node.p12", f.getKeyStoreFilePath());
        assertEquals("work/certs/truststore.p12", f.getTrustStoreFilePath());
        assertFalse(dflt.getClientConnectorConfiguration().isSslClientAuth());
        assertNull(dflt.getConnectorConfiguration(), "no plain legacy REST connector");
    }

    /**
     * The node's client connector speaks what the XML allows: a JDK 17 client with the stores settles on TLS 1.3, one
     * limited to TLS 1.2 gets 1.2, one limited to TLS 1.1 is refused.
     */
    @Test
    void protocolsAreTls13And12() throws Exception {
        assertEquals("TLSv1.3", negotiate(null));
        assertEquals("TLSv1.2", negotiate("TLSv1.2"));
        assertThrows(javax.net.ssl.SSLException.class, () -> negotiate("TLSv1.1"));
    }

    /** @return the protocol of a handshake with a node's client connector, the client limited to {@code only}. */
    private static String negotiate(String only) throws Exception {
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(KeyStore.getInstance(new File(keyStore), KS_PW.toCharArray()), KS_PW.toCharArray());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(KeyStore.getInstance(new File(trustStore), TS_PW.toCharArray()));
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket)ctx.getSocketFactory().createSocket("127.0.0.1",
            cluster.clientPort())) {
            if (only != null)
                s.setEnabledProtocols(new String[] {only});
            s.setSoTimeout(10_000);
            s.startHandshake();
            return s.getSession().getProtocol();
        }
    }

    /**
     * With the trust store and the client key store, the thin client does everything over TLS: a collection with two
     * replicas (searches run jobs on both nodes over TLS communication), written, flushed, searched exactly.
     */
    @Test
    void thinClientWithTheStoresServes() {
        try (VecgridClient vg = tls().connect()) {
            vg.createCollection(spec("served"));
            ClientChecks.writeFlushSearch(vg, "served", DIM);
            assertEquals(2, vg.status().nodes().size());
            vg.dropCollection("served");
        }
    }

    /** The same settings from a client properties file, store paths relative to the file. */
    @Test
    void thinClientTakesAClientPropertiesFile() throws Exception {
        Path file = new File(root, "client.properties").toPath();
        Files.writeString(file, "host=" + hosts + "\nuser=" + USER + "\npassword=" + PASSWORD +
            "\nssl.truststore=certs/truststore.p12\nssl.truststore.password=" + TS_PW +
            "\nssl.keystore=certs/client.p12\nssl.keystore.password=" + KS_PW + "\n");
        try (VecgridClient vg = VecgridClient.builder().clientConfig(file).connect()) {
            assertEquals(2, vg.status().nodes().size());
        }

        Files.writeString(file, "host=" + hosts + "\nssl.trustStore=certs/truststore.p12\n");
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().clientConfig(file));
        assertTrue(unknown.getMessage().contains("unknown key 'ssl.trustStore' in " + file), unknown.getMessage());
        Path missing = new File(root, "nope.properties").toPath();
        InvalidRequestException noFile = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().clientConfig(missing));
        assertTrue(noFile.getMessage().contains("no such file: " + missing), noFile.getMessage());
    }

    /**
     * A thin client is refused, with the reason named: without TLS at all (the cluster wants it), without the trust
     * store (the JDK's CAs did not sign the node), with another CA's trust store, without a client certificate, with
     * another CA's client certificate. With both stores right, the login is checked next.
     */
    @Test
    void thinClientWithoutTheRightStoresIsRefused() {
        TlsException plain = assertThrows(TlsException.class,
            () -> VecgridClient.builder().addresses(hosts).credentials(USER, PASSWORD).connect());
        assertEquals(TlsException.Reason.TLS_REQUIRED, plain.reason());
        assertTrue(plain.getMessage().startsWith("the vecgrid cluster at [" + hosts + "] requires TLS and the client " +
            "connected without it; pass the cluster's trust store with VecgridClient.builder().trustStore(path, " +
            "password)"), plain.getMessage());

        TlsException noTrust = assertThrows(TlsException.class, () -> VecgridClient.builder().addresses(hosts)
            .credentials(USER, PASSWORD).keyStore(keyStore, KS_PW).connect());
        assertEquals(TlsException.Reason.SERVER_NOT_TRUSTED, noTrust.reason());
        assertTrue(noTrust.getMessage().contains("the node's certificate is not signed by a CA in the JDK's default " +
            "trust store (no trust store was given)"), noTrust.getMessage());

        String otherTrust = new File(otherCerts, "truststore.p12").getPath();
        TlsException wrongCa = assertThrows(TlsException.class, () -> VecgridClient.builder().addresses(hosts)
            .credentials(USER, PASSWORD).trustStore(otherTrust, TS_PW).keyStore(keyStore, KS_PW).connect());
        assertEquals(TlsException.Reason.SERVER_NOT_TRUSTED, wrongCa.reason());
        assertTrue(wrongCa.getMessage().contains("not signed by a CA in the trust store " + otherTrust),
            wrongCa.getMessage());

        TlsException noCert = assertThrows(TlsException.class, () -> VecgridClient.builder().addresses(hosts)
            .credentials(USER, PASSWORD).trustStore(trustStore, TS_PW).connect());
        assertEquals(TlsException.Reason.CLIENT_CERTIFICATE_REFUSED, noCert.reason());
        assertTrue(noCert.getMessage().contains("the cluster wants a client certificate signed by its CA and refused " +
            "a client without one (no key store was given)"), noCert.getMessage());

        String otherKey = new File(otherCerts, "client.p12").getPath();
        TlsException foreignCert = assertThrows(TlsException.class, () -> VecgridClient.builder().addresses(hosts)
            .credentials(USER, PASSWORD).trustStore(trustStore, TS_PW).keyStore(otherKey, KS_PW).connect());
        assertEquals(TlsException.Reason.CLIENT_CERTIFICATE_REFUSED, foreignCert.reason());
        assertTrue(foreignCert.getMessage().contains("refused the certificate of the key store " + otherKey),
            foreignCert.getMessage());

        // TLS passes; the login is still wanted.
        AuthenticationException login = assertThrows(AuthenticationException.class, () -> VecgridClient.builder()
            .addresses(hosts).trustStore(trustStore, TS_PW).keyStore(keyStore, KS_PW).connect());
        assertTrue(login.getMessage().contains("requires a user name and password"), login.getMessage());
    }

    /** Bad store settings are refused before connecting, naming the setting and the file. */
    @Test
    void badStoreSettingsAreNamed() {
        InvalidRequestException wrongPw = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().addresses(hosts).trustStore(trustStore, "not-it").connect());
        assertEquals("trustStore(path, password): wrong password for the trust store " + trustStore +
            " (trustStore(path, password))", wrongPw.getMessage());

        String missing = new File(root, "missing.p12").getPath();
        InvalidRequestException noFile = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().addresses(hosts).keyStore(missing, KS_PW).connect());
        assertEquals("keyStore(path, password): no such key store file: " + missing, noFile.getMessage());

        InvalidRequestException noKey = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().addresses(hosts).keyStore(trustStore, TS_PW).connect());
        assertTrue(noKey.getMessage().contains("the key store " + trustStore + " holds no private key"),
            noKey.getMessage());

        InvalidRequestException noPw = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().addresses(hosts).trustStore(trustStore, null).connect());
        assertTrue(noPw.getMessage().contains("no password for the trust store " + trustStore), noPw.getMessage());

        InvalidRequestException notAStore = assertThrows(InvalidRequestException.class,
            () -> VecgridClient.builder().addresses(hosts).trustStore(new File(certs, "ca.pem").getPath(), TS_PW)
                .connect());
        assertTrue(notAStore.getMessage().startsWith("trustStore(path, password): "), notAStore.getMessage());
    }

    /** One CLI run with the given environment. */
    private static CliRun cli(Map<String, String> env, String... args) {
        return CliRun.run(env, args);
    }

    /**
     * The CLI over TLS with the --ssl-* options, with the environment variables, with a --client-config file; the
     * refusals with exit 3 and the CLI's own words; bad store settings with exit 1 naming the option, the variable or
     * the file key they came from.
     */
    @Test
    void cliConnectsWithSslOptions() throws Exception {
        Map<String, String> login = Map.of("VECGRID_USER", USER, "VECGRID_PASSWORD", PASSWORD);
        CliRun created = cli(login, "--host", hosts, "--ssl-truststore", trustStore, "--ssl-truststore-password", TS_PW,
            "--ssl-keystore", keyStore, "--ssl-keystore-password", KS_PW, "create", "bycli", "--dim", "4",
            "--metric", "L2", "--index", "FLAT");
        assertEquals(VecgridCli.EXIT_OK, created.code(), created.toString());

        Map<String, String> env = new HashMap<>(login);
        env.putAll(Map.of("VECGRID_SSL_TRUSTSTORE", trustStore, "VECGRID_SSL_TRUSTSTORE_PASSWORD", TS_PW,
            "VECGRID_SSL_KEYSTORE", keyStore, "VECGRID_SSL_KEYSTORE_PASSWORD", KS_PW, "VECGRID_HOST", hosts));
        CliRun list = cli(env, "list");
        assertEquals(VecgridCli.EXIT_OK, list.code(), list.toString());
        assertTrue(list.out().lines().anyMatch("bycli"::equals), list.toString());

        Path file = new File(root, "cli.properties").toPath();
        Files.writeString(file, "host=" + hosts + "\nuser=" + USER + "\npassword=" + PASSWORD +
            "\nssl.truststore=certs/truststore.p12\nssl.truststore.password=" + TS_PW +
            "\nssl.keystore=certs/client.p12\nssl.keystore.password=" + KS_PW + "\n");
        CliRun status = cli(Map.of(), "--client-config", file.toString(), "status");
        assertEquals(VecgridCli.EXIT_OK, status.code(), status.toString());
        assertTrue(status.out().contains("2 server node(s)"), status.toString());
        CliRun fromEnvFile = cli(Map.of("VECGRID_CLIENT_CONFIG", file.toString()), "drop", "bycli", "--yes");
        assertEquals(VecgridCli.EXIT_OK, fromEnvFile.code(), fromEnvFile.toString());

        // Refused handshakes: exit 3, in the CLI's words.
        CliRun plain = cli(login, "--host", hosts, "list");
        assertEquals(VecgridCli.EXIT_AUTH, plain.code(), plain.toString());
        assertEquals("vecgrid: TLS required: the cluster at " + hosts + " accepts only TLS connections and none was " +
            "configured; pass the cluster's trust store with --ssl-truststore and --ssl-truststore-password and, if " +
            "it wants client certificates, a key store with --ssl-keystore and --ssl-keystore-password (or set " +
            "VECGRID_SSL_TRUSTSTORE, VECGRID_SSL_KEYSTORE and their _PASSWORD variables, or use --client-config)",
            plain.err().trim());
        CliRun noCert = cli(login, "--host", hosts, "--ssl-truststore", trustStore, "--ssl-truststore-password", TS_PW,
            "list");
        assertEquals(VecgridCli.EXIT_AUTH, noCert.code(), noCert.toString());
        assertTrue(noCert.err().contains("wants a client certificate signed by its CA and refused the CLI's " +
            "connection without one (no --ssl-keystore was given)"), noCert.toString());
        String otherTrust = new File(otherCerts, "truststore.p12").getPath();
        CliRun untrusted = cli(env, "--ssl-truststore", otherTrust, "list");
        assertEquals(VecgridCli.EXIT_AUTH, untrusted.code(), untrusted.toString());
        assertTrue(untrusted.err().contains("is not signed by a CA in the trust store " + otherTrust +
            " (--ssl-truststore)"), untrusted.toString());

        // Bad settings: exit 1, the option (or variable, or file key) named.
        CliRun wrongPw = cli(env, "--ssl-truststore-password", "not-it", "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, wrongPw.code(), wrongPw.toString());
        assertEquals("vecgrid: --ssl-truststore-password: wrong password for the trust store " + trustStore +
            " (VECGRID_SSL_TRUSTSTORE)", wrongPw.err().trim());
        assertFalse(wrongPw.err().contains("not-it"), "no password in a message");
        Map<String, String> badEnv = new HashMap<>(env);
        badEnv.put("VECGRID_SSL_KEYSTORE_PASSWORD", "not-it");
        CliRun wrongEnvPw = cli(badEnv, "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, wrongEnvPw.code(), wrongEnvPw.toString());
        assertEquals("vecgrid: VECGRID_SSL_KEYSTORE_PASSWORD: wrong password for the key store " + keyStore +
            " (VECGRID_SSL_KEYSTORE)", wrongEnvPw.err().trim());
        String missing = new File(root, "missing.p12").getPath();
        CliRun noFile = cli(env, "--ssl-truststore", missing, "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, noFile.code(), noFile.toString());
        assertEquals("vecgrid: --ssl-truststore: no such trust store file: " + missing, noFile.err().trim());
        CliRun noPw = cli(login, "--host", hosts, "--ssl-keystore", keyStore, "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, noPw.code(), noPw.toString());
        assertEquals("vecgrid: --ssl-keystore-password (or VECGRID_SSL_KEYSTORE_PASSWORD): no password for the key " +
            "store " + keyStore + " (--ssl-keystore)", noPw.err().trim());
        CliRun pwAlone = cli(login, "--host", hosts, "--ssl-truststore-password", TS_PW, "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, pwAlone.code(), pwAlone.toString());
        assertTrue(pwAlone.err().contains("--ssl-truststore-password is set but no trust store: pass --ssl-truststore"),
            pwAlone.toString());

        Files.writeString(file, "host=" + hosts + "\nssl.truststore=certs/truststore.p12\nssl.truststore.password=x" +
            "\nssl.keystore=certs/client.p12\nssl.keystore.password=" + KS_PW + "\n");
        CliRun wrongFilePw = cli(login, "--client-config", file.toString(), "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, wrongFilePw.code(), wrongFilePw.toString());
        assertEquals("vecgrid: ssl.truststore.password in " + file + ": wrong password for the trust store " +
            trustStore + " (ssl.truststore in " + file + ")", wrongFilePw.err().trim());
        CliRun noConfig = cli(login, "--client-config", missing + ".properties", "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, noConfig.code(), noConfig.toString());
        assertEquals("vecgrid: --client-config: no such file: " + missing + ".properties", noConfig.err().trim());

        CliRun help = cli(Map.of(), "--help");
        for (String o : List.of("--ssl-truststore", "--ssl-truststore-password", "--ssl-keystore",
            "--ssl-keystore-password", "--client-config", "VECGRID_SSL_TRUSTSTORE", "VECGRID_CLIENT_CONFIG"))
            assertTrue(help.out().contains(o), o + " in\n" + help.out());
    }

    private static String jdbcUrl(String params) {
        return "jdbc:ignite:thin://127.0.0.1:" + cluster.clientPort() + "/VECGRID" + params;
    }

    /** The JDBC thin driver's TLS parameters, as docs/sql.md shows them. */
    private static String sslParams(String keyStorePath, String trustStorePath) {
        return "?sslMode=require&sslClientCertificateKeyStoreUrl=" + keyStorePath +
            "&sslClientCertificateKeyStorePassword=" + KS_PW + "&sslClientCertificateKeyStoreType=PKCS12" +
            "&sslTrustCertificateKeyStoreUrl=" + trustStorePath + "&sslTrustCertificateKeyStorePassword=" + TS_PW +
            "&sslTrustCertificateKeyStoreType=PKCS12";
    }

    /** JDBC with sslMode=require and the stores works (sqlline too); without TLS, or another CA's, it is refused. */
    @Test
    void jdbcNeedsTls() throws Exception {
        try (VecgridClient vg = tls().connect()) {
            vg.createCollection(spec("jdbc"));
            vg.insert("jdbc", TestRows.rows(0, 20, DIM));
        }
        String url = jdbcUrl(sslParams(keyStore, trustStore));
        try (Connection c = DriverManager.getConnection(url, USER, PASSWORD);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM JDBC")) {
            assertTrue(rs.next());
            assertEquals(20, rs.getLong(1));
        }

        // The same as connection properties (docs/sql.md's form: no passwords in a URL), which the driver takes with
        // the prefix "ignite.jdbc.".
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        props.setProperty("ignite.jdbc.sslMode", "require");
        props.setProperty("ignite.jdbc.sslClientCertificateKeyStoreUrl", keyStore);
        props.setProperty("ignite.jdbc.sslClientCertificateKeyStorePassword", KS_PW);
        props.setProperty("ignite.jdbc.sslClientCertificateKeyStoreType", "PKCS12");
        props.setProperty("ignite.jdbc.sslTrustCertificateKeyStoreUrl", trustStore);
        props.setProperty("ignite.jdbc.sslTrustCertificateKeyStorePassword", TS_PW);
        props.setProperty("ignite.jdbc.sslTrustCertificateKeyStoreType", "PKCS12");
        try (Connection c = DriverManager.getConnection(jdbcUrl(""), props);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ID FROM JDBC WHERE ID = 7")) {
            assertTrue(rs.next());
            assertEquals(7, rs.getLong(1));
        }

        SQLException plain = assertThrows(SQLException.class,
            () -> DriverManager.getConnection(jdbcUrl(""), USER, PASSWORD));
        assertEquals("08001", plain.getSQLState(), plain.toString());
        assertTrue(plain.getMessage().contains("Failed to connect to Ignite cluster"), plain.getMessage());
        SQLException otherCa = assertThrows(SQLException.class, () -> DriverManager.getConnection(
            jdbcUrl(sslParams(new File(otherCerts, "client.p12").getPath(),
                new File(otherCerts, "truststore.p12").getPath())), USER, PASSWORD));
        assertTrue(otherCa.getMessage().contains("Failed to SSL connect to server"), otherCa.getMessage());

        String out = sqlline(url, "SELECT COUNT(*) AS N FROM JDBC;");
        assertTrue(out.contains("| 20 |"), out);
        String refused = sqlline(jdbcUrl(""), "SELECT COUNT(*) AS N FROM JDBC;");
        assertFalse(refused.contains("| 20 |"), refused);
        assertTrue(refused.contains("Failed to connect to Ignite cluster"), refused);

        try (VecgridClient vg = tls().connect()) {
            vg.dropCollection("jdbc");
        }
    }

    /** @return what sqlline printed running {@code sql} on {@code url}. */
    private static String sqlline(String url, String sql) throws Exception {
        return ClientChecks.sqlline(root, url, USER, PASSWORD, sql);
    }

    /**
     * A thick client with the cluster's TLS joins and works; a server node without TLS is refused at join ("Was remote
     * cluster configured with SSL?"), and so is one whose certificate another CA signed; one whose key store is
     * missing or has another password stops at start, saying so; the cluster keeps its two servers.
     */
    @Test
    void nodesWithoutTheClusterTlsCannotJoin() {
        Ignite thick = cluster.startClient("thick");
        try {
            var vg = Vecgrid.of(thick);
            vg.createCollection(spec("bythick"));
            vg.insert("bythick", TestRows.rows(0, 5, DIM));
            assertEquals(5, vg.count("bythick"));
            vg.dropCollection("bythick");
        }
        finally {
            cluster.stop("thick");
        }

        IgniteConfiguration plain = cluster.config("plain", false).setSslContextFactory(null);
        plain.getClientConnectorConfiguration().setSslEnabled(false).setSslClientAuth(false);
        String plainWhy = joinFailure(plain);
        assertTrue(plainWhy.contains("Unable to establish secure connection. Was remote cluster configured with SSL?"),
            plainWhy);

        SslContextFactory foreign = new SslContextFactory();
        foreign.setKeyStoreFilePath(new File(otherCerts, "node.p12").getPath());
        foreign.setKeyStorePassword(KS_PW.toCharArray());
        foreign.setKeyStoreType("PKCS12");
        foreign.setTrustStoreFilePath(new File(otherCerts, "truststore.p12").getPath());
        foreign.setTrustStorePassword(TS_PW.toCharArray());
        foreign.setTrustStoreType("PKCS12");
        String foreignWhy = joinFailure(cluster.config("foreign", false).setSslContextFactory(foreign));
        assertTrue(foreignWhy.contains("Unable to establish secure connection") &&
            foreignWhy.contains("Certificate signature validation failed"), foreignWhy);

        // A node whose own store is missing, or opened with a wrong password, stops at start and names it.
        SslContextFactory missing = new SslContextFactory();
        String missingPath = new File(root, "missing-node.p12").getPath();
        missing.setKeyStoreFilePath(missingPath);
        missing.setKeyStorePassword(KS_PW.toCharArray());
        missing.setTrustStoreFilePath(trustStore);
        missing.setTrustStorePassword(TS_PW.toCharArray());
        String missingWhy = joinFailure(cluster.config("missing", false).setSslContextFactory(missing));
        assertTrue(missingWhy.contains("key store file was not found") && missingWhy.contains(missingPath),
            missingWhy);
        SslContextFactory wrongPw = new SslContextFactory();
        wrongPw.setKeyStoreFilePath(new File(certs, "node.p12").getPath());
        wrongPw.setKeyStoreType("PKCS12");
        wrongPw.setKeyStorePassword("not-it".toCharArray());
        wrongPw.setTrustStoreFilePath(trustStore);
        wrongPw.setTrustStorePassword(TS_PW.toCharArray());
        String wrongPwWhy = joinFailure(cluster.config("wrongpw", false).setSslContextFactory(wrongPw));
        assertTrue(wrongPwWhy.contains("keystore password was incorrect"), wrongPwWhy);

        assertEquals(2, cluster.any().cluster().forServers().nodes().size());
    }

    /** @return the messages of the failure of starting {@code cfg} (which must fail, not form a cluster of its own). */
    private static String joinFailure(IgniteConfiguration cfg) {
        ((TcpDiscoverySpi)cfg.getDiscoverySpi()).setJoinTimeout(20_000);
        Exception e = TestCluster.startRefused(cfg);
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
            sb.append(t.getMessage()).append(" | ");
        return sb.toString();
    }
}
