package io.vecgrid.index;

import io.vecgrid.api.Metric;

/**
 * Bounded max-heap of the best {@code k} (row, rank key) pairs seen, in parallel primitive arrays. Rank keys follow
 * {@link Metric#rankKey}: smaller is closer. The root is the worst kept pair, so a scan rejects most rows with one
 * comparison ({@link #worstKey}). Ties on the key keep the smaller ordinal. Not thread-safe: one per query.
 */
final class TopKHeap {
    private final float[] keys;
    private final int[] ords;
    private int size;

    TopKHeap(int capacity) {
        assert capacity > 0;
        keys = new float[capacity];
        ords = new int[capacity];
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == keys.length;
    }

    /** @return key of the worst kept pair; {@code +Inf} while not full, so every key beats it. */
    float worstKey() {
        return size == keys.length ? keys[0] : Float.POSITIVE_INFINITY;
    }

    /** Offers a pair; kept if the heap is not full or the pair beats the worst kept one. */
    void offer(int ord, float key) {
        assert !Float.isNaN(key) : "NaN distance for row " + ord;
        if (size < keys.length) {
            int i = size++;
            keys[i] = key;
            ords[i] = ord;
            siftUp(i);
        }
        else if (key < keys[0] || (key == keys[0] && ord < ords[0])) {
            keys[0] = key;
            ords[0] = ord;
            siftDown(0);
        }
    }

    /** @return true when (ka, oa) is worse than (kb, ob): larger key, or the same key and a larger ordinal. */
    private static boolean worse(float ka, int oa, float kb, int ob) {
        return ka > kb || (ka == kb && oa > ob);
    }

    private void siftUp(int i) {
        float k = keys[i];
        int o = ords[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!worse(k, o, keys[p], ords[p]))
                break;
            keys[i] = keys[p];
            ords[i] = ords[p];
            i = p;
        }
        keys[i] = k;
        ords[i] = o;
    }

    private void siftDown(int i) {
        float k = keys[i];
        int o = ords[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && worse(keys[r], ords[r], keys[c], ords[c]))
                c = r;
            if (!worse(keys[c], ords[c], k, o))
                break;
            keys[i] = keys[c];
            ords[i] = ords[c];
            i = c;
        }
        keys[i] = k;
        ords[i] = o;
    }

    /**
     * Empties the heap into {@code ords} and {@code keys}, best first, keys unchanged (graph builds).
     *
     * @return how many pairs were written.
     */
    int drainBestFirst(int[] ords, float[] keys) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            ords[i] = this.ords[0];
            keys[i] = this.keys[0];
            size--;
            if (size > 0) {
                this.keys[0] = this.keys[size];
                this.ords[0] = this.ords[size];
                siftDown(0);
            }
        }
        return n;
    }

    /** Empties the heap into hits, best first, turning rank keys back into distances of {@code metric}. */
    SearchHits drain(Metric metric) {
        int n = size;
        int[] o = new int[n];
        float[] d = new float[n];
        drainBestFirst(o, d);
        if (metric.largerIsCloser()) {
            for (int i = 0; i < n; i++)
                d[i] = -d[i];
        }
        return n == 0 ? SearchHits.EMPTY : new SearchHits(o, d, n);
    }
}
