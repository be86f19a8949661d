package io.vecgrid.search;

import io.vecgrid.api.SearchDiagnostics;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.SegmentUnavailableException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One search, run on the router node. All scheduling happens here, under the task's lock:
 * <ul>
 *   <li><b>Plan</b>: every sealed segment of the target goes to one node holding a serviceable copy, every shard's
 *   growing rows to one node holding the shard OWNING, each chosen by {@link ReplicaSelector} (C3-style cost of the
 *   node's outstanding work, queue and response times, recomputed for every choice); a shard's leader is preferred
 *   among nodes the plan already uses, so the growing rows ride in a job that is sent anyway.</li>
 *   <li><b>Dispatch</b>: one {@link NodeJob} per node, sent as a message ({@link SearchMessages}), carrying up to {@value #BATCH} of its planned segments and the
 *   shards it leads; the node searches them in parallel and answers with its own top-k. Segments beyond the batch
 *   wait here, not started.</li>
 *   <li><b>Takeover</b>: a node whose job answered and that has nothing queued takes not-yet-sent segments from the
 *   longest queue of another node, if it holds a serviceable copy. Nothing runs twice.</li>
 *   <li><b>Deadlines and hedging</b>: a job still out after its deadline ({@link ReplicaSelector#deadlineNanos}) has
 *   its segments and shards sent to other copies as well. The first complete answer for that work wins, the job's
 *   own or the hedges' together; the other is dropped whole (a node answers with one merged top-k, so work is never
 *   counted twice), and the loser's job is cancelled on its node when the search completes.</li>
 *   <li><b>Failover</b>: a failed job (node left, error) or work a node could not serve is re-planned at once onto
 *   another copy, never the failed node; the routing cache is refreshed. A segment left with no copy is skipped only
 *   if the current target no longer holds it (compacted: the shard's new segments are added); otherwise the search
 *   fails with {@link SegmentUnavailableException}, or, with allowPartial, reports it missing.</li>
 *   <li><b>Reconciliation</b>: a shard leader returns the shard's segments as its own state names them; any the plan
 *   lacks are searched before the result returns.</li>
 * </ul>
 */
final class SearchTask {
    /** Segments sent to a node in one job; the rest stay queued here, movable to idle nodes. */
    static final int BATCH = 8;

    private final SearchRouter router;
    private final SearchContext ctx;
    private final HitMerger merger;
    private final ReplicaSelector selector;

    private final SearchMessages messages;
    /** This search's id among the searches this node routes. */
    private final long id;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<SearchResult> result = new CompletableFuture<>();
    /** Guards everything below. */
    /**
     * Jobs planned but not sent yet. Every entry point (start, a reply, a deadline) changes its state first and sends
     * what it planned at its end, so every job of one decision exists before any of them can answer.
     */
    private final List<Unit> outbox = new ArrayList<>();
    private int nextUnit;

    private final Map<UUID, Deque<SegmentRef>> queues = new LinkedHashMap<>();
    private final Map<UUID, List<Integer>> shardQueues = new LinkedHashMap<>();
    /** The one planned job in flight per node (hedges are extra and tracked apart: a busy node may take one). */
    private final Map<UUID, Unit> inFlight = new HashMap<>();
    private final Set<Unit> hedgesInFlight = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<UUID> failedNodes = new HashSet<>();
    private final Map<Long, Set<UUID>> triedSegment = new HashMap<>();
    private final Map<Integer, Set<UUID>> triedShard = new HashMap<>();
    private final Map<Long, SegmentRef> planned = new HashMap<>();
    private final Set<Integer> plannedShards = new HashSet<>();
    private final Set<Long> doneSegments = new HashSet<>();
    private final Set<Integer> doneShards = new HashSet<>();
    private final Map<Long, UUID> segmentNodes = new HashMap<>();
    private final Map<Integer, UUID> growingNodes = new HashMap<>();
    private final Map<Integer, Unit> units = new HashMap<>();
    private final List<Long> takenOver = new ArrayList<>();
    private final List<Long> reconciled = new ArrayList<>();
    private final List<Long> hedged = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    /** Notes a failover (a job or segment re-planned) or a takeover, in the diagnostics and the node's metrics. */
    private void event(String what, boolean failover) {
        events.add(what);
        if (failover)
            router.metrics().failover(ctx.meta.name() + ": " + what);
        else
            router.metrics().takeover(ctx.meta.name() + ": " + what);
    }
    private final List<String> missing = new ArrayList<>();
    /** Per shard: the version of the shard state its growing rows were searched at. */
    private final Map<Integer, Long> grownAt = new HashMap<>();
    /**
     * Per shard: the least state version its growing search must be taken at, because a segment of the plan left the
     * shard's state meanwhile (a seal undone puts its rows back among the growing ones; an older growing search missed
     * them).
     */
    private final Map<Integer, Long> growNeeded = new HashMap<>();
    /** Segments settled as missing (allowPartial): a leader naming them again does not plan them again. */
    private final Set<Long> missingSegments = new HashSet<>();
    /**
     * Jobs with a deadline not handled yet, checked by the thread waiting in {@link #run} (it wakes at the earliest
     * one): no timer per job. A timer task per job (scheduled on every send, cancelled on nearly every answer) cost a
     * timer thread's wake-ups and two locked queue operations per job, a few percent of a router's CPU in profiles.
     */
    private final List<Unit> watched = new ArrayList<>();
    private RoutingTable table;
    private int retries;
    private int jobs;
    private boolean finished;
    /** An error that ends the search (no copy left, no owner left). */
    private RuntimeException fatal;
    /** Why each node was left out for some work, for the error that says no copy was left. */
    private final Map<UUID, String> whyTried = new HashMap<>();

    SearchTask(SearchRouter router, SearchContext ctx) {
        this.router = router;
        this.ctx = ctx;
        this.selector = router.selector();
        this.merger = new HitMerger(ctx.meta.spec().metric(), ctx.queries.length, ctx.topK, List.of());
        this.messages = router.messages();
        this.id = messages.register(this);
    }

    /** @return the search's outcome, once it is over. */
    CompletableFuture<SearchResult> result() {
        return result;
    }

    /** A reply queued for the thread that waits for the search. */
    private record Reply(UUID from, int unit, NodeAnswer answer, String error) {
    }

    /** Replies not handled yet ({@link #deliver}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Reply> inbox = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The thread in {@link #run}, which handles the replies; {@code null} when none waits. */
    private volatile Thread driver;

    /**
     * Plans and sends the search, then handles its replies in this thread until it is over or {@code timeoutMs}
     * passed: a reply is queued by the communication thread that read it and handled here, with no pool in between.
     *
     * @return the result.
     * @throws java.util.concurrent.TimeoutException when the search is not over in time (it goes on until aborted).
     */
    SearchResult run(long timeoutMs) throws InterruptedException, java.util.concurrent.ExecutionException,
        java.util.concurrent.TimeoutException {
        driver = Thread.currentThread();
        result.whenComplete((r, e) -> {
            Thread d = driver;
            if (d != null)
                java.util.concurrent.locks.LockSupport.unpark(d);
        });
        try {
            start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                drain();
                if (result.isDone())
                    return result.get();
                long now = System.nanoTime();
                long next = checkDeadlines(now);
                if (next == Long.MIN_VALUE)
                    continue; // A job passed its deadline and was hedged: look at the search again.
                long left = deadline - now;
                if (left <= 0)
                    throw new java.util.concurrent.TimeoutException();
                java.util.concurrent.locks.LockSupport.parkNanos(this, next == Long.MAX_VALUE ? left : Math.min(left, next - now));
                if (Thread.interrupted())
                    throw new InterruptedException();
            }
        }
        finally {
            driver = null;
            // A reply queued after the last drain, before the driver left: a pool thread takes it.
            if (!inbox.isEmpty())
                messages.replyFallback().execute(this::drain);
        }
    }

    /**
     * A reply for this search, from a communication thread (or a local job's thread): queued for the thread in
     * {@link #run}, which is woken; with none there, handled by a pool thread. Never waits.
     */
    void deliver(UUID from, int unit, NodeAnswer a, String error) {
        inbox.add(new Reply(from, unit, a, error));
        Thread d = driver;
        if (d != null)
            java.util.concurrent.locks.LockSupport.unpark(d);
        else
            messages.replyFallback().execute(this::drain);
    }

    /** Handles the queued replies. */
    private void drain() {
        for (Reply r; (r = inbox.poll()) != null; )
            onReply(r.from, r.unit, r.answer, r.error);
    }

    /** Work sent to one node in one job; a hedge is a unit standing in for part of its parent's work. */
    private final class Unit {
        final int id = nextUnit++;
        final UUID node;
        final List<SegmentRef> segments;
        final List<Integer> shards;
        final long sentNanos = System.nanoTime();
        /** When its deadline passes ({@link System#nanoTime()}), if it has one ({@link #watched}). */
        long deadlineAt;
        /** The unit this one hedges, or {@code null}. */
        final Unit parent;
        /** Hedges of this unit, and their answers while not all are in. */
        final List<Unit> hedges = new ArrayList<>();
        final Map<Unit, NodeAnswer> hedgeAnswers = new IdentityHashMap<>();
        boolean answered;
        boolean settled;
        /** The hedges could not cover this unit's work: their answers are dropped and the unit's own one awaited. */
        boolean hedgesAbandoned;
        NodeJob job;

        Unit(UUID node, List<SegmentRef> segments, List<Integer> shards, Unit parent) {
            this.node = node;
            this.segments = segments;
            this.shards = shards;
            this.parent = parent;
        }
    }

    /** Plans the search and sends its first jobs. */
    synchronized void start() {
        try {
            table = router.routing().table();
            List<SegmentRef> segs = new ArrayList<>(ctx.target.segments());
            segs.sort((a, b) -> Integer.compare(b.rows(), a.rows()));
            for (SegmentRef s : segs)
                plan(s);
            for (int shard = 0; shard < ctx.meta.spec().shards(); shard++)
                planShard(shard);
            pumpAll();
            flush();
        }
        catch (RuntimeException e) {
            fatal = e;
        }
        if (fatal != null || complete())
            finish();
    }

    /** Sends the jobs planned so far (see {@link #outbox}). */
    private void flush() {
        while (!outbox.isEmpty() && !finished) {
            List<Unit> batch = new ArrayList<>(outbox);
            outbox.clear();
            for (Unit u : batch)
                messages.send(u.node, u.job);
        }
    }

    /** A node's reply to job {@code unit}: its answer, or the error that failed it. */
    synchronized void onReply(UUID from, int unit, NodeAnswer a, String error) {
        Unit u = units.get(unit);
        if (finished || u == null || u.answered || !u.node.equals(from))
            return;
        try {
            onResult(u, a, error);
        }
        catch (RuntimeException e) {
            fatal = e;
        }
        if (fatal != null || complete())
            finish();
    }

    /** A node left the cluster: its jobs still out failed. */
    synchronized void nodeLeft(UUID node) {
        List<Unit> out = new ArrayList<>();
        for (Unit u : units.values()) {
            if (!u.answered && u.node.equals(node))
                out.add(u);
        }
        for (Unit u : out)
            onReply(node, u.id, null, "node " + node + " left the cluster");
    }

    /**
     * @return what the search still waits for, for a timeout's message: each job not answered (its node, its work,
     *     how long ago it was sent, whether it has a deadline) and what happened to the search so far.
     */
    synchronized String pending() {
        long now = System.nanoTime();
        List<String> out = new ArrayList<>();
        for (Unit u : units.values()) {
            if (u.answered || u.settled)
                continue;
            List<Long> segs = new ArrayList<>();
            u.segments.forEach(s -> segs.add(s.id()));
            out.add("node " + u.node + (u.parent != null ? " (hedge)" : "") + ": segments " + segs + ", growing rows of " +
                "shards " + u.shards + ", sent " + (now - u.sentNanos) / 1_000_000 + " ms ago" +
                (u.deadlineAt != 0 ? ", deadline " + (u.deadlineAt - u.sentNanos) / 1_000_000 + " ms" : ", no deadline") +
                (router.alive(u.node) ? "" : ", node gone"));
        }
        return "waiting for " + (out.isEmpty() ? "no job" : out) + "; " + jobs + " job(s) sent; events " + events;
    }

    /** Ends the search unanswered (it timed out or its caller gave up); its jobs still out are cancelled. */
    synchronized void abort(RuntimeException why) {
        if (finished)
            return;
        fatal = why;
        finish();
    }

    private void onResult(Unit u, NodeAnswer a, String error) {
        inFlight.remove(u.node, u);
        hedgesInFlight.remove(u);
        u.answered = true;
        long response = System.nanoTime() - u.sentNanos;
        if (error != null) {
            selector.answered(u.node, response, 0, 0, 0);
            failedNodes.add(u.node);
            whyTried.put(u.node, "its job failed: " + error);
            retries++;
            router.routing().invalidate();
            event("job on node " + u.node + " failed: " + error, true);
            // Everything still queued for the failed node goes elsewhere too.
            Deque<SegmentRef> orphans = queues.remove(u.node);
            List<Integer> orphanShards = shardQueues.remove(u.node);
            if (orphans != null)
                orphans.forEach(this::plan);
            if (orphanShards != null)
                orphanShards.forEach(this::planShard);
            replanUnit(u);
        }
        else {
            selector.answered(u.node, response, a.serviceNanosPerUnit, a.queue, a.routers);
            accept(u, a);
        }
        pumpAll();
        flush();
    }

    /** Takes an answer into the result, unless other copies already covered its work (hedging). */
    private void accept(Unit u, NodeAnswer a) {
        Unit root = u.parent == null ? u : u.parent;
        if (root.settled || u.parent != null && root.hedgesAbandoned)
            return; // Covered already by the job or by its hedges, or a hedge given up: drop it whole.
        // Work the node could not serve goes elsewhere; it stays part of this unit's coverage.
        for (long id : a.unavailableSegments) {
            SegmentRef s = planned.get(id);
            if (s == null)
                continue;
            triedSegment.computeIfAbsent(id, k -> new HashSet<>()).add(u.node);
            whyTried.put(u.node, "its copy was not serviceable");
            retries++;
            router.routing().invalidate();
            boolean loading = false;
            for (long l : a.loadingSegments)
                loading |= l == id;
            event("segment " + id + " not serviceable on node " + u.node + (loading ? " (its copy is still loading)" :
                " (it holds no copy any more: moved or dropped after the routing table was built)"), true);
            // A hedge's leftovers stay part of its root's cover; a job that answers always wins its cover (below), so
            // what it could not serve is planned afresh.
            if (u.parent != null)
                hedgeWork(root, List.of(s), List.of());
            else
                plan(s);
        }
        for (int sh : a.unavailableShards) {
            triedShard.computeIfAbsent(sh, k -> new HashSet<>()).add(u.node);
            whyTried.put(u.node, "it does not hold the shard OWNING");
            retries++;
            event("shard " + sh + " not OWNING on node " + u.node, true);
            if (u.parent != null)
                hedgeWork(root, List.of(), List.of(sh));
            else
                planShard(sh);
        }
        if (u.parent != null && root.hedgesAbandoned)
            return; // What this hedge could not serve has no other copy: the hedged job's own answer is awaited.
        if (u.parent == null && u.hedges.isEmpty()) {
            merge(u.node, a);
            root.settled = unitDone(root);
            return;
        }
        if (u == root) {
            // The hedged job answered before its hedges completed: it wins, the hedges are dropped.
            merge(u.node, a);
            root.settled = true;
            events.add("node " + u.node + " answered after its deadline, before its hedges");
            return;
        }
        root.hedgeAnswers.put(u, a);
        for (Unit h : root.hedges) {
            if (!root.hedgeAnswers.containsKey(h))
                return;
        }
        for (Map.Entry<Unit, NodeAnswer> e : root.hedgeAnswers.entrySet())
            merge(e.getKey().node, e.getValue());
        root.settled = true;
        events.add("hedges of node " + root.node + " answered first");
    }

    private boolean unitDone(Unit u) {
        for (SegmentRef s : u.segments) {
            if (!doneSegments.contains(s.id()))
                return false;
        }
        return true;
    }

    private void merge(UUID node, NodeAnswer a) {
        // Hedges, takeovers and re-plans must never let two answers cover one segment: an answer is one merged top-k,
        // so a segment counted twice would crowd true hits out. Checked, because a wrong result must not go out quietly.
        for (long id : a.searchedSegments) {
            if (doneSegments.contains(id))
                throw new IllegalStateException("segment " + id + " answered twice (node " + node + " and " +
                    segmentNodes.get(id) + "): " + events);
        }
        merger.add(a);
        for (long id : a.searchedSegments) {
            doneSegments.add(id);
            segmentNodes.put(id, node);
        }
        for (int i = 0; i < a.searchedShards.length; i++) {
            int sh = a.searchedShards[i];
            doneShards.add(sh);
            growingNodes.put(sh, node);
            grownAt.put(sh, a.leaderVersions[i]);
            reconcile(sh, a.leaderSegments.get(i), a.leaderVersions[i]);
            if (a.leaderVersions[i] < growNeeded.getOrDefault(sh, -1L))
                growAgain(sh);
        }
    }

    /** @return whether every planned segment and every shard has been searched (or settled as missing). */
    private boolean complete() {
        if (!inFlight.isEmpty() && !allInFlightCovered())
            return false;
        for (Deque<SegmentRef> q : queues.values()) {
            if (!q.isEmpty())
                return false;
        }
        for (List<Integer> q : shardQueues.values()) {
            if (!q.isEmpty())
                return false;
        }
        return doneSegments.containsAll(planned.keySet()) && doneShards.containsAll(plannedShards);
    }

    /** @return whether every job still out is one whose work others already covered (it is cancelled then). */
    private boolean allInFlightCovered() {
        for (Unit u : inFlight.values()) {
            Unit root = u.parent == null ? u : u.parent;
            if (!root.settled)
                return false;
        }
        return true;
    }

    /** Ends the search: its outcome is set, its timers stop, and its jobs still out are cancelled on their nodes. */
    private void finish() {
        if (finished)
            return;
        finished = true;
        messages.unregister(id);
        watched.clear();
        for (Unit u : inFlight.values())
            selector.abandoned(u.node);
        for (Unit u : hedgesInFlight)
            selector.abandoned(u.node);
        deliver(outcome());
        // Jobs still out are cancelled on their nodes after the caller has its answer (a send may wait on the network).
        Set<UUID> out = new HashSet<>();
        for (Unit u : units.values()) {
            if (!u.answered)
                out.add(u.node);
        }
        for (UUID n : out)
            messages.cancel(n, id);
    }

    private void deliver(Object outcome) {
        if (outcome instanceof SearchResult)
            result.complete((SearchResult)outcome);
        else
            result.completeExceptionally((Throwable)outcome);
    }

    /** @return the search's result, or the error that ends it. */
    private Object outcome() {
        if (fatal != null)
            return fatal;
        if (!complete()) {
            // Every job answered but some work is still uncovered: never hand out a quietly partial answer.
            Set<Long> left = new HashSet<>(planned.keySet());
            left.removeAll(doneSegments);
            Set<Integer> leftShards = new HashSet<>(plannedShards);
            leftShards.removeAll(doneShards);
            String msg = "search of collection '" + ctx.meta.name() + "' ended with segments " + left +
                " and growing rows of shards " + leftShards + " not searched (internal error; retry): " + events;
            return new VecgridException(msg);
        }
        SearchDiagnostics diag = !ctx.diagnostics ? null : new SearchDiagnostics(ctx.target.version(),
            new HashMap<>(segmentNodes), new HashMap<>(growingNodes), retries, new ArrayList<>(takenOver),
            new ArrayList<>(reconciled), new ArrayList<>(events), jobs, new ArrayList<>(hedged),
            router.localNodeId());
        return new SearchResult(merger.result(), !missing.isEmpty(), new ArrayList<>(missing), diag);
    }

    /** A failed job's work: its segments and shards not covered yet go to other copies. */
    private void replanUnit(Unit u) {
        Unit root = u.parent == null ? u : u.parent;
        if (root.settled)
            return;
        List<SegmentRef> segs = new ArrayList<>();
        for (SegmentRef s : u.segments) {
            triedSegment.computeIfAbsent(s.id(), k -> new HashSet<>()).add(u.node);
            if (!doneSegments.contains(s.id()))
                segs.add(s);
        }
        List<Integer> shards = new ArrayList<>();
        for (int sh : u.shards) {
            triedShard.computeIfAbsent(sh, k -> new HashSet<>()).add(u.node);
            if (!doneShards.contains(sh))
                shards.add(sh);
        }
        if (u.parent != null) {
            // A hedge failed: others stand in for its part, or, if none can, the hedged job's own answer is awaited.
            if (root.hedgesAbandoned)
                return;
            root.hedges.remove(u);
            hedgeWork(root, segs, shards);
        }
        else if (!root.hedges.isEmpty() && !root.hedgesAbandoned) {
            // The hedged job failed; its hedges already cover all of its work.
            events.add("node " + u.node + " failed after its deadline; its hedges cover its work");
        }
        else {
            segs.forEach(this::plan);
            shards.forEach(this::planShard);
        }
    }

    /** Puts a segment in the queue of the best node holding a serviceable copy, or settles it as gone or missing. */
    private void plan(SegmentRef s) {
        planned.put(s.id(), s);
        UUID node = pick(s);
        if (node == null) {
            settleUncovered(s, triedSegment.getOrDefault(s.id(), Collections.emptySet()));
            return;
        }
        queues.computeIfAbsent(node, k -> new ArrayDeque<>()).add(s);
    }

    /** @return the node to serve segment {@code s} (not tried yet), or {@code null} if none is left. */
    private UUID pick(SegmentRef s) {
        Set<UUID> tried = triedSegment.getOrDefault(s.id(), Collections.emptySet());
        List<UUID> cand = usable(table.searchCopies(ctx.meta.segmentsCache(), s.id()), tried);
        if (cand.isEmpty()) {
            table = router.routing().refresh();
            cand = usable(table.searchCopies(ctx.meta.segmentsCache(), s.id()), tried);
        }
        if (cand.isEmpty())
            cand = usable(router.slotOwners(ctx.meta, s.slot()), tried);
        return cand.isEmpty() ? null : choose(cand, false, s.id());
    }

    /** @param key the segment id, or {@code -1 - shard} for a shard's growing rows (round-robin's turn). */
    private UUID choose(List<UUID> cand, boolean preferPlanned, long key) {
        if (preferPlanned) {
            // A shard's growing rows ride in a job the plan sends anyway, when a candidate already has one.
            List<UUID> withWork = new ArrayList<>();
            for (UUID n : cand) {
                if (queues.containsKey(n) && !queues.get(n).isEmpty() || inFlight.containsKey(n))
                    withWork.add(n);
            }
            if (!withWork.isEmpty())
                cand = withWork;
        }
        int[] plannedWork = new int[cand.size()];
        for (int i = 0; i < cand.size(); i++) {
            Deque<SegmentRef> q = queues.get(cand.get(i));
            plannedWork[i] = q == null ? 0 : (q.size() + BATCH - 1) / BATCH;
        }
        return cand.get(selector.choose(cand, plannedWork, key, Math.max(1, router.serverCount())));
    }

    private void settleUncovered(SegmentRef s, Set<UUID> tried) {
        CollectionTarget now = router.currentTarget(ctx.meta);
        if (!now.contains(s.id())) {
            events.add("segment " + s.id() + " left the target (compacted, moved or undone); searching the shard's " +
                "current segments and, if it was searched at an older state, its growing rows again");
            planned.remove(s.id());
            growNeeded.merge(s.shard(), now.shardVersion(s.shard()), Math::max);
            if (doneShards.contains(s.shard()) && grownAt.getOrDefault(s.shard(), -1L) < now.shardVersion(s.shard()))
                growAgain(s.shard());
            for (SegmentRef cur : now.segmentsOfShard(s.shard())) {
                if (!planned.containsKey(cur.id())) {
                    reconciled.add(cur.id());
                    plan(cur);
                }
            }
            return;
        }
        String detail = tried.isEmpty() ? "no live node reports it loaded" : "tried nodes " + describe(tried);
        SegmentUnavailableException e = new SegmentUnavailableException(ctx.meta.name(), s.shard(), s.id(), detail);
        if (!ctx.allowPartial)
            throw e;
        planned.remove(s.id());
        if (missingSegments.add(s.id()))
            missing.add("collection '" + ctx.meta.name() + "' shard " + s.shard() + " segment " + s.id());
        events.add(e.getMessage());
    }

    private void planShard(int shard) {
        plannedShards.add(shard);
        UUID leader = pickLeader(shard);
        if (leader == null)
            return;
        shardQueues.computeIfAbsent(leader, k -> new ArrayList<>()).add(shard);
    }

    /** @return an owner of the shard to lead its growing search, or {@code null} (settled as missing or failed). */
    private UUID pickLeader(int shard) {
        Set<UUID> tried = triedShard.getOrDefault(shard, Collections.emptySet());
        List<UUID> cand = usable(table.searchShardOwners(ctx.meta.rowsCache(), shard), tried);
        if (cand.isEmpty()) {
            table = router.routing().refresh();
            cand = usable(table.searchShardOwners(ctx.meta.rowsCache(), shard), tried);
        }
        if (cand.isEmpty())
            cand = usable(router.shardOwners(ctx.meta, shard), tried);
        if (cand.isEmpty()) {
            String msg = "growing rows of shard " + shard + " of collection '" + ctx.meta.name() +
                "' have no live owner (tried " + describe(tried) + "); the search cannot be complete: retry later or set allowPartial";
            if (!ctx.allowPartial)
                throw new VecgridException(msg);
            plannedShards.remove(shard);
            String what = "collection '" + ctx.meta.name() + "' shard " + shard + " growing rows";
            if (!missing.contains(what))
                missing.add(what);
            events.add(msg);
            return null;
        }
        return choose(cand, true, -1L - shard);
    }

    private List<UUID> usable(List<UUID> nodes, Set<UUID> tried) {
        List<UUID> res = new ArrayList<>();
        for (UUID n : nodes) {
            if (!failedNodes.contains(n) && !tried.contains(n) && router.alive(n))
                res.add(n);
        }
        return res;
    }

    /** Sends a job to every node that has planned work and none in flight; idle nodes take over queued work. */
    private void pumpAll() {
        if (finished)
            return;
        for (UUID n : new ArrayList<>(queues.keySet()))
            pump(n, false);
        for (UUID n : new ArrayList<>(shardQueues.keySet()))
            pump(n, false);
        // Idle nodes holding copies of queued segments take them over.
        Set<UUID> holders = new HashSet<>();
        for (Deque<SegmentRef> q : queues.values()) {
            for (SegmentRef s : q)
                holders.addAll(table.searchCopies(ctx.meta.segmentsCache(), s.id()));
        }
        for (UUID n : holders)
            pump(n, true);
    }

    private void pump(UUID n, boolean takeOver) {
        if (inFlight.containsKey(n) || failedNodes.contains(n) || !router.alive(n))
            return;
        List<SegmentRef> batch = new ArrayList<>();
        Deque<SegmentRef> own = queues.get(n);
        while (own != null && !own.isEmpty() && batch.size() < BATCH)
            batch.add(own.poll());
        if (batch.isEmpty() && takeOver)
            batch.addAll(steal(n));
        List<Integer> shards = shardQueues.remove(n);
        if (batch.isEmpty() && (shards == null || shards.isEmpty()))
            return;
        send(new Unit(n, batch, shards == null ? List.of() : shards, null));
    }

    /** @return not-yet-sent segments of the busiest other node that {@code n} holds serviceable copies of. */
    private List<SegmentRef> steal(UUID n) {
        List<UUID> victims = new ArrayList<>(queues.keySet());
        victims.sort((a, b) -> Integer.compare(queues.get(b).size(), queues.get(a).size()));
        List<SegmentRef> res = new ArrayList<>();
        for (UUID v : victims) {
            if (v.equals(n))
                continue;
            for (SegmentRef s : new ArrayList<>(queues.get(v))) {
                if (res.size() >= Math.max(1, queues.get(v).size() / 2))
                    break;
                if (table.searchCopies(ctx.meta.segmentsCache(), s.id()).contains(n) &&
                    !triedSegment.getOrDefault(s.id(), Collections.emptySet()).contains(n)) {
                    queues.get(v).remove(s);
                    takenOver.add(s.id());
                    event("node " + n + " took over segment " + s.id() + " from node " + v, false);
                    res.add(s);
                }
            }
            if (!res.isEmpty())
                return res;
        }
        return res;
    }

    private void send(Unit u) {
        long[] segs = u.segments.stream().mapToLong(SegmentRef::id).toArray();
        int[] shards = u.shards.stream().mapToInt(Integer::intValue).toArray();
        if (!router.alive(u.node)) {
            failedNodes.add(u.node);
            replanUnit(u);
            return;
        }
        long left = (ctx.timeoutNanos - (System.nanoTime() - startNanos)) / 1_000_000L;
        u.job = new NodeJob(ctx, id, u.id, segs, shards, Math.max(1, left));
        units.put(u.id, u);
        if (u.parent != null) {
            u.parent.hedges.add(u);
            hedgesInFlight.add(u);
        }
        else
            inFlight.put(u.node, u);
        jobs++;
        selector.sent(u.node);
        outbox.add(u);
        if (u.parent == null) {
            long deadline = selector.deadlineNanos(u.node);
            if (deadline < ctx.timeoutNanos) {
                u.deadlineAt = u.sentNanos + deadline;
                watched.add(u);
            }
        }
    }

    /**
     * Hedges the jobs past their deadline ({@link #onDeadline}).
     *
     * @return {@link Long#MIN_VALUE} if one was, else when the next deadline comes ({@link System#nanoTime()}), {@link Long#MAX_VALUE} if
     *     none is left.
     */
    private synchronized long checkDeadlines(long now) {
        List<Unit> due = null;
        long next = Long.MAX_VALUE;
        for (java.util.Iterator<Unit> it = watched.iterator(); it.hasNext(); ) {
            Unit u = it.next();
            if (u.answered || u.settled) {
                it.remove();
                continue;
            }
            if (now - u.deadlineAt >= 0) {
                it.remove();
                if (due == null)
                    due = new ArrayList<>();
                due.add(u);
            }
            else if (next == Long.MAX_VALUE || u.deadlineAt - next < 0)
                next = u.deadlineAt;
        }
        if (due == null)
            return next;
        for (Unit u : due)
            onDeadline(u);
        return Long.MIN_VALUE;
    }

    /** A job passed its deadline: its work goes to other copies as well; whichever covers it first wins. */
    private synchronized void onDeadline(Unit u) {
        if (finished || u.answered || u.parent != null || !u.hedges.isEmpty() || u.settled)
            return;
        List<SegmentRef> segs = new ArrayList<>();
        for (SegmentRef s : u.segments) {
            if (!doneSegments.contains(s.id()))
                segs.add(s);
        }
        List<Integer> shards = new ArrayList<>(u.shards);
        if (segs.isEmpty() && shards.isEmpty())
            return;
        selector.late(u.node, System.nanoTime() - u.sentNanos);
        whyTried.put(u.node, "it passed its " + selector.deadlineNanos(u.node) / 1_000_000 + " ms deadline");
        for (SegmentRef s : segs)
            triedSegment.computeIfAbsent(s.id(), k -> new HashSet<>()).add(u.node);
        for (int sh : shards)
            triedShard.computeIfAbsent(sh, k -> new HashSet<>()).add(u.node);
        if (!coverable(segs, shards)) {
            // Some of the work has no other serviceable copy: the job's own answer is the only way; wait for it.
            events.add("node " + u.node + " passed its deadline but not all of its work has another copy; waiting");
            return;
        }
        router.metrics().hedged();
        events.add("node " + u.node + " passed its deadline (" + selector.deadlineNanos(u.node) / 1_000_000 +
            " ms); hedging " + segs.size() + " segments and " + shards.size() + " shards on other copies");
        for (SegmentRef s : segs)
            hedged.add(s.id());
        try {
            hedgeWork(u, segs, shards);
            pumpAll();
            flush();
        }
        catch (RuntimeException e) {
            fatal = e;
            finish();
        }
    }

    /** @return the nodes with why each was left out, for an error message. */
    private String describe(Set<UUID> nodes) {
        List<String> res = new ArrayList<>();
        for (UUID n : nodes)
            res.add(n + (whyTried.containsKey(n) ? " (" + whyTried.get(n) + ")" : ""));
        return res.toString();
    }

    /** @return whether every one of {@code segs} and {@code shards} has a live copy not tried yet. */
    private boolean coverable(List<SegmentRef> segs, List<Integer> shards) {
        for (SegmentRef s : segs) {
            if (pick(s) == null)
                return false;
        }
        for (int sh : shards) {
            Set<UUID> tried = triedShard.getOrDefault(sh, Collections.emptySet());
            if (usable(table.searchShardOwners(ctx.meta.rowsCache(), sh), tried).isEmpty() &&
                usable(router.shardOwners(ctx.meta, sh), tried).isEmpty())
                return false;
        }
        return true;
    }

    /** Sends {@code segs} and {@code shards} (part of {@code root}'s work) to other copies, as hedges of {@code root}. */
    private void hedgeWork(Unit root, List<SegmentRef> segs, List<Integer> shards) {
        if (!root.answered && !coverable(segs, shards)) {
            // The hedged job is still out and is the only cover left: drop the hedges and wait for it.
            root.hedgesAbandoned = true;
            events.add("hedges of node " + root.node + " cannot cover its work; waiting for its own answer");
            return;
        }
        Map<UUID, List<SegmentRef>> bySegNode = new LinkedHashMap<>();
        for (SegmentRef s : segs) {
            UUID n = pick(s);
            if (n == null) {
                settleUncovered(s, triedSegment.getOrDefault(s.id(), Collections.emptySet()));
                continue;
            }
            bySegNode.computeIfAbsent(n, k -> new ArrayList<>()).add(s);
        }
        Map<UUID, List<Integer>> byShardNode = new LinkedHashMap<>();
        for (int sh : shards) {
            UUID n = pickLeader(sh);
            if (n != null)
                byShardNode.computeIfAbsent(n, k -> new ArrayList<>()).add(sh);
        }
        Set<UUID> nodes = new java.util.LinkedHashSet<>(bySegNode.keySet());
        nodes.addAll(byShardNode.keySet());
        for (UUID n : nodes)
            send(new Unit(n, bySegNode.getOrDefault(n, List.of()), byShardNode.getOrDefault(n, List.of()), root));
        if (root.hedges.isEmpty())
            root.settled = root.answered;
    }

    /**
     * Searches a shard's growing rows again (its last growing search was taken at a state older than one a segment of
     * the plan left). Rows in both answers are the same rows; the merge keeps each pk once.
     */
    private void growAgain(int shard) {
        events.add("searching the growing rows of shard " + shard + " again (searched at state " +
            grownAt.get(shard) + ", a planned segment left the shard at state " + growNeeded.get(shard) + ")");
        doneShards.remove(shard);
        planShard(shard);
    }

    /** Adds the segments a shard leader names that this search has not planned. */
    private void reconcile(int shard, List<SegmentRef> leaderSegments, long leaderVersion) {
        List<SegmentRef> extra = new ArrayList<>();
        for (SegmentRef s : leaderSegments) {
            if (!planned.containsKey(s.id()) && !missingSegments.contains(s.id()))
                extra.add(s);
        }
        if (extra.isEmpty())
            return;
        router.metrics().reconciled(extra.size());
        router.routing().invalidate();
        events.add("leader of shard " + shard + " (state " + leaderVersion + ") named segments the plan (target " +
            ctx.target.version() + ") missed: " + extra);
        table = router.routing().table();
        for (SegmentRef s : extra) {
            reconciled.add(s.id());
            plan(s);
        }
    }
}
