package io.vecgrid.metrics;

import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.IgniteSpiAdapter;
import org.apache.ignite.spi.IgniteSpiException;
import org.apache.ignite.spi.metric.MetricExporterSpi;
import org.apache.ignite.spi.metric.ReadOnlyMetricManager;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A metric exporter SPI that exports nothing by itself: it keeps the {@link ReadOnlyMetricManager} Ignite hands its
 * exporters, the public way to walk every metric registry of the node (Ignite's own and vecgrid's), for the node's
 * Prometheus page. The plugin adds it to the node's exporters before the node starts its metric manager.
 */
public final class RegistryWalker extends IgniteSpiAdapter implements MetricExporterSpi {
    private volatile ReadOnlyMetricManager registries;

    /** Adds a walker to the node's metric exporters. @return it. */
    public static RegistryWalker install(IgniteConfiguration cfg) {
        MetricExporterSpi[] cur = cfg.getMetricExporterSpi();
        for (MetricExporterSpi s : cur == null ? new MetricExporterSpi[0] : cur) {
            if (s instanceof RegistryWalker)
                return (RegistryWalker)s;
        }
        RegistryWalker w = new RegistryWalker();
        MetricExporterSpi[] res = cur == null ? new MetricExporterSpi[1] : Arrays.copyOf(cur, cur.length + 1);
        res[res.length - 1] = w;
        cfg.setMetricExporterSpi(res);
        return w;
    }

    /** @return every metric registry of the node, or none before the node started its metric manager. */
    public Iterable<ReadOnlyMetricRegistry> registries() {
        ReadOnlyMetricManager m = registries;
        return m == null ? List.of() : m;
    }

    @Override public void setMetricRegistry(ReadOnlyMetricManager registries) {
        this.registries = registries;
    }

    @Override public void setExportFilter(Predicate<ReadOnlyMetricRegistry> filter) {
        // The page shows every registry.
    }

    @Override public void spiStart(String igniteInstanceName) throws IgniteSpiException {
    }

    @Override public void spiStop() throws IgniteSpiException {
    }
}
