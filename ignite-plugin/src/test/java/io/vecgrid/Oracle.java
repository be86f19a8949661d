package io.vecgrid;

import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchHit;
import io.vecgrid.index.DistanceKernel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact top-k by brute force over the rows the test knows are live, with the project's kernel, and a comparison that
 * a search result equals it: same length, same distances position by position, and every returned key is one whose
 * exact distance ties or beats the k-th (so only true ties may be ordered differently).
 */
public final class Oracle {
    private final Metric metric;
    private final Map<Long, float[]> rows;

    public Oracle(Metric metric, Map<Long, float[]> rows) {
        this.metric = metric;
        this.rows = rows;
    }

    public static final class Hit {
        public final long pk;
        public final float distance;

        Hit(long pk, float distance) {
            this.pk = pk;
            this.distance = distance;
        }
    }

    public List<Hit> topK(float[] q, int k, LongPredicate accept) {
        List<Hit> all = new ArrayList<>();
        for (Map.Entry<Long, float[]> e : rows.entrySet()) {
            if (accept == null || accept.test(e.getKey()))
                all.add(new Hit(e.getKey(), DistanceKernel.distance(metric, q, 0, e.getValue(), 0, q.length)));
        }
        all.sort((a, b) -> {
            float ra = metric.rankKey(a.distance), rb = metric.rankKey(b.distance);
            return ra != rb ? Float.compare(ra, rb) : Long.compare(a.pk, b.pk);
        });
        return all.subList(0, Math.min(k, all.size()));
    }

    /** Asserts that {@code hits} is an exact top-k of {@code q}. */
    public void assertExact(float[] q, int k, List<SearchHit> hits, LongPredicate accept, String what) {
        List<Hit> exp = topK(q, k, accept);
        assertEquals(exp.size(), hits.size(), what + ": number of hits");
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < exp.size(); i++) {
            SearchHit h = hits.get(i);
            assertTrue(seen.add(h.pk()), what + ": pk " + h.pk() + " returned twice");
            float[] v = rows.get(h.pk());
            assertTrue(v != null, what + ": pk " + h.pk() + " is not a live row");
            assertTrue(accept == null || accept.test(h.pk()), what + ": pk " + h.pk() + " does not pass the filter");
            float exact = DistanceKernel.distance(metric, q, 0, v, 0, q.length);
            assertTrue(close(exact, h.distance()), what + ": distance of pk " + h.pk() + " is " + h.distance() + ", exact " + exact);
            assertTrue(close(exp.get(i).distance, h.distance()), what + ": hit " + i + " has distance " + h.distance() +
                " (pk " + h.pk() + "), the exact top-k has " + exp.get(i).distance + " (pk " + exp.get(i).pk + ")");
        }
    }

    private static boolean close(float a, float b) {
        return Math.abs(a - b) <= 1e-4f * (1 + Math.abs(a));
    }
}
