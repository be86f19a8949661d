package io.vecgrid.search;

/**
 * Recent per-segment search latency on this node, as an exponentially weighted moving average, reported to routers
 * so that they send less work to slow nodes. Thread-safe.
 */
public final class SearchStats {
    private static final double ALPHA = 0.2;
    private double ewmaMicros;

    public synchronized void record(long nanos) {
        double us = nanos / 1000.0;
        ewmaMicros = ewmaMicros == 0 ? us : ALPHA * us + (1 - ALPHA) * ewmaMicros;
    }

    public synchronized double latencyMicros() {
        return ewmaMicros;
    }
}
