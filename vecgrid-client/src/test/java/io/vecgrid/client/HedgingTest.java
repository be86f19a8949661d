package io.vecgrid.client;

import io.vecgrid.api.SearchRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hedging delay of {@link Hedging}: learned per kind of call, bounded below; and which calls may be hedged. */
class HedgingTest {
    private static final long MS = 1_000_000L;

    @Test
    void delayIsThreeTimesTheKindsP95AtLeastTheFloor() {
        Hedging h = new Hedging();
        String kind = "SEARCH";
        assertEquals(Hedging.UNKNOWN_MILLIS * MS, h.delayNanos(kind), "too few calls measured: the fixed delay");
        for (int i = 1; i < Hedging.MIN_SAMPLES; i++)
            h.record(kind, 10 * MS);
        assertEquals(Hedging.UNKNOWN_MILLIS * MS, h.delayNanos(kind), "one call short of the minimum");
        h.record(kind, 10 * MS);
        assertEquals(30 * MS, h.delayNanos(kind));
        // 100 calls of 1..100 ms: the window keeps the last 64 (37..100 ms); the 95th percentile (the 61st of 64) is 97 ms.
        for (int i = 1; i <= 100; i++)
            h.record(kind, i * MS);
        assertEquals(3 * 97 * MS, h.delayNanos(kind));
        for (int i = 0; i < Hedging.WINDOW; i++)
            h.record(kind, MS / 10);
        assertEquals(Hedging.FLOOR_MILLIS * MS, h.delayNanos(kind), "fast calls: the floor");
        assertEquals(Hedging.UNKNOWN_MILLIS * MS, h.delayNanos("COUNT"), "each kind has its own latencies");
    }

    @Test
    void aFixedDelayHoldsForEveryKindUntilItIsCleared() {
        Hedging h = new Hedging();
        for (int i = 0; i < Hedging.WINDOW; i++)
            h.record("SEARCH", 10 * MS);
        h.fixDelay(0);
        assertEquals(0, h.delayNanos("SEARCH"), "fixed over the learned delay");
        assertEquals(0, h.delayNanos("COUNT"), "fixed for kinds never measured too");
        h.fixDelay(5 * MS);
        assertEquals(5 * MS, h.delayNanos("SEARCH"));
        h.fixDelay(-1);
        assertEquals(30 * MS, h.delayNanos("SEARCH"), "learned again");
    }

    @Test
    void searchesAndGetsOfDifferentSizesAreDifferentKinds() {
        assertEquals("SEARCH", Hedging.kind(search(1)));
        assertEquals("SEARCH/1", Hedging.kind(search(2)));
        assertEquals("SEARCH/3", Hedging.kind(search(8)));
        assertEquals("SEARCH/4", Hedging.kind(search(9)));
        assertEquals("GET/7", Hedging.kind(VecgridRequest.get("c", new long[100], List.of())));
        assertEquals("COUNT", Hedging.kind(VecgridRequest.count("c")));
        assertNotEquals(Hedging.kind(search(1)), Hedging.kind(search(100)));
    }

    @Test
    void onlyReadsAreHedged() {
        for (VecgridRequest.Op op : VecgridRequest.Op.values()) {
            boolean read = switch (op) {
                case DESCRIBE, LIST, GET, COUNT, SEARCH, REPLICAS, STATUS, NODE, BACKUP_LIST -> true;
                default -> false;
            };
            assertEquals(read, op.hedged(), op.name());
            if (op.hedged())
                assertTrue(op.retriable(), op + " is hedged, so it must be safe to resend");
        }
        assertFalse(VecgridRequest.Op.UPSERT.hedged(), "an idempotent write sent twice could land after a later write");
    }

    private static VecgridRequest search(int nq) {
        return VecgridRequest.search(SearchRequest.builder("c", new float[nq][] , 10).build());
    }
}
