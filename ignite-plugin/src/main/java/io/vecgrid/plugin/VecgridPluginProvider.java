package io.vecgrid.plugin;

import io.vecgrid.Vecgrid;
import io.vecgrid.config.VecgridConfiguration;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteSystemProperties;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.plugin.CachePluginContext;
import org.apache.ignite.plugin.CachePluginProvider;
import org.apache.ignite.plugin.ExtensionRegistry;
import org.apache.ignite.plugin.PluginContext;
import org.apache.ignite.plugin.PluginProvider;
import org.apache.ignite.plugin.PluginValidationException;

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
    private volatile Thread stopHook;
    private volatile io.vecgrid.http.NodeHttpServer http;

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
        installSqlIndexing();
        try {
            configuration.validate();
            if (!configuration.isKeepLoadedSegmentChunks() && !ctx.igniteConfiguration().isClientMode() &&
                io.vecgrid.cluster.ClusterInfo.persistent(ctx.igniteConfiguration().getDataStorageConfiguration())) {
                throw new IgniteException("vecgrid configuration: keepLoadedSegmentChunks must be true on a node with " +
                    "native persistence (a restarted node loads its segments from their chunks); false is for " +
                    "clusters without persistence");
            }
            ClusterSettings.publish(ctx.igniteConfiguration(), configuration, version());
            // Writes need a majority of the baseline (split brain): Ignite refuses updates of vecgrid's caches without.
            registry.registerExtension(org.apache.ignite.plugin.CacheTopologyValidatorProvider.class,
                new io.vecgrid.cluster.WriteQuorum.Validators(ctx.grid()));
            io.vecgrid.search.SearchRouter.registerExtensions(registry, ctx.grid());
            // Bound before the node joins: a port taken fails the start at once, naming the ports.
            io.vecgrid.metrics.RegistryWalker walker = io.vecgrid.metrics.RegistryWalker.install(ctx.igniteConfiguration());
            http = io.vecgrid.http.NodeHttpServer.bind(ctx.grid(), configuration, () -> walker.registries().iterator());
            if (http != null) {
                ClusterSettings.publishHttp(ctx.igniteConfiguration(), http.url());
                ctx.log(VecgridPluginProvider.class).info("vecgrid: this node's metrics are at " + http.url() +
                    "metrics (Prometheus), its status page at " + http.url());
            }
        }
        catch (IgniteException e) {
            throw new IgniteCheckedException(e.getMessage(), e);
        }
    }

    /**
     * Ignite asks the plugins for some components just before it creates the query processor: vecgrid's H2 indexing
     * is chosen there (again, as close to that moment as a plugin gets, in case another node of this JVM started
     * meanwhile and took the switch). The one component vecgrid provides, on a cluster with authentication, is the
     * security processor ({@link VecgridSecurity}): its {@code authorize} refuses writes to vecgrid's caches that do not
     * come from vecgrid ({@link io.vecgrid.collection.CacheWriteGuard}).
     */
    @SuppressWarnings("unchecked")
    @Override public <T> T createComponent(PluginContext ctx, Class<T> cls) {
        installSqlIndexing();
        if (cls == org.apache.ignite.internal.processors.security.GridSecurityProcessor.class)
            return (T)VecgridSecurity.create(((org.apache.ignite.internal.IgniteEx)ctx.grid()).context());
        return null;
    }

    /**
     * Makes the node's SQL (H2 engine) run DML on collection tables through vecgrid's write path: sets Ignite's
     * switch for the indexing class ({@code GridQueryProcessor.idxCls}, read once when the query processor is
     * created) to {@link io.vecgrid.sql.VecgridH2Indexing}. Without ignite-indexing on the classpath there is no H2
     * engine and nothing to do.
     */
    static void installSqlIndexing() {
        if (!org.apache.ignite.internal.IgniteComponentType.INDEXING.inClassPath())
            return;
        org.apache.ignite.internal.processors.query.GridQueryProcessor.idxCls = io.vecgrid.sql.VecgridH2Indexing.class;
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
        stopHttp();
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
        if (org.apache.ignite.internal.IgniteComponentType.INDEXING.inClassPath() &&
            !(((org.apache.ignite.internal.IgniteEx)ctx.grid()).context().query().getIndexing() instanceof
                io.vecgrid.sql.VecgridH2Indexing)) {
            ctx.log(VecgridPluginProvider.class).warning("vecgrid: this node's SQL engine is not vecgrid's " +
                "(another node of this JVM started at the same moment took the switch): SQL INSERT, MERGE, UPDATE " +
                "and DELETE on collection tables are not carried out through this node; restart it");
        }
        io.vecgrid.sql.SqlEngines.install(ctx.grid());
        Vecgrid vg = new Vecgrid(ctx.grid(), configuration);
        vecgrid = vg;
        plugin.vecgrid(vg);
        Vecgrid.register(vg);
        vg.start();
        io.vecgrid.sql.SqlViews.register(vg);
        installGracefulStopHook();
    }

    /**
     * Ignite's own shutdown hook stops a node with {@code cancel = true} on SIGTERM: running tasks are cancelled and
     * their callers get "Task cancelled due to stopping of the grid", though a write may have been applied. Where the
     * operator turned that hook off ({@code -DIGNITE_NO_SHUTDOWN_HOOK=true}, as {@code scripts/start-node.sh} does),
     * vecgrid installs one that stops the node gracefully instead: drained first (see {@link Vecgrid#drain}), then
     * stopped waiting for its jobs and transactions.
     */
    private void installGracefulStopHook() {
        if (!IgniteSystemProperties.getBoolean(IgniteSystemProperties.IGNITE_NO_SHUTDOWN_HOOK, false))
            return;
        String name = ctx.grid().name();
        Thread hook = new Thread(() -> {
            ctx.log(VecgridPluginProvider.class).info("vecgrid: JVM shutdown, stopping node gracefully");
            Ignition.stop(name, false);
        }, "vecgrid-graceful-stop");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            stopHook = hook;
        }
        catch (IllegalStateException e) {
            // The JVM is already shutting down.
        }
    }

    private void stopHttp() {
        io.vecgrid.http.NodeHttpServer h = http;
        if (h != null) {
            http = null;
            h.stop();
        }
    }

    /** @return this node's HTTP page (metrics, status), or {@code null} if it is off. */
    public io.vecgrid.http.NodeHttpServer http() {
        return http;
    }

    @Override public void onIgniteStop(boolean cancel) {
        stopHttp();
        Vecgrid vg = vecgrid;
        if (vg != null) {
            if (!cancel)
                vg.drain(configuration.getDrainTimeoutMillis());
            Vecgrid.unregister(vg);
            vg.stop();
        }
        Thread hook = stopHook;
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (IllegalStateException e) {
                // The JVM is shutting down: the hook runs (or ran) anyway.
            }
        }
    }

    @Override public Serializable provideDiscoveryData(UUID nodeId) {
        return null;
    }

    @Override public void receiveDiscoveryData(UUID nodeId, Serializable data) {
    }

    /**
     * Refuses a node whose vecgrid version or cluster-wide settings differ from this node's (see
     * {@link ClusterSettings}), with a message naming the setting and both values. On a cluster with authentication a
     * node without vecgrid never gets here: Ignite refuses it first, as its security processor class differs from the
     * cluster's ({@link VecgridSecurity}).
     */
    @Override public void validateNewNode(ClusterNode node) throws PluginValidationException {
        String diff = ClusterSettings.difference(ctx.igniteConfiguration(), node);
        if (diff != null)
            throw new PluginValidationException(diff, diff, node.id());
    }
}
