package io.vecgrid.config;

import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.client.AuthenticationException;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.plugin.VecgridPluginProvider;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.internal.IgnitionEx;
import org.apache.ignite.plugin.PluginProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every configuration rule fails node start with a message naming the property; the shipped XML starts a node, and
 * so does the secure one, which wants a login.
 */
class VecgridConfigurationTest {
    static Stream<Arguments> brokenRules() {
        return Stream.of(
            rule("sealRows must be in [1, 10000000], got 0", c -> c.setSealRows(0)),
            rule("searchThreads must be in [1, 1024], got 0", c -> c.setSearchThreads(0)),
            rule("routingRefreshMillis must be in [10, 3600000], got 5", c -> c.setRoutingRefreshMillis(5)),
            rule("maxTopK must be in [1, 1000000], got -1", c -> c.setMaxTopK(-1)),
            rule("maxBatchRows must be in [1, 10000000], got 0", c -> c.setMaxBatchRows(0)),
            rule("segmentSlots must be in [1, 65536], got 0", c -> c.setSegmentSlots(0)),
            rule("sealCheckMillis must be in [10, 3600000], got 1", c -> c.setSealCheckMillis(1)),
            rule("searchTimeoutMillis must be in [1, 86400000], got 0", c -> c.setSearchTimeoutMillis(0)),
            rule("testSearchDelayMillis must be in [0, 600000], got -1", c -> c.setTestSearchDelayMillis(-1)));
    }

