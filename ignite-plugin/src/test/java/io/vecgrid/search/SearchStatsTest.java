package io.vecgrid.search;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reported latency follows recent samples and fades when the node gets no work, so it is planned work again. */
class SearchStatsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SearchStats stats = new SearchStats(now::get);

    @Test
    void unknownUntilTheFirstSample() {
        assertEquals(0, stats.latencyMicros());
        stats.record(500_000);
        assertEquals(500, stats.latencyMicros(), 1e-9);
    }

    @Test
    void movingAverageWeightsTheNewestSampleByAFifth() {
        stats.record(1_000_000);
        stats.record(2_000_000);
        assertEquals(0.2 * 2000 + 0.8 * 1000, stats.latencyMicros(), 1e-9);
    }

    @Test
    void aStaleFigureHalvesEveryHalfLife() {
        stats.record(8_000_000);
        now.addAndGet(SearchStats.FRESH_NANOS);
        assertEquals(8000, stats.latencyMicros(), 1e-9, "still fresh");
        now.addAndGet(SearchStats.HALF_LIFE_NANOS);
        assertEquals(4000, stats.latencyMicros(), 1e-9);
        now.addAndGet(2 * SearchStats.HALF_LIFE_NANOS);
        assertEquals(1000, stats.latencyMicros(), 1e-9);
    }

    @Test
    void aNewSampleAfterIdleBlendsWithTheFadedFigure() {
        stats.record(8_000_000);
        now.addAndGet(SearchStats.FRESH_NANOS + SearchStats.HALF_LIFE_NANOS);
        stats.record(1_000_000);
        assertEquals(0.2 * 1000 + 0.8 * 4000, stats.latencyMicros(), 1e-9);
        now.addAndGet(SearchStats.FRESH_NANOS);
        assertEquals(0.2 * 1000 + 0.8 * 4000, stats.latencyMicros(), 1e-9, "fresh again after the sample");
    }
}
