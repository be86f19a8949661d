package io.vecgrid.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Machine stalls as the benchmark's JVM sees them: a daemon thread sleeps {@value #TICK_MS} ms over and over, and any
 * wake-up later than {@value #THRESHOLD_MS} ms past due counts as a stall (as Ignite's own JVM pause detector does in
 * each node). On a shared machine, the nodes log such pauses at the same instants as this JVM: the whole machine
 * stood still (CPU starvation, disk writeback), so a window that contains them measures the machine, not vecgrid.
 */
final class PauseDetector {
    static final long TICK_MS = 20;
    static final long THRESHOLD_MS = 100;

    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private volatile long maxNanos;

    PauseDetector() {
        Thread t = new Thread(this::run, "pause-detector");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        while (true) {
            long before = System.nanoTime();
            try {
                Thread.sleep(TICK_MS);
            }
            catch (InterruptedException e) {
                return;
            }
            long late = System.nanoTime() - before - TICK_MS * 1_000_000L;
            if (late > THRESHOLD_MS * 1_000_000L) {
                totalNanos.addAndGet(late);
                count.incrementAndGet();
                synchronized (this) {
                    if (late > maxNanos)
                        maxNanos = late;
                }
            }
        }
    }

    /** What was seen so far; the difference of two tells what a window saw, the second's max is the window's longest. */
    Snapshot snapshot() {
        synchronized (this) {
            long m = maxNanos;
            maxNanos = 0;
            return new Snapshot(totalNanos.get(), count.get(), m);
        }
    }

    static final class Snapshot {
        final long totalNanos;
        final long count;
        /** Longest stall since the previous snapshot. */
        final long maxNanos;

        Snapshot(long totalNanos, long count, long maxNanos) {
            this.totalNanos = totalNanos;
            this.count = count;
            this.maxNanos = maxNanos;
        }
    }
}