    private static Arguments rule(String msg, Consumer<VecgridConfiguration> breakIt) {
        return Arguments.of(msg, breakIt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRules")
    void brokenRuleFailsNodeStart(String msg, Consumer<VecgridConfiguration> breakIt) {
        try (TestCluster cluster = new TestCluster().configure(breakIt)) {
            Exception e = assertThrows(Exception.class, () -> cluster.start("bad"));
            assertTrue(messages(e).contains("vecgrid configuration: " + msg), "start failure names the property: " + messages(e));
        }
    }

    @Test
    void brokenRuleInSpringXmlFailsNodeStart() throws Exception {
        URL xml = VecgridConfigurationTest.class.getResource("/config/broken-seal-rows.xml");
        IgniteConfiguration cfg = IgnitionEx.loadConfiguration(xml).get1();
        try (TestCluster cluster = new TestCluster()) {
            IgniteConfiguration base = cluster.config("bad", false);
            base.setPluginProviders(cfg.getPluginProviders());
            Exception e = assertThrows(Exception.class, () -> Ignition.start(base));
            assertTrue(messages(e).contains("vecgrid configuration: sealRows must be in [1, 10000000], got 0"), messages(e));
        }
    }

    /** config/default-config.xml loads, carries the plugin with its properties, and a node started from it serves. */
    @Test
    void shippedConfigStartsANodeWithThePlugin() throws Exception {
        File xml = new File("../config/default-config.xml");
        assertTrue(xml.isFile(), xml.getAbsolutePath());
        System.setProperty("vecgrid.log4j2", new File("src/test/resources/log4j2-test.xml").getAbsolutePath());
        IgniteConfiguration shipped = IgnitionEx.loadConfiguration(xml.toURI().toURL()).get1();
        PluginProvider<?>[] providers = shipped.getPluginProviders();
        assertEquals(1, providers.length);
        VecgridPluginProvider p = assertInstanceOf(VecgridPluginProvider.class, providers[0]);
        assertEquals(8192, p.getConfiguration().getSealRows());
        assertEquals(10000, p.getConfiguration().getMaxBatchRows());
        assertEquals(100, shipped.getClientConnectorConfiguration().getThinClientConfiguration()
            .getMaxActiveComputeTasksPerConnection(), "thin-client compute is on");

        // Start it on this test's own ports (the shipped ones may be in use on a developer machine).
        try (TestCluster cluster = new TestCluster()) {
            IgniteConfiguration test = cluster.config("xml", false);
            shipped.setIgniteInstanceName(test.getIgniteInstanceName());
            shipped.setDiscoverySpi(test.getDiscoverySpi());
            shipped.setCommunicationSpi(test.getCommunicationSpi());
            shipped.setClientConnectorConfiguration(test.getClientConnectorConfiguration());
            shipped.setDataStorageConfiguration(test.getDataStorageConfiguration());
            shipped.setWorkDirectory(test.getWorkDirectory());
            Ignite ig = Ignition.start(shipped);
            try {
                // vecgrid starts serving a moment after the node (once it sees the cluster active).
                TestCluster.awaitServing(ig);
                Vecgrid.of(ig).createCollection(CollectionSpec.builder("xml").dimension(3).index(IndexSpec.flat()).build());
                assertEquals(0, Vecgrid.of(ig).count("xml"));
            }
            finally {
                Ignition.stop(ig.name(), true);
            }
        }
    }

    /**
     * A node of the shipped config whose discovery ports are all held by something else (another cluster, another
     * program) fails to start, and the failure names the ports it tried and the address; it does not hang or join.
     */
    @Test
    void shippedConfigWithItsDiscoveryPortsTakenFailsNamingThem() throws Exception {
        int base = TestCluster.freePortBase();
        List<java.net.ServerSocket> taken = new java.util.ArrayList<>();
        String[] props = {"vecgrid.discovery.port", "vecgrid.discovery.addresses", "vecgrid.communication.port",
            "vecgrid.client.port", "vecgrid.http.port"};
        try {
            for (int p = base; p < base + 10; p++)
                taken.add(new java.net.ServerSocket(p, 50, java.net.InetAddress.getByName("127.0.0.1")));
            System.setProperty("vecgrid.discovery.port", Integer.toString(base));
            // Where to look for the cluster: a port range no one listens on, so the start fails at the bind.
            System.setProperty("vecgrid.discovery.addresses", "127.0.0.1:" + (base + 10) + ".." + (base + 12));
            System.setProperty("vecgrid.communication.port", Integer.toString(base + 20));
            System.setProperty("vecgrid.client.port", Integer.toString(base + 60));
            System.setProperty("vecgrid.http.port", "0");
            System.setProperty("vecgrid.log4j2", new File("src/test/resources/log4j2-test.xml").getAbsolutePath());
            IgniteConfiguration shipped = IgnitionEx.loadConfiguration(new File("../config/default-config.xml").toURI().toURL()).get1();
            try (TestCluster cluster = new TestCluster()) {
                IgniteConfiguration test = cluster.config("taken", false);
                shipped.setIgniteInstanceName(test.getIgniteInstanceName());
                shipped.setDataStorageConfiguration(test.getDataStorageConfiguration());
                shipped.setWorkDirectory(test.getWorkDirectory());
                Exception e = assertThrows(Exception.class, () -> Ignition.start(shipped));
                String m = messages(e);
                assertTrue(m.contains("possibly all ports in range are in use") && m.contains("firstPort=" + base) &&
                    m.contains("lastPort=" + (base + 9)), "the start failure names the taken ports: " + m);
            }
        }
        finally {
            for (String p : props)
                System.clearProperty(p);
            for (java.net.ServerSocket s : taken)
                s.close();
        }
    }

    /**
     * The shipped configs bind every port to loopback unless told otherwise (one machine), and take the bind address
     * and the discovery addresses from system properties for a cluster of several hosts: Ignite's localHost (which the
     * discovery and communication SPIs and the client connector inherit, none setting its own), the HTTP page, and a
     * comma-separated discovery list, which defaults to the bind address's ports 47500..47509. (The environment
     * variables VECGRID_BIND_ADDRESS and VECGRID_DISCOVERY_ADDRESSES win over the properties; MultiHostProcessIT starts
     * its nodes with them.)
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"default-config.xml", "in-memory-config.xml", "secure-config.xml"})
    void shippedConfigsBindLoopbackUnlessGivenAnAddress(String name) throws Exception {
        assertEquals(null, System.getenv("VECGRID_BIND_ADDRESS"), "this test expects VECGRID_BIND_ADDRESS unset");
        assertEquals(null, System.getenv("VECGRID_DISCOVERY_ADDRESSES"), "this test expects VECGRID_DISCOVERY_ADDRESSES unset");
        URL xml = new File("../config/" + name).toURI().toURL();
        System.setProperty("vecgrid.log4j2", new File("src/test/resources/log4j2-test.xml").getAbsolutePath());

        IgniteConfiguration dflt = IgnitionEx.loadConfiguration(xml).get1();
        assertEquals("127.0.0.1", dflt.getLocalHost());
        assertBindsTheLocalHost(dflt);
        assertEquals(rangeOf("127.0.0.1", 47500, 47509), discoveryAddresses(dflt));

        try {
            System.setProperty("vecgrid.bind.address", "10.213.0.11");
            IgniteConfiguration bindOnly = IgnitionEx.loadConfiguration(xml).get1();
            assertEquals("10.213.0.11", bindOnly.getLocalHost());
            assertBindsTheLocalHost(bindOnly);
            assertEquals("10.213.0.11", vecgrid(bindOnly).getHttpHost());
            assertEquals(rangeOf("10.213.0.11", 47500, 47509), discoveryAddresses(bindOnly));

            System.setProperty("vecgrid.discovery.addresses", " 10.213.0.11:47500, 10.213.0.12:47500..47501 ,10.213.0.13:47500 ");
            IgniteConfiguration three = IgnitionEx.loadConfiguration(xml).get1();
            assertEquals("10.213.0.11", three.getLocalHost());
            java.util.List<String> exp = new java.util.ArrayList<>(java.util.List.of("10.213.0.11:47500"));
            exp.addAll(rangeOf("10.213.0.12", 47500, 47501));
            exp.add("10.213.0.13:47500");
            assertEquals(new java.util.TreeSet<>(exp), new java.util.TreeSet<>(discoveryAddresses(three)));

            System.setProperty("vecgrid.http.host", "0.0.0.0");
            assertEquals("0.0.0.0", vecgrid(IgnitionEx.loadConfiguration(xml).get1()).getHttpHost(),
                "vecgrid.http.host wins over the bind address");
        }
        finally {
            System.clearProperty("vecgrid.bind.address");
            System.clearProperty("vecgrid.discovery.addresses");
            System.clearProperty("vecgrid.http.host");
        }
    }

    /** The SPIs and the client connector set no address of their own: they bind Ignite's localHost. */
    private static void assertBindsTheLocalHost(IgniteConfiguration cfg) {
        assertEquals(null, ((org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi)cfg.getDiscoverySpi()).getLocalAddress());
        assertEquals(null, ((org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi)cfg.getCommunicationSpi())
            .getLocalAddress());
        assertEquals(null, cfg.getClientConnectorConfiguration().getHost());
        assertEquals(cfg.getLocalHost(), vecgrid(cfg).getHttpHost());
    }

    private static VecgridConfiguration vecgrid(IgniteConfiguration cfg) {
        return ((VecgridPluginProvider)cfg.getPluginProviders()[0]).getConfiguration();
    }

    private static java.util.List<String> discoveryAddresses(IgniteConfiguration cfg) {
        var finder = (org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder)
            ((org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi)cfg.getDiscoverySpi()).getIpFinder();
        return finder.getRegisteredAddresses().stream()
            .map(a -> a.getHostString() + ":" + a.getPort()).sorted().toList();
    }

    private static java.util.List<String> rangeOf(String host, int from, int to) {
        java.util.List<String> res = new java.util.ArrayList<>();
        for (int p = from; p <= to; p++)
            res.add(host + ":" + p);
        return res.stream().sorted().toList();
    }

    /**
     * config/secure-config.xml is the default node with authentication and without SQL query history: a node started
     * from it (its persistence kept, on this test's ports and in a temporary directory) refuses a thin client without
     * credentials, serves the superuser ignite/ignite, and keeps no password of ALTER USER where users can read it.
     */
    @Test
    void secureConfigWantsALoginAndKeepsNoPassword() throws Exception {
        File xml = new File("../config/secure-config.xml");
        assertTrue(xml.isFile(), xml.getAbsolutePath());
        System.setProperty("vecgrid.log4j2", new File("src/test/resources/log4j2-test.xml").getAbsolutePath());
        IgniteConfiguration secure = IgnitionEx.loadConfiguration(xml.toURI().toURL()).get1();
        URL dfltXml = new File("../config/default-config.xml").toURI().toURL();
        IgniteConfiguration dflt = IgnitionEx.loadConfiguration(dfltXml).get1();
        assertTrue(secure.isAuthenticationEnabled());
        assertFalse(dflt.isAuthenticationEnabled());
        assertEquals(0, secure.getSqlConfiguration().getSqlQueryHistorySize());
        DataRegionConfiguration region = secure.getDataStorageConfiguration().getDefaultDataRegionConfiguration();
        assertTrue(region.isPersistenceEnabled(), "authentication needs persistence");
        assertEquals(dflt.getDataStorageConfiguration().getWalMode(),
            secure.getDataStorageConfiguration().getWalMode());
        assertEquals(dflt.getClientConnectorConfiguration().getPort(),
            secure.getClientConnectorConfiguration().getPort());
        VecgridPluginProvider p = assertInstanceOf(VecgridPluginProvider.class, secure.getPluginProviders()[0]);
        assertEquals(8192, p.getConfiguration().getSealRows());

        File root = Files.createTempDirectory("vecgrid-secure").toFile();
        try (TestCluster cluster = new TestCluster().persistent(root)) {
            IgniteConfiguration test = cluster.config("secure", false);
            secure.setIgniteInstanceName(test.getIgniteInstanceName());
            secure.setConsistentId(test.getConsistentId());
            secure.setDiscoverySpi(test.getDiscoverySpi());
            secure.setCommunicationSpi(test.getCommunicationSpi());
            secure.setClientConnectorConfiguration(test.getClientConnectorConfiguration());
            // The test's persistent storage: small WAL segments instead of the shipped sizes.
            secure.setDataStorageConfiguration(test.getDataStorageConfiguration());
            secure.setWorkDirectory(test.getWorkDirectory());
            // Without TLS (the test's client connector has none either): io.vecgrid.tls.TlsTest runs the XML's TLS.
            secure.setSslContextFactory(null);
            Ignite ig = Ignition.start(secure);
            try {
                TestCluster.awaitServing(ig);
                String addr = "127.0.0.1:" + cluster.clientPort();
                assertThrows(AuthenticationException.class, () -> VecgridClient.connect(addr));
                try (VecgridClient vg = VecgridClient.builder().addresses(addr).credentials("ignite", "ignite")
                    .connect()) {
                    assertEquals(1, vg.status().nodes().size());
                }
                String url = "jdbc:ignite:thin://" + addr;
                try (Connection c = DriverManager.getConnection(url, "ignite", "ignite");
                     Statement st = c.createStatement()) {
                    st.execute("CREATE USER \"app\" WITH PASSWORD 'app-secret'");
                }
                try (Connection c = DriverManager.getConnection(url, "app", "app-secret");
                     Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT SQL FROM SYS.SQL_QUERIES_HISTORY")) {
                    while (rs.next())
                        assertFalse(rs.getString(1).contains("app-secret"), rs.getString(1));
                }
            }
            finally {
                Ignition.stop(ig.name(), true);
            }
        }
        finally {
            TestCluster.deleteTree(root);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause())
            sb.append(t.getMessage()).append(" | ");
        return sb.toString();
    }
}
