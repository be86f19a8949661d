package io.vecgrid.plugin;

import io.vecgrid.Vecgrid;
import io.vecgrid.config.VecgridConfiguration;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.plugin.CachePluginContext;
import org.apache.ignite.plugin.CachePluginProvider;
import org.apache.ignite.plugin.ExtensionRegistry;
import org.apache.ignite.plugin.PluginContext;
import org.apache.ignite.plugin.PluginProvider;

import java.io.Serializable;
import java.util.UUID;

/**
 * The vecgrid Ignite plugin. Found through {@code META-INF/services} when its jar is on the classpath, or set as a
 * bean in {@code IgniteConfiguration.pluginProviders} with a {@link VecgridConfiguration} (see
 * {@code config/default-config.xml}). The configuration is validated when the node starts: a bad value fails the
 * start with a message naming the property.
 */
public class VecgridPluginProvider implements PluginProvider<VecgridConfiguration> {
    /**
     * Ignite rebalances a partition from the WAL ("historical" rebalance: only the changes a returning node missed)
     * only when the partition holds more than 500 entries, unless this property is true. A segments partition holds
     * a few large entries, so without it a node that restarts would receive whole segments again instead of loading
     * its own. Set here, when the provider is created (before Ignite reads it), unless the operator set it.
     */
    static final String PREFER_WAL_REBALANCE = "IGNITE_PREFER_WAL_REBALANCE";

    static {
        if (System.getProperty(PREFER_WAL_REBALANCE) == null)
            System.setProperty(PREFER_WAL_REBALANCE, "true");
    }

    private VecgridConfiguration configuration = new VecgridConfiguration();
    private final VecgridPlugin plugin = new VecgridPlugin();
    private PluginContext ctx;
    private volatile Vecgrid vecgrid;

    public VecgridPluginProvider() {
    }

    public VecgridPluginProvider(VecgridConfiguration configuration) {
        setConfiguration(configuration);
    }

    public VecgridConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(VecgridConfiguration configuration) {
        this.configuration = configuration == null ? new VecgridConfiguration() : configuration;
    }

    @Override public String name() {
        return Vecgrid.PLUGIN_NAME;
    }

    @Override public String version() {
        String v = VecgridPluginProvider.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override public String copyright() {
        return "vecgrid authors, Apache License 2.0";
    }

    @SuppressWarnings("unchecked")
    @Override public VecgridPlugin plugin() {
        return plugin;
    }

    @Override public void initExtensions(PluginContext ctx, ExtensionRegistry registry) throws IgniteCheckedException {
        this.ctx = ctx;
        try {
            configuration.validate();
        }
        catch (IgniteException e) {
            throw new IgniteCheckedException(e.getMessage(), e);
        }
    }

    @Override public <T> T createComponent(PluginContext ctx, Class<T> cls) {
        return null;
    }

    @Override public CachePluginProvider createCacheProvider(CachePluginContext ctx) {
        return null;
    }

    @Override public void start(PluginContext ctx) {
        java.util.List<java.io.File> dirs = io.vecgrid.cluster.DiskSpace.dataDirs(ctx.grid());
        if (!dirs.isEmpty())
            ctx.log(VecgridPluginProvider.class).info("vecgrid: this node keeps its data in native persistence under " + dirs.get(0));
    }

    /**
     * Called when the node stops, and also when its start failed. A persistent node that never got as far as joining
     * most often failed because its data directory holds another cluster's data (Ignite then says the node's
     * BaselineTopology is not compatible): say which directory, and what to do.
     */
    @Override public void stop(boolean cancel) {
        if (vecgrid != null || ctx == null)
            return;
        java.util.List<java.io.File> dirs = io.vecgrid.cluster.DiskSpace.dataDirs(ctx.grid());
        if (!dirs.isEmpty()) {
            ctx.log(VecgridPluginProvider.class).error("vecgrid: node failed to start; its data directory is " +
                dirs.get(0) + ". If Ignite reports that the node's BaselineTopology is not compatible with the cluster's, " +
                "that directory holds another cluster's data: start the node with an empty VECGRID_WORK_DIR to join " +
                "this cluster as a new node, or start it with the cluster it belongs to");
        }
    }

    @Override public void onIgniteStart() {
        Vecgrid vg = new Vecgrid(ctx.grid(), configuration);
        vecgrid = vg;
        plugin.vecgrid(vg);
        Vecgrid.register(vg);
        vg.start();
    }

    @Override public void onIgniteStop(boolean cancel) {
        Vecgrid vg = vecgrid;
        if (vg != null) {
            Vecgrid.unregister(vg);
            vg.stop();
        }
    }

    @Override public Serializable provideDiscoveryData(UUID nodeId) {
        return null;
    }

    @Override public void receiveDiscoveryData(UUID nodeId, Serializable data) {
    }

    @Override public void validateNewNode(ClusterNode node) {
    }
}
