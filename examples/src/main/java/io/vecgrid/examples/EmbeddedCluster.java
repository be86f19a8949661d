package io.vecgrid.examples;

import io.vecgrid.Vecgrid;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.plugin.VecgridPluginProvider;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.ThinClientConfiguration;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Several vecgrid server nodes in this JVM, on loopback (discovery 47500..47509, thin clients 10800..10809), each
 * with its own data regions and, when given a work root, its own directory of Ignite native persistence under it
 * (named after the node, which is also its consistent id, so that the nodes find their data again when they
 * restart). As the shipped configs, sealed segments have a data region of their own ({@code vecgrid-segments}):
 * with persistence a bounded page cache over the segment files (config/default-config.xml's default size), in memory
 * large enough for every segment chunk the node holds. For examples and the demo; production nodes run as separate
 * processes (scripts/start-node.sh).
 */
public final class EmbeddedCluster implements AutoCloseable {
    private final int n;
    private final long regionBytes;
    private final long segmentsRegionBytes;
    private final VecgridConfiguration vecgrid;
    private final File workRoot;
    private final List<Ignite> nodes = new ArrayList<>();

    /** Size of the segments region with persistence: config/default-config.xml's default (a bounded page cache). */
    public static final long PERSISTENT_SEGMENTS_REGION_BYTES = 64L << 20;

    /** Size of the segments region in memory: config/in-memory-config.xml's default (allocated as needed). */
    public static final long IN_MEMORY_SEGMENTS_REGION_BYTES = 4L << 30;

    /**
     * Starts the nodes and waits until vecgrid serves on all of them (a persistent cluster activates itself first).
     * The segments region takes the shipped configs' default size.
     *
     * @param n number of server nodes.
     * @param regionBytes default off-heap data region (page memory) of each node: rows, locations, metadata.
     * @param vecgrid plugin configuration of every node.
     * @param workRoot directory holding each node's persistent data, or {@code null} to keep everything in memory.
     */
    public EmbeddedCluster(int n, long regionBytes, VecgridConfiguration vecgrid, File workRoot) {
        this(n, regionBytes, workRoot != null ? PERSISTENT_SEGMENTS_REGION_BYTES : IN_MEMORY_SEGMENTS_REGION_BYTES,
            vecgrid, workRoot);
    }

    /** As {@link #EmbeddedCluster(int, long, VecgridConfiguration, File)}, with the segments region's size. */
    public EmbeddedCluster(int n, long regionBytes, long segmentsRegionBytes, VecgridConfiguration vecgrid, File workRoot) {
        this.n = n;
        this.regionBytes = regionBytes;
        this.segmentsRegionBytes = segmentsRegionBytes;
        this.vecgrid = vecgrid;
        this.workRoot = workRoot;
        startAll();
    }

    /** Starts every node (again, after {@link #stopAll()}) and waits until vecgrid serves on each. */
    public void startAll() {
        for (int i = 0; i < n; i++)
            nodes.add(Ignition.start(config(i)));
        for (Ignite ig : nodes)
            awaitServing(ig);
    }

    /** Stops node {@code i} of the running ones gracefully and forgets it. */
    public void stop(int i) {
        Ignite ig = nodes.remove(i);
        Ignition.stop(ig.name(), false);
    }

    /** Stops every node gracefully (a persistent node writes a checkpoint first). */
    public void stopAll() {
        for (Ignite ig : nodes)
            Ignition.stop(ig.name(), false);
        nodes.clear();
    }

    private IgniteConfiguration config(int i) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of("127.0.0.1:47500..47509"));
        DataRegionConfiguration region = new DataRegionConfiguration().setMaxSize(regionBytes)
            .setInitialSize(Math.min(regionBytes, 256L << 20)).setMetricsEnabled(true)
            .setPersistenceEnabled(workRoot != null);
        DataRegionConfiguration segments = new DataRegionConfiguration().setName(vecgrid.getSegmentsDataRegion())
            .setMaxSize(segmentsRegionBytes).setInitialSize(Math.min(segmentsRegionBytes, 64L << 20)).setMetricsEnabled(true)
            .setPersistenceEnabled(workRoot != null);
        IgniteConfiguration cfg = new IgniteConfiguration()
            .setIgniteInstanceName("vecgrid-node-" + i)
            .setWorkDirectory(new File(workRoot != null ? workRoot : new File("work"), "node-" + i).getAbsolutePath())
            .setDiscoverySpi(new TcpDiscoverySpi().setIpFinder(finder).setLocalAddress("127.0.0.1"))
            .setClientConnectorConfiguration(new ClientConnectorConfiguration().setHost("127.0.0.1").setPort(10800)
                .setThinClientConfiguration(new ThinClientConfiguration().setMaxActiveComputeTasksPerConnection(100)))
            .setDataStorageConfiguration(new DataStorageConfiguration().setDefaultDataRegionConfiguration(region)
                .setDataRegionConfigurations(segments).setMetricsEnabled(true))
            .setMetricsLogFrequency(0)
            .setPluginProviders(new VecgridPluginProvider(vecgrid));
        if (workRoot != null)
            cfg.setConsistentId("node-" + i);
        return cfg;
    }

    /** Waits (up to 120 s) until vecgrid serves on {@code ig}: started, caches ready. */
    public static void awaitServing(Ignite ig) {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            Vecgrid vg = Vecgrid.localOrNull(ig);
            if (vg != null && vg.serving())
                return;
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("vecgrid did not start serving on " + ig.name() + " within 120 s");
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public List<Ignite> nodes() {
        return nodes;
    }

    public Ignite node(int i) {
        return nodes.get(i);
    }

    @Override public void close() {
        for (Ignite ig : nodes)
            Ignition.stop(ig.name(), true);
        nodes.clear();
    }
}
