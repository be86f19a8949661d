package io.vecgrid.index;

import io.github.jbellis.jvector.util.BitSet;
import io.github.jbellis.jvector.util.Bits;

/**
 * Counting the rows an accept mask lets through, exactly or by sampling, so that a graph search can hand a very
 * selective filter to the exact scan. Stateless, thread-safe.
 */
final class AcceptedRows {
    /** Rows sampled to estimate selectivity of a mask with no cardinality. */
    private static final int SAMPLES = 1024;

    private AcceptedRows() {
    }

    /** @return exact number of accepted rows among {@code 0..rows-1}. */
    static int count(Bits accept, int rows) {
        if (accept == null)
            return rows;
        if (accept instanceof BitSet && ((BitSet)accept).length() == rows)
            return ((BitSet)accept).cardinality();
        int c = 0;
        for (int r = 0; r < rows; r++) {
            if (accept.get(r))
                c++;
        }
        return c;
    }

    /**
     * @return number of accepted rows: exact for a jvector {@link BitSet} sized to the rows and for small row counts,
     *      otherwise extrapolated from {@value #SAMPLES} evenly spaced rows.
     */
    static int estimate(Bits accept, int rows) {
        if (accept == null)
            return rows;
        if ((accept instanceof BitSet && ((BitSet)accept).length() == rows) || rows <= 4 * SAMPLES)
            return count(accept, rows);
        double step = (double)rows / SAMPLES;
        int hits = 0;
        for (int i = 0; i < SAMPLES; i++) {
            if (accept.get((int)(step * i + step / 2)))
                hits++;
        }
        return (int)((long)hits * rows / SAMPLES);
    }
}
