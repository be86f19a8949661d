package io.vecgrid;

import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.plugin.VecgridPluginProvider;
import io.vecgrid.shard.LocalPartitions;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.Ignition;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.ThinClientConfiguration;
import org.apache.ignite.failure.StopNodeFailureHandler;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Real Ignite server nodes with the vecgrid plugin, several in this JVM, small (64 MB data region, small pools,
 * {@link StopNodeFailureHandler}) and on a port range of their own so that concurrent test JVMs never join each
 * other. One per test class.
 */
public final class TestCluster implements AutoCloseable {
    private final int discoveryPort;
    private final int clientPort;
    private final String prefix;
    private final Map<String, Ignite> nodes = new LinkedHashMap<>();
    private final Map<String, Consumer<VecgridConfiguration>> tuning = new HashMap<>();
    private long regionBytes = 64L << 20;
    /** Root of the nodes' work directories when the nodes use native persistence; {@code null}: in memory. */
    private java.io.File persistentRoot;
    private Consumer<VecgridConfiguration> defaultTuning = c -> { };
    /** Receives the warnings and errors every node logs from now on, or {@code null}. */
    private Consumer<String> logListener;
    private boolean authentication;
    /** Whether nodes serve their HTTP page (metrics, status) on ports from {@link #httpPort()}. */
    private boolean http;
    /** TLS of discovery, communication and the client connector; {@code null}: none. */
    private org.apache.ignite.ssl.SslContextFactory ssl;
    /** Whether the client connector wants a client certificate (with {@link #ssl}). */
    private boolean sslClientAuth;

    public TestCluster() {
        int base = freePortBase();
        discoveryPort = base;
        clientPort = base + 60;
        prefix = "vg" + base + "-";
    }

    /** Sets the vecgrid configuration tweak of every node started after this call. */
    public TestCluster configure(Consumer<VecgridConfiguration> c) {
        defaultTuning = c;
        return this;
    }

    /**
     * Turns off compaction and balancing (coordinator re-slotting), for tests that count or inspect segments and must
     * not see them rewritten meanwhile.
     */
    public static void noRewrites(VecgridConfiguration c) {
        c.setSmallSegmentRatio(0).setDeletedRatio(1).setBalanceTolerance(100);
    }

    /** Sets the vecgrid configuration tweak of one node. */
    public TestCluster configure(String node, Consumer<VecgridConfiguration> c) {
        tuning.put(node, c);
        return this;
    }

    /**
     * Makes every node started after this call keep its data in Ignite native persistence, in a work directory of its
     * own under {@code root} (named after the node, which is also its consistent id, so a restarted node finds its
     * data), with small WAL segments. The cluster activates itself as the shipped config does (vecgrid's baseline
     * keeper).
     */
    public TestCluster persistent(java.io.File root) {
        persistentRoot = root;
        return this;
    }

