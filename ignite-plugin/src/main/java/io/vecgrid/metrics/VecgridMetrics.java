package io.vecgrid.metrics;

import io.vecgrid.segment.SegmentStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.metric.MetricRegistry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The node's {@code vecgrid} metric registry, visible in {@code SYS.METRICS}, JMX and the node's Prometheus page
 * ({@code /metrics}): searches routed by this node, failovers (jobs re-planned onto another copy), reconciliations
 * (segments a shard leader named that the plan missed), takeovers (segments an idle node took from a busy one), writes
 * received, seals, merges and moves this node made, search and write latency histograms, the loaded and loading
 * segments, rows and bytes this node serves, and the search jobs running here. Per-collection gauges are in
 * {@link CollectionMetrics}.
 *
 * <p>It also keeps, for the status page, the latest failovers and takeovers this node saw and the search latency of
 * the last minutes ({@link #latencySeries()}).
 *
 * <p>Registered through Ignite's public metric API only ({@link MetricRegistry}). Thread-safe.
 */
public final class VecgridMetrics {
    /** Registry name. */
    public static final String REGISTRY = "vecgrid";
    /** Latency histogram bounds, ms. */
    private static final long[] LATENCY_BOUNDS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};
    /** Failovers and takeovers kept for the status page. */
    private static final int EVENTS_KEPT = 50;
    /** Latency samples kept for the status page (one per {@link #SAMPLE_MILLIS}: 10 minutes). */
    private static final int SAMPLES_KEPT = 120;
    /** Period of the latency samples, ms. */
    public static final long SAMPLE_MILLIS = 5_000;

    /**
     * Metrics of the {@code vecgrid} registries that only grow (Prometheus counters); the others are gauges. Short
     * names, as registered.
     */
    public static final Set<String> COUNTERS = Set.of("Searches", "SearchFailures", "Failovers", "Reconciliations",
        "Takeovers", "Hedges", "SearchJobsServed", "SearchJobsCancelled", "Writes", "WriteRows", "WriteFailures", "Seals", "SealMillis",
        "SealFailures", "Merges", "MergeMillis", "MergeFailures", "MergeRows", "MergeGraphRows", "Moves", "MoveMillis", "MoveFailures",
        "LayoutFailures", "Recoveries", "TopKSearches", "TopKSharedAnswers", "TopKRemoteFetches");

    private final LongAdder searches = new LongAdder();
    private final LongAdder searchFailures = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder reconciliations = new LongAdder();
    private final LongAdder takeovers = new LongAdder();
    private final LongAdder hedges = new LongAdder();
    private final LongAdder jobsServed = new LongAdder();
    private final LongAdder jobsCancelled = new LongAdder();
    private final AtomicInteger inFlightJobs = new AtomicInteger();
    private final LongAdder mergeRows = new LongAdder();
    private final LongAdder mergeGraphRows = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder writeRows = new LongAdder();
    private final LongAdder writeFailures = new LongAdder();
    private final LongAdder seals = new LongAdder();
    private final LongAdder sealMillis = new LongAdder();
    private final LongAdder sealFailures = new LongAdder();
    private final LongAdder merges = new LongAdder();
    private final LongAdder mergeMillis = new LongAdder();
    private final LongAdder mergeFailures = new LongAdder();
    private final LongAdder moves = new LongAdder();
    private final LongAdder moveMillis = new LongAdder();
    private final LongAdder moveFailures = new LongAdder();
    private final LongAdder recoveries = new LongAdder();
    private final Histogram latency;
    private final Histogram writeLatency;
    private final MetricRegistry registry;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final ArrayDeque<LatencySample> samples = new ArrayDeque<>();
    private long[] lastCounts;
    private long lastSum;

    public VecgridMetrics(Ignite ignite, SegmentStore store, LongSupplier growingRows) {
        MetricRegistry reg = ignite.metrics().getOrCreate(REGISTRY);
        registry = reg;
        reg.register("Searches", searches::sum, "Searches routed by this node.");
        reg.register("SearchFailures", searchFailures::sum, "Searches routed by this node that ended in an error.");
        reg.register("Failovers", failovers::sum, "Search jobs re-planned onto another copy after a failure.");
        reg.register("Reconciliations", reconciliations::sum, "Segments searched because a shard leader named them and the plan missed them.");
        reg.register("Takeovers", takeovers::sum, "Segments an idle node took over from a busy one before they started.");
        reg.register("Hedges", hedges::sum, "Search jobs that passed their deadline and whose work was sent to other copies as well.");
        reg.register("SearchJobsServed", jobsServed::sum, "Search jobs this node executed.");
        reg.register("SearchJobsCancelled", jobsCancelled::sum, "Search jobs this node stopped before their end " +
            "because their search was over (answered by other copies, timed out, or its router left).");
        reg.register("InFlightJobs", inFlightJobs::get, "Search jobs running on this node now.");
        reg.register("LoadedSegments", store::loadedSegments, "Serviceable sealed-segment copies on this node.");
        reg.register("LoadingSegments", store::loadingSegments, "Sealed-segment copies queued or being loaded on this node.");
        reg.register("LoadedRows", store::loadedRows, "Live rows in the serviceable segment copies on this node.");
        reg.register("LoadedBytes", store::loadedBytes, "Heap bytes held by the segment copies on this node (delete " +
            "bitmaps, scalar columns, index objects; not keys, vectors or graphs).");
        reg.register("LoadedOffHeapBytes", store::loadedOffHeapBytes, "Direct memory held by the segment copies on " +
            "this node (their images: keys, vectors, graphs).");
        reg.register("GrowingRows", growingRows, "Growing (not yet sealed) rows of the shards this node is the primary of.");
        reg.register("Writes", writes::sum, "Insert, upsert and delete requests this node received.");
        reg.register("WriteRows", writeRows::sum, "Rows (or primary keys) in the write requests this node carried out.");
        reg.register("WriteFailures", writeFailures::sum, "Write requests this node received that ended in an error.");
        reg.register("Seals", seals::sum, "Segments this node sealed from growing rows.");
        reg.register("SealMillis", sealMillis::sum, "Time this node spent sealing, ms (build, write, publish).");
        reg.register("SealFailures", sealFailures::sum, "Seals this node abandoned (and undid); the rows stay growing.");
        reg.register("Merges", merges::sum, "Segments this node merged (compaction).");
        reg.register("MergeMillis", mergeMillis::sum, "Time this node spent merging, ms (build, write, publish).");
        reg.register("MergeFailures", mergeFailures::sum, "Merges this node abandoned (and undid); the sources serve on.");
        reg.register("MergeRows", mergeRows::sum, "Live rows of the segments this node built by merging.");
        reg.register("MergeGraphRows", mergeGraphRows::sum, "Rows this node's merges inserted into an HNSW graph: a merge " +
            "starts from the graph of its largest source with at most a tenth of its rows deleted and inserts only the others' rows.");
        reg.register("Moves", moves::sum, "Segments this node moved to another slot (balance), bytes copied as they are.");
        reg.register("MoveMillis", moveMillis::sum, "Time this node spent moving segments, ms (copy, load, publish).");
        reg.register("MoveFailures", moveFailures::sum, "Moves this node abandoned (and undid); the sources serve on.");
        reg.register("LayoutFailures", () -> sealFailures.sum() + mergeFailures.sum() + moveFailures.sum(),
            "Seals, merges and moves this node abandoned (and undid).");
        reg.register("Recoveries", recoveries::sum, "Layout operations of dead nodes this node finished or undid.");
        latency = new Histogram(reg, "SearchLatency", LATENCY_BOUNDS_MS, "Latency of searches routed by this node, ms.");
        writeLatency = new Histogram(reg, "WriteLatency", LATENCY_BOUNDS_MS,
            "Latency of the write requests this node received, ms.");
    }

    /** Registers the gauge of under-replicated collections (on the coordinator's node). */
    public void underReplicated(java.util.function.IntSupplier count) {
        registry.register("UnderReplicatedCollections", count, "Collections with fewer copies than replicaNumber " +
            "(reported by the coordinator's node).");
    }

    /** @return the histograms of the {@code vecgrid} registry, by name. */
    public Map<String, Histogram> histograms() {
        return Map.of(latency.name(), latency, writeLatency.name(), writeLatency);
    }

    public void searched(long millis, boolean failed) {
        searches.increment();
        if (failed)
            searchFailures.increment();
        latency.value(millis);
    }

    /** A write request (insert, upsert or delete) of {@code rows} rows ended. */
    public void wrote(int rows, long millis, boolean failed) {
        writes.increment();
        if (failed)
            writeFailures.increment();
        else
            writeRows.add(rows);
        writeLatency.value(millis);
    }

    public void failover(String what) {
        failovers.increment();
        event("failover", what);
    }

    public void reconciled(int n) {
        reconciliations.add(n);
    }

    public void hedged() {
        hedges.increment();
    }

    public void takeover(String what) {
        takeovers.increment();
        event("takeover", what);
    }

    private void event(String kind, String what) {
        synchronized (events) {
            if (events.size() >= EVENTS_KEPT)
                events.removeFirst();
            events.addLast(new Event(System.currentTimeMillis(), kind, what));
        }
    }

    /** @return the latest failovers and takeovers this node's searches made, oldest first. */
    public List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    public void jobStarted() {
        inFlightJobs.incrementAndGet();
    }

    /** @param cancelled whether the job stopped early because its search was over. */
    public void jobFinished(boolean cancelled) {
        inFlightJobs.decrementAndGet();
        jobsServed.increment();
        if (cancelled)
            jobsCancelled.increment();
    }

    /** @return search jobs this node stopped early because their search was over. */
    public long jobsCancelled() {
        return jobsCancelled.sum();
    }

    public void sealed(long millis) {
        seals.increment();
        sealMillis.add(millis);
    }

    public void sealFailed() {
        sealFailures.increment();
    }

    public void merged(long millis) {
        merges.increment();
        mergeMillis.add(millis);
    }

    /** A merge built a segment of {@code rows} live rows, inserting {@code graphRows} of them into its graph. */
    public void mergeBuilt(int rows, int graphRows) {
        mergeRows.add(rows);
        mergeGraphRows.add(graphRows);
    }

    public void mergeFailed() {
        mergeFailures.increment();
    }

    public void moved(long millis) {
        moves.increment();
        moveMillis.add(millis);
    }

    public void moveFailed() {
        moveFailures.increment();
    }

    public void recovered() {
        recoveries.increment();
    }

    /** @return merges and moves this node made (not seals). */
    public int layoutChanges() {
        return (int)(merges.sum() + moves.sum());
    }

    /** @return search jobs this router hedged on other copies after their deadline. */
    public long hedges() {
        return hedges.sum();
    }

    public int inFlightJobs() {
        return inFlightJobs.get();
    }

    /**
     * Takes a sample of the search latency since the previous one (called every {@link #SAMPLE_MILLIS} by the node's
     * upkeep).
     */
    public void sample(long nowMillis) {
        long[] counts = latency.counts();
        long sum = latency.sumMillis();
        synchronized (samples) {
            if (lastCounts != null) {
                long[] d = new long[counts.length];
                long n = 0;
                for (int i = 0; i < d.length; i++) {
                    d[i] = counts[i] - lastCounts[i];
                    n += d[i];
                }
                double mean = n == 0 ? 0 : (double)(sum - lastSum) / n;
                if (samples.size() >= SAMPLES_KEPT)
                    samples.removeFirst();
                samples.addLast(new LatencySample(nowMillis, n, mean, quantile(d, n, 0.95)));
            }
            lastCounts = counts;
            lastSum = sum;
        }
    }

    /** @return upper bound of the bucket holding quantile {@code q} of {@code n} values, ms (the last bound past it). */
    private static long quantile(long[] buckets, long n, double q) {
        if (n == 0)
            return 0;
        long rank = (long)Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            seen += buckets[i];
            if (seen >= rank)
                return i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] * 2;
        }
        return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] * 2;
    }

    /** @return the search latency samples of the last minutes, oldest first. */
    public List<LatencySample> latencySeries() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /** A failover or takeover a search routed by this node made. */
    public static final class Event implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        public final long timeMillis;
        public final String kind;
        public final String what;

        Event(long timeMillis, String kind, String what) {
            this.timeMillis = timeMillis;
            this.kind = kind;
            this.what = what;
        }
    }

    /** Searches routed by this node in one sample period: how many, mean and 95th-percentile latency (bucket bound), ms. */
    public static final class LatencySample implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        public final long timeMillis;
        public final long searches;
        public final double meanMillis;
        public final long p95Millis;

        LatencySample(long timeMillis, long searches, double meanMillis, long p95Millis) {
            this.timeMillis = timeMillis;
            this.searches = searches;
            this.meanMillis = meanMillis;
            this.p95Millis = p95Millis;
        }
    }
}
