package io.vecgrid.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.ignite.spi.metric.BooleanMetric;
import org.apache.ignite.spi.metric.DoubleMetric;
import org.apache.ignite.spi.metric.HistogramMetric;
import org.apache.ignite.spi.metric.IntMetric;
import org.apache.ignite.spi.metric.LongMetric;
import org.apache.ignite.spi.metric.Metric;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The node's metrics in Prometheus text format: every registry of Ignite's metric manager, walked through Ignite's
 * public metric API (the {@link org.apache.ignite.spi.metric.ReadOnlyMetricManager} Ignite hands its metric exporters,
 * see {@link RegistryWalker}; {@link ReadOnlyMetricRegistry}, {@link LongMetric}, {@link HistogramMetric}, ...), written by
 * the Prometheus client library's text format writer.
 *
 * <p>Names: {@code vecgrid} registries become {@code vecgrid_<metric>} with the metric's name in snake case
 * ({@code Searches} is {@code vecgrid_searches_total}); a collection's registry becomes
 * {@code vecgrid_collection_<metric>{collection="..."}} and a shard's {@code vecgrid_shard_<metric>{collection, shard}};
 * Ignite's registries become {@code ignite_<registry>_<metric>}, with the cache, cache group, data region or thread
 * pool as a label where the registry names one. vecgrid's counters are Prometheus counters, vecgrid's and Ignite's
 * histograms are histograms (in ms for vecgrid), everything else is a gauge; booleans are 0 or 1, text metrics are
 * left out.
 */
public final class PrometheusExport {
    /** Ignite registry prefixes whose rest is a label, with the label and the metric family. */
    private static final String[][] LABELLED = {
        {"cache.", "cache", "ignite_cache"},
        {"cacheGroups.", "group", "ignite_cache_group"},
        {"io.dataregion.", "region", "ignite_io_dataregion"},
        {"threadPools.", "pool", "ignite_thread_pool"},
    };

    /** Prefix Ignite gives the registries made through its public API. */
    private static final String CUSTOM = "custom.";

    private final Iterable<ReadOnlyMetricRegistry> registries;
    private final Supplier<VecgridMetrics> vecgrid;

    /**
     * @param registries every metric registry of the node ({@link RegistryWalker#registries()}).
     * @param vecgrid this node's vecgrid metrics (for their histograms), or {@code null} while the node starts.
     */
    public PrometheusExport(Iterable<ReadOnlyMetricRegistry> registries, Supplier<VecgridMetrics> vecgrid) {
        this.registries = registries;
        this.vecgrid = vecgrid;
    }