    /**
     * As {@link #persistent(java.io.File)}, under a new temporary directory named from {@code prefix} that
     * {@link #close()} deletes.
     */
    public TestCluster persistentTemp(String prefix) {
        try {
            ownedRoot = java.nio.file.Files.createTempDirectory(prefix).toFile();
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return persistent(ownedRoot);
    }

    /** The temporary directory {@link #persistentTemp} made, deleted on close; {@code null} if none. */
    private java.io.File ownedRoot;

    /**
     * Turns on Ignite's built-in authentication on every node started after this call (as config/secure-config.xml
     * does): thin clients and JDBC must log in (superuser {@code ignite}/{@code ignite}); server and thick-client
     * nodes join without credentials. Ignite allows it only with {@link #persistent(java.io.File) persistence}.
     */
    public TestCluster authentication(boolean on) {
        authentication = on;
        return this;
    }

    /**
     * Turns on TLS on every node started after this call, as config/secure-config.xml does: discovery and
     * communication through {@code factory} (Ignite's {@code IgniteConfiguration.sslContextFactory}), and the client
     * connector (thin clients, JDBC) through the same factory, wanting a client certificate when {@code clientAuth}.
     */
    public TestCluster ssl(org.apache.ignite.ssl.SslContextFactory factory, boolean clientAuth) {
        ssl = factory;
        sslClientAuth = clientAuth;
        return this;
    }

    /**
     * Makes every node started after this call serve its HTTP page (metrics, status) on the first free port of
     * {@link #httpPort()}..+9; without it nodes serve none (httpPort 0), so that tests never take the default ports.
     */
    public TestCluster http(boolean on) {
        http = on;
        return this;
    }

    /** @return the first HTTP page port of this cluster's nodes (inside its own port range, see {@link #freePortBase()}). */
    public int httpPort() {
        return discoveryPort + 40;
    }

    /** @return whether nodes keep their data in native persistence. */
    public boolean isPersistent() {
        return persistentRoot != null;
    }

    /** Hands the warnings and errors of every node started after this call to {@code listener}. */
    public TestCluster listenToLogs(Consumer<String> listener) {
        logListener = listener;
        return this;
    }

    public TestCluster regionBytes(long bytes) {
        regionBytes = bytes;
        return this;
    }

    /** @return port of the thin-client connector of the first node. */
    public int clientPort() {
        return clientPort;
    }

    /**
     * @return the first of 80 ports, picked at random in 20000..32079: below Linux's ephemeral range (32768..60999),
     *      where an outgoing connection of any process could hold a port a node of the cluster expects to listen on
     *      (a JDBC test then found its node one port further), and away from Ignite's defaults (47100..48199); free
     *      now: discovery takes base..base+9, communication base+20..base+39, HTTP pages base+40..base+49, thin
     *      clients base+60..base+79. A cluster the developer runs meanwhile (on the default ports) or another test JVM
     *      is never joined.
     */
    public static int freePortBase() {
        for (int i = 0; i < 100; i++) {
            int base = 20000 + ThreadLocalRandom.current().nextInt(600) * 20;
            if (free(base) && free(base + 20) && free(base + 40) && free(base + 60))
                return base;
        }
        throw new IllegalStateException("no free port range");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    public IgniteConfiguration config(String name, boolean client) {
        VecgridConfiguration vcfg = new VecgridConfiguration().setSealCheckMillis(50).setSearchThreads(2)
            .setBaselineJoinDelayMillis(200).setHttpPort(http ? httpPort() : 0).setHttpPortRange(10);
        defaultTuning.accept(vcfg);
        tuning.getOrDefault(name, c -> { }).accept(vcfg);
        return config(name, client, vcfg);
    }

    public IgniteConfiguration config(String name, boolean client, VecgridConfiguration vcfg) {
        DataRegionConfiguration region = new DataRegionConfiguration()
            .setInitialSize(Math.min(regionBytes, 32L << 20)).setMaxSize(regionBytes);
        DataStorageConfiguration storage = new DataStorageConfiguration().setDefaultDataRegionConfiguration(region);
        String work = new java.io.File("target/ignite-work").getAbsolutePath();
        if (persistentRoot != null && !client) {
            region.setPersistenceEnabled(true);
            // Sealed segments in a small region of their own, as the shipped config: a bounded cache over the files.
            storage.setDataRegionConfigurations(new DataRegionConfiguration().setName("vecgrid-segments")
                .setPersistenceEnabled(true).setInitialSize(16L << 20).setMaxSize(48L << 20));
            // A WAL record holds a whole entry: segments bigger than the tests' largest segment entry.
            storage.setWalSegmentSize(16 << 20).setWalSegments(2).setMaxWalArchiveSize(256L << 20)
                .setCheckpointFrequency(5_000);
            work = new java.io.File(persistentRoot, name).getAbsolutePath();
        }
        IgniteConfiguration cfg = onPorts(new IgniteConfiguration(), discoveryPort);
        if (persistentRoot != null)
            cfg.setConsistentId(name);
        return cfg
            // Every node, thick clients too: Ignite refuses a node whose security setting differs from the cluster's.
            .setAuthenticationEnabled(authentication)
            .setIgniteInstanceName(prefix + name)
            .setWorkDirectory(work)
            .setClientMode(client)
            .setGridLogger(logListener == null ? logger() : new ListeningLogger(logger(), logListener))
            .setFailureHandler(new StopNodeFailureHandler())
            .setFailureDetectionTimeout(5000)
            .setClientFailureDetectionTimeout(5000)
            .setNetworkTimeout(5000)
            .setMetricsLogFrequency(0)
            .setPublicThreadPoolSize(2)
            .setSystemThreadPoolSize(2)
            .setQueryThreadPoolSize(2)
            .setServiceThreadPoolSize(2)
            .setStripedPoolSize(2)
            .setDataStreamerThreadPoolSize(1)
            .setManagementThreadPoolSize(1)
            .setUtilityCachePoolSize(2)
            .setAsyncCallbackPoolSize(2)
            .setRebalanceThreadPoolSize(1)
            .setPeerClassLoadingEnabled(false)
            .setSslContextFactory(ssl)
            .setClientConnectorConfiguration(new ClientConnectorConfiguration()
                .setPort(clientPort).setPortRange(20).setHost("127.0.0.1")
                .setSslEnabled(ssl != null).setUseIgniteSslContextFactory(true)
                .setSslClientAuth(ssl != null && sslClientAuth)
                .setThinClientConfiguration(new ThinClientConfiguration().setMaxActiveComputeTasksPerConnection(16)))
            .setDataStorageConfiguration(storage)
            .setPluginProviders(new VecgridPluginProvider(vcfg));
    }

    /** @return the discovery addresses of a cluster on the ports from {@code base} (see {@link #freePortBase()}). */
    public static String discoveryAddresses(int base) {
        return "127.0.0.1:" + base + ".." + (base + 9);
    }

    /** Puts discovery and communication of {@code cfg} on loopback, on the ports from {@code base}. */
    public static IgniteConfiguration onPorts(IgniteConfiguration cfg, int base) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of(discoveryAddresses(base)));
        TcpDiscoverySpi disco = new TcpDiscoverySpi();
        disco.setIpFinder(finder);
        disco.setLocalAddress("127.0.0.1");
        disco.setLocalPort(base);
        disco.setLocalPortRange(10);
        TcpCommunicationSpi comm = new TcpCommunicationSpi();
        comm.setLocalAddress("127.0.0.1");
        comm.setLocalPort(base + 20);
        comm.setLocalPortRange(20);
        return cfg.setDiscoverySpi(disco).setCommunicationSpi(comm);
    }

