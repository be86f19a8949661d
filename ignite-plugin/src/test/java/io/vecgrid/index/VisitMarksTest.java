package io.vecgrid.index;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Visit marks across searches, through the wrap of their 16-bit epoch (the marks are cleared, nothing is stale). */
class VisitMarksTest {
    /** Epoch values in use before the marks are cleared: 1 .. 65,534. */
    private static final int EPOCHS = Character.MAX_VALUE - 1;

    @Test
    void eachSearchStartsWithNothingVisitedAcrossTheEpochWrap() {
        // Search s visits row s % EPOCHS: every row again exactly EPOCHS searches later, when the epoch takes the same
        // value again; had the wrap not cleared the marks, the row would read as visited already.
        VisitMarks m = new VisitMarks(EPOCHS);
        for (int s = 0; s < 2 * EPOCHS + 10; s++) {
            m.next();
            int r = s % EPOCHS;
            assertTrue(m.visit(r), "row " + r + " unvisited at the start of search " + s);
            assertFalse(m.visit(r), "row " + r + " visited once in search " + s);
        }
    }

    @Test
    void rowsVisitedInOneSearchAreMarkedUntilTheNext() {
        VisitMarks m = new VisitMarks(5);
        m.next();
        assertTrue(m.visit(3));
        assertTrue(m.visit(4));
        assertFalse(m.visit(3));
        m.next();
        assertTrue(m.visit(3));
        assertTrue(m.visit(4));
    }
}
