package io.vecgrid.search;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses which copy serves a segment or shard, on every request, from what this router has seen, in the spirit of
 * C3 (Suresh et al., NSDI '15) as Elasticsearch's adaptive replica selection applies it:
 * <pre>
 *   score(node) = R - S + q^3 * S,   q = 1 + outstanding * n + planned * N + queue
 * </pre>
 * where {@code R} is the node's response time as this router measured it (exponentially weighted, per job), {@code S}
 * its service time per segment or shard as the node reports it (weighted the same way), {@code outstanding} the jobs
 * this router has in flight on it right now for other searches, {@code n} the number of routers that sent the node
 * work in the last {@value #FRESH_MILLIS} ms as the node reports it (C3's number of clients: the others are assumed to
 * keep about as much in flight there as this one), {@code planned} the batches the search being planned already gave
 * it and {@code N} the number of server nodes (a search waits for its slowest job, so it spreads its own segments over
 * the copies rather than piling them on the node that answered fastest), and {@code queue} the other
 * jobs the node was running when it last answered this router (piggybacked on the answer, as C3 does; both forgotten
 * once {@value #FRESH_MILLIS} ms old). The
 * cube makes a node whose queue builds up lose work at once, before its measured times catch up; outstanding work is
 * known locally and exactly, so a node that stalls stops being chosen as soon as its jobs stop coming back. Unknown
 * nodes score as the fastest known. Ties, and scores within {@value #NEAR_TIE} of the best, are broken at random so
 * that equal copies share work.
 *
 * <p>A node's times only change when it answers, so a node that was slow once (a GC pause, a burst of load) would
 * never be chosen again to show it recovered: a node's figures older than {@value #FRESH_MILLIS} ms fade towards the
 * fastest candidate's, the excess halving every {@value #FRESH_MILLIS} ms, so it is tried and measured afresh.
 *
 * <p>It also gives each job its deadline: three times the 95th percentile of the node's recent response times, at
 * least a floor, so that a node that stops answering is hedged long before the search times out. A node with a job
 * past its deadline is <b>suspect</b> until it answers a job or {@value #FRESH_MILLIS} ms pass, whichever comes first:
 * while another candidate is not suspect, it gets no work at all, whatever the formula says. Before this, a late job
 * raised the node's response time (by a fraction: an exponentially weighted average), and a stalled node was chosen
 * again and again during a stall under load, because the healthy copies, busy with the work the stalled one no longer
 * took, scored worse through the cube of their queues; every such search waited for its deadline. When the time
 * passes the node is tried again on its figures from before (it is suspect again at the next deadline if it is still
 * stopped, and used as before if it recovered).
 *
 * <p>Thread-safety: thread-safe; one per router node, shared by its searches.
 */
final class ReplicaSelector {
    /** Weight of a new observation in the moving averages. */
    private static final double ALPHA = 0.3;
    /** Response times kept per node for the deadline's percentile. */
    private static final int WINDOW = 64;
    /** A node's figures stay as measured this long after its last answer, then fade (half-life the same), ms. */
    static final long FRESH_MILLIS = 2_000;

    private final java.util.function.LongSupplier clock;

    private final ConcurrentHashMap<UUID, Stats> stats = new ConcurrentHashMap<>();
    private final long deadlineFloorNanos;

    ReplicaSelector(long deadlineFloorMillis) {
        this(deadlineFloorMillis, System::nanoTime);
    }

    /** @param clock nanosecond clock (tests inject one). */
    ReplicaSelector(long deadlineFloorMillis, java.util.function.LongSupplier clock) {
        this(deadlineFloorMillis, clock, false);
    }

    /** @param roundRobin choose copies in turn, blind to load (benchmarks compare it with the formula). */
    ReplicaSelector(long deadlineFloorMillis, java.util.function.LongSupplier clock, boolean roundRobin) {
        this.deadlineFloorNanos = deadlineFloorMillis * 1_000_000L;
        this.clock = clock;
        this.roundRobin = roundRobin;
    }

    private final boolean roundRobin;
    /** Round-robin's turn per segment or shard (one counter for all would hand a search's segments out in lockstep). */
    private final ConcurrentHashMap<Long, AtomicInteger> turns = new ConcurrentHashMap<>();

    /** @return {@code value} faded towards {@code floor} by the time since {@code last} (see the class comment). */
    private double faded(double value, double floor, long last, long now) {
        long idle = now - last - FRESH_MILLIS * 1_000_000L;
        if (idle <= 0 || value <= floor)
            return value;
        return floor + (value - floor) * Math.pow(0.5, idle / (FRESH_MILLIS * 1e6));
    }

    private Stats of(UUID node) {
        return stats.computeIfAbsent(node, k -> new Stats());
    }

    /**
     * @param planned work the search being planned already gave each candidate (same order as {@code cand}).
     * @param key what is being placed (a segment id, or a negative number for a shard's growing rows): round-robin
     *      takes turns per key.
     * @return index of the candidate to use.
     */
    int choose(List<UUID> cand, int[] planned, long key) {
        return choose(cand, planned, key, 1);
    }

    /**
     * @param plannedWeight weight of {@code planned} (this search's own batches) in the queue estimate: the number of
     *      server nodes, so that a search spreads its segments over the copies instead of piling them on the node
     *      that answered fastest (its latency is that of its slowest job).
     */
    int choose(List<UUID> cand, int[] planned, long key, int plannedWeight) {
        if (roundRobin) {
            if (turns.size() > 100_000)
                turns.clear();
            return Math.floorMod(turns.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement(), cand.size());
        }
        double fastestS = Double.MAX_VALUE;
        double fastestR = Double.MAX_VALUE;
        for (UUID n : cand) {
            Stats s = stats.get(n);
            if (s != null && s.known) {
                fastestS = Math.min(fastestS, s.service);
                fastestR = Math.min(fastestR, s.response);
            }
        }
        if (fastestS == Double.MAX_VALUE) {
            fastestS = 1;
            fastestR = 1;
        }
        double bestScore = Double.MAX_VALUE;
        double[] scores = new double[cand.size()];
        long now = clock.getAsLong();
        boolean[] suspect = new boolean[cand.size()];
        boolean anyTrusted = false;
        for (int i = 0; i < cand.size(); i++) {
            suspect[i] = suspect(stats.get(cand.get(i)), now);
            anyTrusted |= !suspect[i];
        }
        for (int i = 0; i < cand.size(); i++) {
            if (suspect[i] && anyTrusted) {
                scores[i] = Double.MAX_VALUE;
                continue;
            }
            Stats s = stats.get(cand.get(i));
            double svc = s == null || !s.known ? fastestS : faded(s.service, fastestS, s.lastNanos, now);
            double resp = s == null || !s.known ? fastestR : faded(s.response, fastestR, s.lastNanos, now);
            int out = s == null ? 0 : s.outstanding.get();
            boolean fresh = s != null && now - s.lastNanos <= FRESH_MILLIS * 1_000_000L;
            int queue = fresh ? s.queue : 0;
            int routers = fresh ? Math.max(1, s.routers) : 1;
            double q = 1 + (double)out * routers + (double)planned[i] * plannedWeight + queue;
            scores[i] = Math.max(0, resp - svc) + q * q * q * svc;
            bestScore = Math.min(bestScore, scores[i]);
        }
        // Near ties are ties: copies within NEAR_TIE of the best score differ by noise (a local copy answers a little
        // faster than a remote one), and always taking the lowest would leave the other copies idle under sequential
        // load. One of them is taken at random.
        int ties = 0;
        int pick = -1;
        for (int i = 0; i < cand.size(); i++) {
            if (scores[i] != Double.MAX_VALUE && scores[i] <= bestScore * (1 + NEAR_TIE) &&
                ThreadLocalRandom.current().nextInt(++ties) == 0)
                pick = i;
        }
        return pick;
    }

    /** @return whether a job of the node passed its deadline within {@value #FRESH_MILLIS} ms and it has not answered since. */
    private static boolean suspect(Stats s, long now) {
        if (s == null)
            return false;
        long late = s.lateNanos;
        return late != 0 && now - late < FRESH_MILLIS * 1_000_000L;
    }

    /** Scores within this fraction above the best count as a tie. */
    static final double NEAR_TIE = 0.25;

    /** A job was sent to {@code node}. */
    void sent(UUID node) {
        of(node).outstanding.incrementAndGet();
    }

    /**
     * A job of {@code node} answered (or failed) after {@code responseNanos}, the node reporting its service time, the
     * other jobs it was running ({@code queue}) and the routers that sent it work lately ({@code routers}, 0 if unknown).
     */
    void answered(UUID node, long responseNanos, long serviceNanos, int queue, int routers) {
        Stats s = of(node);
        s.outstanding.updateAndGet(v -> Math.max(0, v - 1));
        synchronized (s) {
            s.queue = queue;
            s.routers = routers;
            if (!s.known) {
                s.response = responseNanos;
                s.service = Math.max(1, serviceNanos);
                s.known = true;
            }
            else {
                s.response += ALPHA * (responseNanos - s.response);
                if (serviceNanos > 0)
                    s.service += ALPHA * (serviceNanos - s.service);
            }
            s.window[(int)(s.samples % WINDOW)] = responseNanos;
            s.samples++;
            s.lastNanos = clock.getAsLong();
            s.lateNanos = 0;
        }
    }

    /**
     * A job of {@code node} has been out {@code elapsedNanos} and passed its deadline: the node is suspect (see the
     * class comment) until it answers or {@value #FRESH_MILLIS} ms pass, so a stalled node loses work at once rather
     * than when (if ever) it answers. Its figures stay as they were: when the suspicion lapses the node is tried again
     * on them, and a node that recovered is used again at once (a late job raising its response time instead kept a
     * resumed node idle for many seconds while the raise faded). Its deadline window keeps real answers only, so the
     * stall does not lengthen its next deadlines.
     */
    void late(UUID node, long elapsedNanos) {
        Stats s = of(node);
        synchronized (s) {
            long now = clock.getAsLong();
            if (!s.known) {
                s.response = elapsedNanos;
                s.service = elapsedNanos;
                s.known = true;
                s.lastNanos = now;
            }
            s.lateNanos = now == 0 ? 1 : now;
        }
    }

    /** A job of {@code node} is given up (failed, or its search is over without it). */
    void abandoned(UUID node) {
        of(node).outstanding.updateAndGet(v -> Math.max(0, v - 1));
    }

    /**
     * @return how long a job on {@code node} may take before its work is hedged on other copies, ns: from the node's
     *     own recent answers, or, while it has fewer than {@value #MIN_SAMPLES} (this router rarely used it: another
     *     router served the client until a failover, or the node just joined), from every node's recent answers to
     *     this router; one second while the router has fewer than that in all. (With a second for every node it knew
     *     little of, a router that took over a thin client's calls after a kill -9 waited for the dead node to be
     *     declared failed, 0.6 s in the GloVe-100 cluster benchmark, instead of hedging.)
     */
    long deadlineNanos(UUID node) {
        Stats s = stats.get(node);
        long[] copy = s == null ? new long[0] : window(s);
        if (copy.length < MIN_SAMPLES) {
            java.util.List<long[]> all = new java.util.ArrayList<>();
            int n = 0;
            for (Stats o : stats.values()) {
                long[] w = window(o);
                all.add(w);
                n += w.length;
            }
            if (n < MIN_SAMPLES)
                return Math.max(deadlineFloorNanos, 1_000_000_000L);
            copy = new long[n];
            int at = 0;
            for (long[] w : all) {
                System.arraycopy(w, 0, copy, at, w.length);
                at += w.length;
            }
        }
        java.util.Arrays.sort(copy);
        long p95 = copy[(int)Math.min(copy.length - 1, Math.floor(copy.length * 0.95))];
        return Math.max(deadlineFloorNanos, 3 * p95);
    }

    /** Answers a node needs before its own response times set its deadline. */
    static final int MIN_SAMPLES = 8;

    /** @return the node's recent response times (its real answers), oldest order not kept. */
    private static long[] window(Stats s) {
        synchronized (s) {
            return java.util.Arrays.copyOf(s.window, (int)Math.min(s.samples, WINDOW));
        }
    }

    /** @return the work this router has in flight on {@code node}. */
    int outstanding(UUID node) {
        Stats s = stats.get(node);
        return s == null ? 0 : s.outstanding.get();
    }

    /** Per node: moving averages in ns, recent response times, work in flight. */
    private static final class Stats {
        final AtomicInteger outstanding = new AtomicInteger();
        final long[] window = new long[WINDOW];
        double response;
        double service;
        long samples;
        /** Whether {@link #response} and {@link #service} hold figures (from answers or from a late job). */
        volatile boolean known;
        /** Other jobs the node ran when it last answered. */
        volatile int queue;
        /** Routers that had sent the node work lately, when it last answered. */
        volatile int routers;
        long lastNanos;
        /** When a job of the node last passed its deadline, 0 if it answered since (see {@link #suspect}). */
        volatile long lateNanos;
    }
}
