package io.vecgrid.examples;

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
 * with its own data region. For examples and the demo; production nodes run as separate processes
 * (scripts/start-node.sh).
 */
public final class EmbeddedCluster implements AutoCloseable {
    private final List<Ignite> nodes = new ArrayList<>();

    /**
     * @param n number of server nodes.
     * @param regionBytes off-heap data region of each node.
     * @param vecgrid plugin configuration of every node.
     */
    public EmbeddedCluster(int n, long regionBytes, VecgridConfiguration vecgrid) {
        for (int i = 0; i < n; i++) {
            TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
            finder.setAddresses(List.of("127.0.0.1:47500..47509"));
            nodes.add(Ignition.start(new IgniteConfiguration()
                .setIgniteInstanceName("vecgrid-node-" + i)
                .setWorkDirectory(new File("work").getAbsolutePath())
                .setDiscoverySpi(new TcpDiscoverySpi().setIpFinder(finder).setLocalAddress("127.0.0.1"))
                .setClientConnectorConfiguration(new ClientConnectorConfiguration().setHost("127.0.0.1").setPort(10800)
                    .setThinClientConfiguration(new ThinClientConfiguration().setMaxActiveComputeTasksPerConnection(100)))
                .setDataStorageConfiguration(new DataStorageConfiguration().setDefaultDataRegionConfiguration(
                    new DataRegionConfiguration().setMaxSize(regionBytes).setInitialSize(Math.min(regionBytes, 256L << 20))
                        .setMetricsEnabled(true)))
                .setMetricsLogFrequency(0)
                .setPluginProviders(new VecgridPluginProvider(vecgrid))));
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
    }
}