    /** @return the content type of {@link #write}. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Writes every metric of this node. */
    public void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, snapshots());
    }

    /** @return every metric of this node. */
    public MetricSnapshots snapshots() {
        Families fams = new Families();
        VecgridMetrics vm = vecgrid.get();
        Map<String, Histogram> own = vm == null ? Map.of() : vm.histograms();
        for (ReadOnlyMetricRegistry reg : registries) {
            String fullName = reg.name();
            // Registries made through IgniteMetrics are named "custom.<name>".
            String regName = fullName.startsWith(CUSTOM) ? fullName.substring(CUSTOM.length()) : fullName;
            String family;
            Labels labels;
            boolean ours = regName.equals(VecgridMetrics.REGISTRY) || regName.startsWith(VecgridMetrics.REGISTRY + ".");
            if (regName.startsWith(CollectionMetrics.PREFIX)) {
                String rest = regName.substring(CollectionMetrics.PREFIX.length());
                int dot = rest.indexOf(".shard.");
                if (dot >= 0) {
                    family = "vecgrid_shard";
                    labels = Labels.of("collection", rest.substring(0, dot), "shard", rest.substring(dot + 7));
                }
                else {
                    family = "vecgrid_collection";
                    labels = Labels.of("collection", rest);
                }
            }
            else if (ours) {
                family = snake(regName);
                labels = Labels.EMPTY;
            }
            else {
                family = null;
                labels = Labels.EMPTY;
                for (String[] l : LABELLED) {
                    if (regName.startsWith(l[0]) && regName.length() > l[0].length()) {
                        family = l[2];
                        labels = Labels.of(l[1], regName.substring(l[0].length()));
                        break;
                    }
                }
                if (family == null)
                    family = "ignite_" + snake(regName);
            }
            boolean vecgridRoot = regName.equals(VecgridMetrics.REGISTRY);
            for (Metric m : reg) {
                String shortName = m.name().startsWith(fullName + '.') ? m.name().substring(fullName.length() + 1) : m.name();
                if (vecgridRoot && owned(own, shortName))
                    continue;
                String name = family + '_' + snake(shortName);
                String help = m.description();
                if (m instanceof HistogramMetric) {
                    HistogramMetric h = (HistogramMetric)m;
                    fams.histogram(name, help, labels, h.bounds(), h.value(), Double.NaN);
                }
                else if (m instanceof LongMetric)
                    fams.number(name, help, labels, ((LongMetric)m).value(), ours && VecgridMetrics.COUNTERS.contains(shortName));
                else if (m instanceof IntMetric)
                    fams.number(name, help, labels, ((IntMetric)m).value(), ours && VecgridMetrics.COUNTERS.contains(shortName));
                else if (m instanceof DoubleMetric)
                    fams.number(name, help, labels, ((DoubleMetric)m).value(), false);
                else if (m instanceof BooleanMetric)
                    fams.number(name, help, labels, ((BooleanMetric)m).value() ? 1 : 0, false);
            }
            if (vecgridRoot) {
                for (Histogram h : own.values())
                    fams.histogram(family + '_' + snake(h.name()) + "_ms", h.description(), labels, h.bounds(),
                        h.counts(), h.sumMillis());
            }
        }
        return fams.build();
    }

    private static boolean owned(Map<String, Histogram> own, String metric) {
        for (Histogram h : own.values()) {
            if (h.owns(metric))
                return true;
        }
        return false;
    }

    /** @return a Prometheus metric name part: {@code CamelCase} and dotted names in snake case. */
    static String snake(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLower = i > 0 && (Character.isLowerCase(s.charAt(i - 1)) || Character.isDigit(s.charAt(i - 1)));
                boolean nextLower = i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1)) && i > 0 &&
                    Character.isUpperCase(s.charAt(i - 1));
                if ((prevLower || nextLower) && b.length() > 0 && b.charAt(b.length() - 1) != '_')
                    b.append('_');
                b.append(Character.toLowerCase(c));
            }
            else if (Character.isLetterOrDigit(c) && c < 128)
                b.append(c);
            else if (b.length() > 0 && b.charAt(b.length() - 1) != '_')
                b.append('_');
        }
        return b.length() == 0 ? "x" : b.toString();
    }

    /** Metric families being built: one per name, data points with distinct labels. */
    private static final class Families {
        private static final List<String> RESERVED = List.of("_total", "_bucket", "_created", "_info");
        /** Names the format writes for a histogram besides its own. */
        private static final List<String> SUFFIXES = List.of("_total", "_bucket", "_count", "_sum", "_created", "_info");

        private final Map<String, Family> byName = new LinkedHashMap<>();

        void number(String name, String help, Labels labels, double value, boolean counter) {
            if (counter && name.endsWith("_total"))
                name = name.substring(0, name.length() - 6);
            Family f = family(name, help, counter ? Kind.COUNTER : Kind.GAUGE);
            if (f == null || !f.labels.add(labels))
                return;
            if (counter)
                f.counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build());
            else
                f.gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
        }

        /** @param counts per bucket, not cumulative, one more than {@code bounds} (the overflow bucket). */
        void histogram(String name, String help, Labels labels, long[] bounds, long[] counts, double sum) {
            if (counts == null || counts.length != bounds.length + 1)
                return;
            Family f = family(name, help, Kind.HISTOGRAM);
            if (f == null || !f.labels.add(labels))
                return;
            double[] upper = new double[bounds.length + 1];
            for (int i = 0; i < bounds.length; i++)
                upper[i] = bounds[i];
            upper[bounds.length] = Double.POSITIVE_INFINITY;
            HistogramSnapshot.HistogramDataPointSnapshot.Builder p = HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts)).labels(labels);
            if (!Double.isNaN(sum))
                p.sum(sum);
            f.histogram.dataPoint(p.build());
        }

        /** @return the family of that name and kind, or {@code null} if the name is taken by another kind. */
        private Family family(String name, String help, Kind kind) {
            // Names must not end with a suffix the format adds: Ignite's "...Total" gauges become "..._total_value".
            for (String suffix : RESERVED) {
                if (name.endsWith(suffix))
                    name = name + "_value";
            }
            Family f = byName.get(name);
            if (f == null) {
                // A histogram's samples are its name with a suffix (_bucket, _count, _sum): no other family may have
                // such a name, and a counter's samples end with _total.
                for (String suffix : SUFFIXES) {
                    Family base = name.endsWith(suffix) ? byName.get(name.substring(0, name.length() - suffix.length())) : null;
                    if (base != null && (base.kind == Kind.HISTOGRAM || base.kind == Kind.COUNTER))
                        return null;
                    Family ext = byName.get(name + suffix);
                    if (ext != null && (kind == Kind.HISTOGRAM || kind == Kind.COUNTER))
                        return null;
                }
                f = new Family(kind, name, help);
                byName.put(name, f);
            }
            return f.kind == kind ? f : null;
        }

        MetricSnapshots build() {
            List<MetricSnapshot> res = new ArrayList<>(byName.size());
            for (Family f : byName.values()) {
                if (!f.labels.isEmpty())
                    res.add(f.kind == Kind.COUNTER ? f.counter.build() : f.kind == Kind.GAUGE ? f.gauge.build() : f.histogram.build());
            }
            return new MetricSnapshots(res);
        }
    }

    private enum Kind { COUNTER, GAUGE, HISTOGRAM }

    private static final class Family {
        final Kind kind;
        final Set<Labels> labels = new HashSet<>();
        final CounterSnapshot.Builder counter;
        final GaugeSnapshot.Builder gauge;
        final HistogramSnapshot.Builder histogram;

        Family(Kind kind, String name, String help) {
            this.kind = kind;
            String h = help == null || help.isEmpty() ? null : help;
            counter = kind == Kind.COUNTER ? CounterSnapshot.builder().name(name).help(h) : null;
            gauge = kind == Kind.GAUGE ? GaugeSnapshot.builder().name(name).help(h) : null;
            histogram = kind == Kind.HISTOGRAM ? HistogramSnapshot.builder().name(name).help(h) : null;
        }
    }
}