    private static org.apache.ignite.IgniteLogger logger() {
        try {
            return new org.apache.ignite.logger.log4j2.Log4J2Logger(TestCluster.class.getResource("/log4j2-test.xml"));
        }
        catch (org.apache.ignite.IgniteCheckedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a server node and, on a persistent cluster, waits until vecgrid serves on it (the cluster is active). */
    public Ignite start(String name) {
        Ignite ig = Ignition.start(config(name, false));
        nodes.put(name, ig);
        awaitServing(ig);
        return ig;
    }

    /**
     * Starts a server node the cluster is expected to refuse at join.
     *
     * @return what the start threw.
     * @throws AssertionError if the node started.
     */
    public Exception startRefused(String name) {
        return startRefused(config(name, false));
    }

    /**
     * Starts a node from {@code cfg} that the cluster is expected to refuse at join. Its discovery network timeout is
     * made short: a refused node rolls its start back by stopping, and a stopping node waits that long (5 s in these
     * tests) for the cluster to acknowledge that it left, which never comes for a node that never joined.
     *
     * @return what the start threw.
     * @throws AssertionError if the node started.
     */
    public static Exception startRefused(IgniteConfiguration cfg) {
        ((TcpDiscoverySpi)cfg.getDiscoverySpi()).setNetworkTimeout(300);
        try {
            Ignite ig = Ignition.start(cfg);
            ig.close();
        }
        catch (Exception e) {
            return e;
        }
        throw new AssertionError("node " + cfg.getIgniteInstanceName() + " started; it should have been refused");
    }

    /** Starts a server node without waiting for the cluster to turn active (a persistent node after a full stop). */
    public Ignite startNoWait(String name) {
        Ignite ig = Ignition.start(config(name, false));
        nodes.put(name, ig);
        return ig;
    }

    /** Waits until vecgrid serves on the node (the cluster is active and vecgrid's caches are ready). */
    public static void awaitServing(Ignite ig) {
        awaitTrue("vecgrid to serve on " + ig.name(), () -> {
            Vecgrid vg = Vecgrid.localOrNull(ig);
            return vg != null && vg.serving();
        }, 60_000);
    }

    /**
     * Waits until every running server node is in the baseline (a persistent cluster adds joiners after a quiet
     * period): only then do they hold data.
     */
    public void awaitBaseline() {
        if (persistentRoot == null)
            return;
        awaitTrue("every server in the baseline", () -> {
            java.util.Collection<org.apache.ignite.cluster.BaselineNode> blt = any().cluster().currentBaselineTopology();
            if (blt == null)
                return false;
            java.util.Set<Object> ids = new java.util.HashSet<>();
            blt.forEach(n -> ids.add(n.consistentId()));
            for (Ignite ig : servers()) {
                if (!ids.contains(ig.cluster().localNode().consistentId()))
                    return false;
            }
            return true;
        }, 60_000);
    }

    public Ignite startClient(String name) {
        Ignite ig = Ignition.start(config(name, true));
        nodes.put(name, ig);
        return ig;
    }

    /** Starts {@code n} server nodes named s0..s(n-1) (on a persistent cluster: all in the baseline). */
    public TestCluster startServers(int n) {
        for (int i = 0; i < n; i++)
            start("s" + i);
        awaitBaseline();
        return this;
    }

    public Ignite node(String name) {
        Ignite ig = nodes.get(name);
        if (ig == null)
            throw new IllegalArgumentException("no node " + name);
        return ig;
    }

    public List<Ignite> servers() {
        List<Ignite> res = new ArrayList<>();
        for (Ignite ig : nodes.values()) {
            // From the configuration: the public API throws on a thick client that is reconnecting.
            if (!Boolean.TRUE.equals(ig.configuration().isClientMode()))
                res.add(ig);
        }
        return res;
    }

    public Ignite any() {
        return servers().get(0);
    }

    public String instanceName(String name) {
        return prefix + name;
    }

    /** @return this cluster's name (as {@link #node} takes it) of the running server with id {@code node}. */
    public String nameOf(java.util.UUID node) {
        for (Ignite ig : servers()) {
            if (ig.cluster().localNode().id().equals(node))
                return ig.name().substring(prefix.length());
        }
        throw new AssertionError("no running node " + node);
    }

    /** Stops a node gracefully (waits for its jobs). */
    public void stop(String name) {
        nodes.remove(name);
        Ignition.stop(prefix + name, false);
    }

    /**
     * Simulates a crash: the node stops answering discovery at once (the others see it fail, without a graceful
     * leave), then its resources are released.
     */
    public void crash(String name) {
        Ignite ig = nodes.remove(name);
        ((TcpDiscoverySpi)ig.configuration().getDiscoverySpi()).simulateNodeFailure();
        Ignition.stop(prefix + name, true);
    }

    /**
     * If thick client {@code client} is disconnected (its discovery router left before it could move to another
     * server: Ignite then makes it join again as a new node), waits until it has reconnected.
     *
     * @param failure what a call through it threw, or {@code null}.
     * @return whether it was disconnected, by {@code failure} or its state.
     */
    public static boolean awaitReconnected(Ignite client, Throwable failure) {
        if (!disconnectedBy(failure) && !disconnected(client))
            return false;
        awaitTrue("client " + client.name() + " to reconnect", () -> !disconnected(client), 60_000);
        return true;
    }

    private static boolean disconnected(Ignite client) {
        return ((org.apache.ignite.internal.IgniteEx)client).context().clientDisconnected();
    }

    /** @return whether {@code failure} (or a cause of it) says a thick client is disconnected. */
    private static boolean disconnectedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.ignite.IgniteClientDisconnectedException)
                return true;
        }
        return false;
    }

    /** Waits until every partition of {@code cache} has {@code copies} owners, each holding it OWNING. */
    public void awaitCopies(String cache, int copies) {
        awaitTrue("cache " + cache + " to have " + copies + " OWNING copies of every partition", () -> {
            Ignite any = any();
            Affinity<Object> aff = any.affinity(cache);
            for (int p = 0; p < aff.partitions(); p++) {
                List<ClusterNode> owners = List.copyOf(aff.mapPartitionToPrimaryAndBackups(p));
                if (owners.size() != copies)
                    return false;
                for (ClusterNode n : owners) {
                    Ignite ig = byId(n);
                    if (ig == null)
                        return false;
                    if (LocalPartitions.owning(ig, cache, p) == null)
                        return false;
                }
            }
            return true;
        }, 60_000);
    }

    public Ignite byId(ClusterNode n) {
        for (Ignite ig : nodes.values()) {
            if (ig.cluster().localNode().id().equals(n.id()))
                return ig;
        }
        return null;
    }

    public static void awaitTrue(String what, BooleanSupplier cond, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!holds(cond)) {
            if (System.currentTimeMillis() > deadline)
                throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * @return {@code cond}'s answer; {@code false} while it throws because a thick client it reads through is
     *     reconnecting (see {@link #awaitReconnected}), which answers again once it has.
     */
    private static boolean holds(BooleanSupplier cond) {
        try {
            return cond.getAsBoolean();
        }
        catch (RuntimeException e) {
            if (disconnectedBy(e))
                return false;
            throw e;
        }
    }

    /** @return number of entries of {@code cache} this node holds (primary and backup). */
    public static long localSize(Ignite ig, String cache) {
        IgniteCache<Object, Object> c = ig.cache(cache);
        return c.localSizeLong(org.apache.ignite.cache.CachePeekMode.PRIMARY, org.apache.ignite.cache.CachePeekMode.BACKUP);
    }

    /** Deletes a directory tree (a persistent cluster's work directories); quiet about what it cannot delete. */
    public static void deleteTree(java.io.File dir) {
        if (dir == null || !dir.exists())
            return;
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(dir.toPath())) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (IOException ignored) {
            // Left for the OS to clean up.
        }
    }

    @Override public void close() {
        for (String n : new ArrayList<>(nodes.keySet())) {
            try {
                Ignition.stop(prefix + n, true);
            }
            catch (RuntimeException ignored) {
                // Already stopped by a failure handler.
            }
        }
        nodes.clear();
        if (ownedRoot != null)
            deleteTree(ownedRoot);
    }
}
