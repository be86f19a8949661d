package io.vecgrid.search;

import java.util.function.LongSupplier;

/**
 * Recent per-segment search latency on this node, as an exponentially weighted moving average, reported to routers
 * so that they send less work to slow nodes. Thread-safe.
 * <p>
 * The figure ages: once no segment has been searched here for {@link #FRESH_NANOS}, it halves every
 * {@link #HALF_LIFE_NANOS}. Routers avoid a node that reports itself slow, so without ageing one slow moment (a GC
 * pause, a burst of load) would keep a node out of every later plan, and with no new samples it would never recover.
 * A faded figure makes the node look fast again, it is planned work, and that work measures it afresh.
 */
public final class SearchStats {
    private static final double ALPHA = 0.2;

    /** How long a measurement stands unchanged. */
    static final long FRESH_NANOS = 2_000_000_000L;

    /** After that, how long it takes to halve. */
    static final long HALF_LIFE_NANOS = 2_000_000_000L;

    private final LongSupplier clock;
    private double ewmaMicros;
    private long lastSample;

    public SearchStats() {
        this(System::nanoTime);
    }

    SearchStats(LongSupplier clock) {
        this.clock = clock;
    }

    public synchronized void record(long nanos) {
        double us = nanos / 1000.0;
        double prev = latencyMicros();
        ewmaMicros = prev == 0 ? us : ALPHA * us + (1 - ALPHA) * prev;
        lastSample = clock.getAsLong();
    }

    /** @return the recent latency in µs, faded if no segment was searched lately; 0 when unknown. */
    public synchronized double latencyMicros() {
        if (ewmaMicros == 0)
            return 0;
        long idle = clock.getAsLong() - lastSample - FRESH_NANOS;
        return idle <= 0 ? ewmaMicros : ewmaMicros * Math.pow(0.5, (double)idle / HALF_LIFE_NANOS);
    }
}
