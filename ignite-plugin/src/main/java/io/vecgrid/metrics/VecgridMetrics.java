package io.vecgrid.metrics;

import io.vecgrid.segment.SegmentStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.internal.processors.metric.MetricRegistryImpl;
import org.apache.ignite.internal.processors.metric.impl.HistogramMetricImpl;
import org.apache.ignite.metric.MetricRegistry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's {@code vecgrid} metric registry, visible in {@code SYS.METRICS} and JMX: searches routed by this node,
 * failovers (jobs re-planned onto another copy), reconciliations (segments a shard leader named that the plan
 * missed), takeovers (segments an idle node took from a busy one), a search latency histogram, the loaded segments,
 * rows and bytes this node serves, and the search jobs running here.
 *
 * <p>Thread-safe.
 */
public final class VecgridMetrics {
    /** Registry name. */
    public static final String REGISTRY = "vecgrid";
    /** Latency histogram bounds, ms. */
    private static final long[] LATENCY_BOUNDS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

    private final LongAdder searches = new LongAdder();
    private final LongAdder searchFailures = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder reconciliations = new LongAdder();
    private final LongAdder takeovers = new LongAdder();
    private final LongAdder hedges = new LongAdder();
    private final LongAdder jobsServed = new LongAdder();
    private final AtomicInteger inFlightJobs = new AtomicInteger();
    private final LongAdder seals = new LongAdder();
    private final LongAdder sealMillis = new LongAdder();
    private final LongAdder merges = new LongAdder();
    private final LongAdder mergeMillis = new LongAdder();
    private final LongAdder moves = new LongAdder();
    private final LongAdder layoutFailures = new LongAdder();
    private final LongAdder recoveries = new LongAdder();
    private final HistogramMetricImpl latency;
    private final MetricRegistry registry;

    public VecgridMetrics(Ignite ignite, SegmentStore store) {
        MetricRegistry reg = ignite.metrics().getOrCreate(REGISTRY);
        registry = reg;
        reg.register("Searches", searches::sum, "Searches routed by this node.");
        reg.register("SearchFailures", searchFailures::sum, "Searches routed by this node that ended in an error.");
        reg.register("Failovers", failovers::sum, "Search jobs re-planned onto another copy after a failure.");
        reg.register("Reconciliations", reconciliations::sum, "Segments searched because a shard leader named them and the plan missed them.");
        reg.register("Takeovers", takeovers::sum, "Segments an idle node took over from a busy one before they started.");
        reg.register("Hedges", hedges::sum, "Search jobs that passed their deadline and whose work was sent to other copies as well.");
        reg.register("SearchJobsServed", jobsServed::sum, "Search jobs this node executed.");
        reg.register("InFlightJobs", inFlightJobs::get, "Search jobs running on this node now.");
        reg.register("LoadedSegments", store::loadedSegments, "Serviceable sealed-segment copies on this node.");
        reg.register("LoadedRows", store::loadedRows, "Live rows in the serviceable segment copies on this node.");
        reg.register("LoadedBytes", store::loadedBytes, "Heap bytes held by the segment copies on this node (delete " +
            "bitmaps, scalar columns, index objects; not keys, vectors or graphs).");
        reg.register("LoadedOffHeapBytes", store::loadedOffHeapBytes, "Direct memory held by the segment copies on " +
            "this node (their images: keys, vectors, graphs).");
        reg.register("Seals", seals::sum, "Segments this node sealed from growing rows.");
        reg.register("SealMillis", sealMillis::sum, "Time this node spent sealing, ms (build, write, publish).");
        reg.register("Merges", merges::sum, "Segments this node merged (compaction).");
        reg.register("MergeMillis", mergeMillis::sum, "Time this node spent merging, ms (build, write, publish).");
        reg.register("Moves", moves::sum, "Segments this node moved to another slot (balance), bytes copied as they are.");
        reg.register("LayoutFailures", layoutFailures::sum, "Seals, merges and moves this node abandoned (and undid).");
        reg.register("Recoveries", recoveries::sum, "Layout operations of dead nodes this node finished or undid.");
        latency = ((MetricRegistryImpl)reg).histogram("SearchLatency", LATENCY_BOUNDS_MS,
            "Latency of searches routed by this node, ms.");
    }

    /** Registers the gauge of under-replicated collections (on the coordinator's node). */
    public void underReplicated(java.util.function.IntSupplier count) {
        registry.register("UnderReplicatedCollections", count, "Collections with fewer copies than replicaNumber " +
            "(reported by the coordinator's node).");
    }

    public void searched(long millis, boolean failed) {
        searches.increment();
        if (failed)
            searchFailures.increment();
        latency.value(millis);
    }

    public void failover() {
        failovers.increment();
    }

    public void reconciled(int n) {
        reconciliations.add(n);
    }

    public void hedged() {
        hedges.increment();
    }

    public void takeover() {
        takeovers.increment();
    }

    public void jobStarted() {
        inFlightJobs.incrementAndGet();
    }

    public void jobFinished() {
        inFlightJobs.decrementAndGet();
        jobsServed.increment();
    }

    public void sealed(long millis) {
        seals.increment();
        sealMillis.add(millis);
    }

    public void merged(long millis) {
        merges.increment();
        mergeMillis.add(millis);
    }

    public void moved() {
        moves.increment();
    }

    public void layoutFailed() {
        layoutFailures.increment();
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
}
