package io.vecgrid.search;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reported latency follows recent samples and fades when the node gets no work, so it is planned work again; and
 * routers read differences within the noise band as none.
 */
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

    @Test
    void slownessIgnoresNoiseAndUnknowns() {
        assertEquals(1, SearchTask.slowness(0, 100));
        assertEquals(1, SearchTask.slowness(5000, 0));
        assertEquals(1, SearchTask.slowness(900, 50), "below a job's round trip, 18 times is noise");
        assertEquals(1, SearchTask.slowness(14_000, 10_000), "within 1.5 times is noise");
        assertEquals(2, SearchTask.slowness(30_000, 10_000), 1e-9);
        assertEquals(300, SearchTask.slowness(300_000, 100), 1e-9, "a 300 ms node against fast ones");
    }
}
