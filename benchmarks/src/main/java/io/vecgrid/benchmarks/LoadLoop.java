package io.vecgrid.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load for the cluster benchmark: {@code threads} threads each run the body back to back (with an
 * optional pause after each call) until {@link #close()}, and every call is recorded as an {@link Op}: when it
 * started, how long it took, whether it returned or threw, and what it said.
 */
final class LoadLoop implements AutoCloseable {
    /** One call. Times are {@link System#nanoTime()}. */
    static final class Op {
        final String kind;
        final long startNanos;
        final long latencyNanos;
        final boolean ok;
        /** What the body returned (ok) or the error (failed), or {@code null}. */
        final String info;

        Op(String kind, long startNanos, long latencyNanos, boolean ok, String info) {
            this.kind = kind;
            this.startNanos = startNanos;
            this.latencyNanos = latencyNanos;
            this.ok = ok;
            this.info = info;
        }

        long endNanos() {
            return startNanos + latencyNanos;
        }

        double millis() {
            return latencyNanos / 1e6;
        }
    }

    /** The work of one call; {@code seq} counts the calls of all threads of the loop. */
    @FunctionalInterface
    interface Body {
        /** @return a note recorded with the call (may be {@code null}). */
        String run(int thread, long seq) throws Exception;
    }

    private final String kind;
    private final Body body;
    private final long pauseMillis;
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final AtomicLong seq = new AtomicLong();
    /** Per thread: when its call in flight started ({@link System#nanoTime()}), or 0 between calls. */
    private final java.util.concurrent.atomic.AtomicLongArray inFlightSince;
    private volatile boolean stop;

    LoadLoop(String kind, int threads, long pauseMillis, Body body) {
        this.kind = kind;
        this.body = body;
        this.pauseMillis = pauseMillis;
        this.inFlightSince = new java.util.concurrent.atomic.AtomicLongArray(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> loop(id), "load-" + kind + "-" + t);
            th.setDaemon(true);
            this.threads.add(th);
        }
    }

    LoadLoop start() {
        threads.forEach(Thread::start);
        return this;
    }

    private void loop(int id) {
        while (!stop) {
            long s = seq.getAndIncrement();
            long t0 = System.nanoTime();
            inFlightSince.set(id, t0 == 0 ? 1 : t0);
            String info;
            boolean ok;
            try {
                info = body.run(id, s);
                ok = true;
            }
            catch (Throwable e) {
                String m = String.valueOf(e);
                info = m.length() > 300 ? m.substring(0, 300) + "..." : m;
                ok = false;
            }
            inFlightSince.set(id, 0);
            ops.add(new Op(kind, t0, System.nanoTime() - t0, ok, info));
            if (pauseMillis > 0 && !stop) {
                try {
                    Thread.sleep(pauseMillis);
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** @return the calls recorded so far (a copy). */
    List<Op> ops() {
        return new ArrayList<>(ops);
    }

    /** @return how long the oldest call now in flight has been running, ns (0 if none). */
    long longestInFlightNanos() {
        long now = System.nanoTime();
        long res = 0;
        for (int i = 0; i < inFlightSince.length(); i++) {
            long since = inFlightSince.get(i);
            if (since != 0)
                res = Math.max(res, now - since);
        }
        return res;
    }

    /** Stops the threads and waits for the calls in flight (at most {@code waitMs} each). */
    void stop(long waitMs) {
        stop = true;
        for (Thread t : threads) {
            try {
                t.join(waitMs);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override public void close() {
        stop(120_000);
    }

    /** @return the calls of {@code ops} that started at or after {@code from} and ended by {@code to}. */
    static List<Op> within(Collection<Op> ops, long from, long to) {
        List<Op> res = new ArrayList<>();
        for (Op o : ops) {
            if (o.startNanos >= from && o.endNanos() <= to)
                res.add(o);
        }
        return res;
    }
}
