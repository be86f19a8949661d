package io.vecgrid.index;

import java.util.Arrays;

/**
 * The candidates of an HNSW beam search still to expand: a min-heap of (key, row) in parallel primitive arrays,
 * growing as needed. Not thread-safe: one per walking or building thread, {@link #clear} per search.
 */
final class CandidateQueue {
    private float[] keys = new float[64];
    private int[] ords = new int[64];
    private int size;

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** @return the smallest key queued; only when not empty. */
    float bestKey() {
        return keys[0];
    }

    void push(float key, int ord) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            ords = Arrays.copyOf(ords, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key)
                break;
            keys[i] = keys[parent];
            ords[i] = ords[parent];
            i = parent;
        }
        keys[i] = key;
        ords[i] = ord;
    }

    /** Removes the row with the smallest key; only when not empty. @return that row. */
    int pop() {
        int best = ords[0];
        float key = keys[--size];
        int ord = ords[size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            if (c + 1 < size && keys[c + 1] < keys[c])
                c++;
            if (keys[c] >= key)
                break;
            keys[i] = keys[c];
            ords[i] = ords[c];
            i = c;
        }
        if (size > 0) {
            keys[i] = key;
            ords[i] = ord;
        }
        return best;
    }
}
