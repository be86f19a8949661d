package io.vecgrid.search;

import io.vecgrid.api.SearchDiagnostics;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.SegmentUnavailableException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeJobResultPolicy;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.compute.ComputeTaskContinuousMapper;
import org.apache.ignite.resources.TaskContinuousMapperResource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One search, run on the router node. All scheduling happens here, under the task's lock:
 * <ul>
 *   <li><b>Plan</b>: every sealed segment of the target goes to one node holding a serviceable copy, the one with
 *   the least work (rows already planned there, plus the jobs it reports running, weighted by its latency); each
 *   shard's growing rows go to one leader (an OWNING owner of the shard's partition).</li>
 *   <li><b>Dispatch</b> through the continuous mapper, at most {@value #DEPTH} segment jobs in flight per node; the
 *   rest wait in the node's queue here, not started.</li>
 *   <li><b>Enhancement</b>: a node that finished and has nothing queued takes a not-yet-started segment from the
 *   longest queue of another node, if it holds a serviceable copy. Nothing runs twice.</li>
 *   <li><b>Failover</b>: a failed job (node left, error) or a copy that was not serviceable has its work re-planned
 *   at once onto another copy, never the failed node; the routing cache is refreshed. A segment left with no copy
 *   is skipped only if the current target no longer holds it (compacted: the shard's new segments are added);
 *   otherwise the search fails with {@link SegmentUnavailableException}, or, with allowPartial, reports it missing.</li>
 *   <li><b>Reconciliation</b>: a shard leader returns the shard's segments as its own target names them; any the
 *   plan lacks are searched before the result returns.</li>
 * </ul>
 */
final class SearchTask extends ComputeTaskAdapter<Object, SearchResult> {
    private static final long serialVersionUID = 1L;

    /** Segment jobs in flight per node: two keep a node busy across a round trip, the rest stay movable. */
    static final int DEPTH = 2;

    /** Reported latencies within this ratio of the fastest candidate's are treated as equal. */
    private static final double LATENCY_NOISE = 1.5;

    /**
     * Reported latencies below this (µs) are treated as equal: a segment job's round trip costs about as much, so
     * differences below it are noise, not a slow node.
     */
    private static final double LATENCY_FLOOR_MICROS = 1000;

    private final transient SearchRouter router;
    private final transient SearchContext ctx;
    private final transient HitMerger merger;

    @TaskContinuousMapperResource
    private transient ComputeTaskContinuousMapper mapper;

    private final transient Map<UUID, Deque<SegmentRef>> queues = new LinkedHashMap<>();
    private final transient Map<UUID, Integer> running = new HashMap<>();
    private final transient Map<UUID, Long> plannedRows = new HashMap<>();
    private final transient Set<UUID> failedNodes = new HashSet<>();
    private final transient Map<Long, Set<UUID>> triedSegment = new HashMap<>();
    private final transient Map<Integer, Set<UUID>> triedShard = new HashMap<>();
    private final transient Map<Long, SegmentRef> planned = new HashMap<>();
    private final transient Set<Long> searchedSegments = new HashSet<>();
    private final transient Map<Long, UUID> segmentNodes = new HashMap<>();
    private final transient Map<Integer, UUID> growingNodes = new HashMap<>();
    private final transient List<Long> takenOver = new ArrayList<>();
    private final transient List<Long> reconciled = new ArrayList<>();
    private final transient List<String> events = new ArrayList<>();
    private final transient List<String> missing = new ArrayList<>();
    private transient RoutingTable table;
    private transient int retries;

    SearchTask(SearchRouter router, SearchContext ctx) {
        this.router = router;
        this.ctx = ctx;
        List<String> scalars = new ArrayList<>();
        for (String f : ctx.outputFields) {
            if (ctx.meta.spec().scalarIndex(f) >= 0)
                scalars.add(f);
        }
        this.merger = new HitMerger(ctx.meta.spec().metric(), ctx.queries.length, ctx.topK, scalars);
    }

    @Override public synchronized Map<? extends ComputeJob, ClusterNode> map(List<ClusterNode> subgrid, Object arg) {
        table = router.routing().table();
        List<SegmentRef> segs = new ArrayList<>(ctx.target.segments());
        segs.sort((a, b) -> Integer.compare(b.rows(), a.rows()));
        for (SegmentRef s : segs)
            plan(s);
        for (int shard = 0; shard < ctx.meta.spec().shards(); shard++)
            planGrowing(shard);
        pumpAll();
        return Collections.emptyMap();
    }

    @Override public synchronized ComputeJobResultPolicy result(ComputeJobResult res, List<ComputeJobResult> rcvd) {
        SearchJob job = res.getJob();
        UUID node = res.getNode().id();
        if (!job.isGrowing())
            running.merge(node, -1, Integer::sum);
        if (res.getException() != null) {
            failedNodes.add(node);
            retries++;
            router.metrics().failover();
            router.routing().invalidate();
            events.add((job.isGrowing() ? "growing rows of shard " + job.shard() : "segment " + job.segmentId()) +
                " failed on node " + node + ": " + res.getException().getMessage());
            // Everything still queued for the failed node goes elsewhere too.
            Deque<SegmentRef> orphans = queues.remove(node);
            if (orphans != null) {
                for (SegmentRef s : orphans)
                    plan(s);
            }
            replan(job, node);
        }
        else {
            PartialHits p = res.getData();
            if (p.unavailable) {
                retries++;
                router.metrics().failover();
                router.routing().invalidate();
                events.add((job.isGrowing() ? "shard " + job.shard() + " not OWNING" : "segment " + job.segmentId() +
                    " not serviceable") + " on node " + node);
                replan(job, node);
            }
            else {
                merger.add(p);
                if (job.isGrowing()) {
                    growingNodes.put(job.shard(), node);
                    reconcile(p);
                }
                else {
                    searchedSegments.add(job.segmentId());
                    segmentNodes.put(job.segmentId(), node);
                }
            }
        }
        pumpAll();
        return ComputeJobResultPolicy.WAIT;
    }

    @Override public SearchResult reduce(List<ComputeJobResult> results) {
        synchronized (this) {
            SearchDiagnostics diag = !ctx.diagnostics ? null : new SearchDiagnostics(ctx.target.version(),
                new HashMap<>(segmentNodes), new HashMap<>(growingNodes), retries, new ArrayList<>(takenOver),
                new ArrayList<>(reconciled), new ArrayList<>(events));
            return new SearchResult(merger.result(), !missing.isEmpty(), new ArrayList<>(missing), diag);
        }
    }

    private void replan(SearchJob job, UUID node) {
        if (job.isGrowing()) {
            triedShard.computeIfAbsent(job.shard(), k -> new HashSet<>()).add(node);
            planGrowing(job.shard());
        }
        else {
            triedSegment.computeIfAbsent(job.segmentId(), k -> new HashSet<>()).add(node);
            plan(planned.get(job.segmentId()));
        }
    }

    /** Puts a segment in the queue of the best node holding a serviceable copy, or settles it as gone or missing. */
    private void plan(SegmentRef s) {
        planned.put(s.id(), s);
        Set<UUID> tried = triedSegment.getOrDefault(s.id(), Collections.emptySet());
        List<UUID> cand = usable(table.copies(ctx.meta.segmentsCache(), s.id()), tried);
        if (cand.isEmpty()) {
            table = router.routing().refresh();
            cand = usable(table.copies(ctx.meta.segmentsCache(), s.id()), tried);
        }
        if (cand.isEmpty())
            cand = usable(router.slotOwners(ctx.meta, s.slot()), tried);
        if (cand.isEmpty()) {
            settleUncovered(s, tried);
            return;
        }
        UUID best = cheapest(cand);
        queues.computeIfAbsent(best, k -> new ArrayDeque<>()).add(s);
        plannedRows.merge(best, (long)s.rows(), Long::sum);
    }

    private void settleUncovered(SegmentRef s, Set<UUID> tried) {
        CollectionTarget now = router.currentTarget(ctx.meta);
        if (!now.contains(s.id())) {
            events.add("segment " + s.id() + " left the target (compacted); searching the shard's current segments");
            for (SegmentRef cur : now.segmentsOfShard(s.shard())) {
                if (!planned.containsKey(cur.id())) {
                    reconciled.add(cur.id());
                    plan(cur);
                }
            }
            return;
        }
        String detail = tried.isEmpty() ? "no live node reports it loaded" : "tried nodes " + tried;
        SegmentUnavailableException e = new SegmentUnavailableException(ctx.meta.name(), s.shard(), s.id(), detail);
        if (!ctx.allowPartial)
            throw new IgniteException(e.getMessage(), e);
        missing.add("collection '" + ctx.meta.name() + "' shard " + s.shard() + " segment " + s.id());
        events.add(e.getMessage());
    }

    private void planGrowing(int shard) {
        Set<UUID> tried = triedShard.getOrDefault(shard, Collections.emptySet());
        List<UUID> cand = usable(table.shardOwners(ctx.meta.rowsCache(), shard), tried);
        if (cand.isEmpty())
            cand = usable(router.shardOwners(ctx.meta, shard), tried);
        if (cand.isEmpty()) {
            String msg = "growing rows of shard " + shard + " of collection '" + ctx.meta.name() +
                "' have no live owner (tried " + tried + "); the search cannot be complete: retry later or set allowPartial";
            if (!ctx.allowPartial)
                throw new IgniteException(msg, new VecgridException(msg));
            missing.add("collection '" + ctx.meta.name() + "' shard " + shard + " growing rows");
            events.add(msg);
            return;
        }
        UUID leader = cheapest(cand);
        send(SearchJob.growing(ctx, shard), leader, () -> planGrowing(shard), shard);
    }

    private List<UUID> usable(List<UUID> nodes, Set<UUID> tried) {
        List<UUID> res = new ArrayList<>();
        for (UUID n : nodes) {
            if (!failedNodes.contains(n) && !tried.contains(n) && router.alive(n))
                res.add(n);
        }
        return res;
    }

    /**
     * @return the candidate with the least work: planned rows and reported jobs, scaled by its {@link #slowness}
     *      against the fastest candidate, at most 4 times; equal costs are broken at random, so that copies equally
     *      cheap share the work instead of the same one winning every search.
     */
    private UUID cheapest(List<UUID> cand) {
        double minLat = 0;
        for (UUID n : cand) {
            double l = table.latencyMicros(n);
            if (l > 0 && (minLat == 0 || l < minLat))
                minLat = l;
        }
        UUID best = null;
        double bestCost = Double.MAX_VALUE;
        int start = ThreadLocalRandom.current().nextInt(cand.size());
        for (int i = 0; i < cand.size(); i++) {
            UUID n = cand.get((start + i) % cand.size());
            double factor = Math.min(4, slowness(table.latencyMicros(n), minLat));
            double cost = (plannedRows.getOrDefault(n, 0L) + 1000.0 * table.inFlight(n) + 1) * factor;
            if (cost < bestCost) {
                best = n;
                bestCost = cost;
            }
        }
        return best;
    }

    /**
     * @return how many times slower a node reporting {@code lat} µs per segment is than one reporting {@code ref},
     *      differences within the noise band counted as none; 1 when either is unknown.
     */
    static double slowness(double lat, double ref) {
        if (lat <= 0 || ref <= 0)
            return 1;
        return Math.max(1, lat / Math.max(LATENCY_NOISE * ref, LATENCY_FLOOR_MICROS));
    }

    /** Keeps every node with queued work (or work to take over) at {@link #DEPTH} jobs in flight. */
    private void pumpAll() {
        for (UUID n : new ArrayList<>(queues.keySet()))
            pump(n);
        // Idle nodes holding copies of queued segments take them over.
        Set<UUID> holders = new HashSet<>();
        for (Deque<SegmentRef> q : queues.values()) {
            for (SegmentRef s : q)
                holders.addAll(table.copies(ctx.meta.segmentsCache(), s.id()));
        }
        for (UUID n : holders) {
            if (!queues.containsKey(n) || queues.get(n).isEmpty())
                pump(n);
        }
    }

    private void pump(UUID n) {
        if (failedNodes.contains(n) || !router.alive(n))
            return;
        while (running.getOrDefault(n, 0) < DEPTH) {
            Deque<SegmentRef> own = queues.get(n);
            SegmentRef s = own == null ? null : own.poll();
            if (s == null) {
                s = steal(n);
                if (s == null)
                    return;
            }
            running.merge(n, 1, Integer::sum);
            SegmentRef seg = s;
            send(SearchJob.segment(ctx, s.id()), n, () -> {
                running.merge(n, -1, Integer::sum);
                plan(seg);
            }, -1);
        }
    }

    /**
     * @return a not-yet-started segment of the busiest other node that {@code n} holds a serviceable copy of; never
     *      from a node that reports itself much faster than {@code n} (a slow node must not take work from fast ones).
     */
    private SegmentRef steal(UUID n) {
        List<UUID> victims = new ArrayList<>(queues.keySet());
        victims.sort((a, b) -> Integer.compare(queues.get(b).size(), queues.get(a).size()));
        double myLatency = table.latencyMicros(n);
        for (UUID v : victims) {
            if (v.equals(n) || slowness(myLatency, table.latencyMicros(v)) > 2)
                continue;
            for (SegmentRef s : queues.get(v)) {
                if (table.copies(ctx.meta.segmentsCache(), s.id()).contains(n) &&
                    !triedSegment.getOrDefault(s.id(), Collections.emptySet()).contains(n)) {
                    queues.get(v).remove(s);
                    takenOver.add(s.id());
                    router.metrics().takeover();
                    events.add("node " + n + " took over segment " + s.id() + " from node " + v);
                    return s;
                }
            }
        }
        return null;
    }

    private void send(SearchJob job, UUID node, Runnable onNodeGone, int shard) {
        ClusterNode cn = router.node(node);
        if (cn == null) {
            failedNodes.add(node);
            if (shard >= 0)
                triedShard.computeIfAbsent(shard, k -> new HashSet<>()).add(node);
            onNodeGone.run();
            return;
        }
        mapper.send(job, cn);
    }

    /** Adds the segments a shard leader names that this search has not planned. */
    private void reconcile(PartialHits p) {
        List<SegmentRef> extra = new ArrayList<>();
        for (SegmentRef s : p.leaderSegments) {
            if (!planned.containsKey(s.id()))
                extra.add(s);
        }
        if (extra.isEmpty())
            return;
        router.metrics().reconciled(extra.size());
        router.routing().invalidate();
        events.add("leader of shard " + p.shard + " (target " + p.leaderTargetVersion + ") named segments the plan " +
            "(target " + ctx.target.version() + ") missed: " + extra);
        table = router.routing().table();
        for (SegmentRef s : extra) {
            reconciled.add(s.id());
            plan(s);
        }
    }
}
