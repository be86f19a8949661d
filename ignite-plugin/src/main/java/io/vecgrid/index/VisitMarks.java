package io.vecgrid.index;

import java.util.Arrays;

/**
 * Which rows one graph search has visited: an epoch tag per row, so starting a search is one increment, not a clear.
 * Two bytes a row, as hnswlib's visited list: half the cache footprint of an {@code int} per row, which keeps the marks
 * of a few hundred thousand rows within a core's L2 cache; the array is cleared once every 65,535 searches. Not
 * thread-safe: one per searching or building thread.
 */
final class VisitMarks {
    private final char[] marks;
    private char epoch;

    VisitMarks(int rows) {
        marks = new char[rows];
    }

    /** Starts a search: no row is visited. */
    void next() {
        if (++epoch == Character.MAX_VALUE) {
            Arrays.fill(marks, (char)0);
            epoch = 1;
        }
    }

    /** Marks row {@code r} visited; @return {@code true} if it was not yet. */
    boolean visit(int r) {
        if (marks[r] == epoch)
            return false;
        marks[r] = epoch;
        return true;
    }

    /** @return bytes held. */
    static long bytes(int rows) {
        return 16 + 2L * rows;
    }
}
