package io.vecgrid.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecgrid.api.Metric;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** The graph {@link GraphBuilder} makes, read back from its {@link FrozenGraph}: shape, bounds, reachability. */
class GraphBuilderTest {
    private static final int DIM = 32;
    private static final int M = 8;

    /** Every list within its level's bound, no row its own neighbour, no neighbour twice, every row on level 0. */
    @Test void listsRespectTheirBoundsOnEveryLevel() {
        for (Metric metric : Metric.values()) {
            FrozenGraph g = build(metric, 4000, 3);
            assertTrue(g.levels() > 1, "a graph of 4,000 rows has upper levels: " + g);
            for (int l = 0; l < g.levels(); l++) {
                int bound = l == 0 ? 2 * M : M;
                assertEquals(bound, g.getDegree(l), metric + " level " + l + " stored bound");
                var nodes = g.getNodes(l);
                while (nodes.hasNext()) {
                    int r = nodes.nextInt();
                    int[] n = g.neighbours(l, r);
                    assertTrue(n.length <= bound, metric + " row " + r + " level " + l + " holds " + n.length + " > " + bound);
                    Set<Integer> seen = new HashSet<>();
                    for (int x : n) {
                        assertTrue(x != r, metric + " row " + r + " is its own neighbour on level " + l);
                        assertTrue(seen.add(x), metric + " row " + r + " lists " + x + " twice on level " + l);
                        assertTrue(g.position(l, x) >= 0, metric + " row " + r + " links to " + x + ", absent from level " + l);
                    }
                }
            }
            assertEquals(g.levels() - 1, levelOf(g, g.entryNodeId()), metric + ": the entry is on the top level");
        }
    }

    /** Level 0 is one connected graph from the entry: every row can be found by a search. */
    @Test void everyRowIsReachableFromTheEntry() {
        for (Metric metric : Metric.values())
            assertEquals(3000, reachable(build(metric, 3000, 2), 3000), metric + ": rows reachable from the entry on level 0");
    }

    /**
     * With M = 2 or 3 pruning orphans many rows, and a search for an orphan often ends among other orphans: the row
     * that links it must be one the entry reaches. One-thread builds, so each case is the same graph on every run
     * (before that rule, most of these graphs lost rows: up to a fifth of them with M = 2).
     */
    @Test void sparseGraphsReachEveryRowToo() {
        for (int m = 2; m <= 3; m++) {
            for (int seed = 0; seed < 4; seed++) {
                for (Metric metric : Metric.values()) {
                    FrozenGraph g = build(metric, 3000, 1, m, seed);
                    assertEquals(3000, reachable(g, 3000), metric + " M=" + m + " seed " + seed + ": rows reachable from the entry");
                }
            }
        }
    }

    /** @return how many of the graph's {@code rows} rows level 0 reaches from the entry. */
    static int reachable(FrozenGraph g, int rows) {
        boolean[] seen = new boolean[rows];
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        todo.add(g.entryNodeId());
        seen[g.entryNodeId()] = true;
        int reached = 1;
        while (!todo.isEmpty()) {
            for (int x : g.neighbours(0, todo.poll())) {
                if (!seen[x]) {
                    seen[x] = true;
                    reached++;
                    todo.add(x);
                }
            }
        }
        return reached;
    }

    /** A one-thread build is reproducible: same rows, same graph. */
    @Test void oneThreadBuildsAreReproducible() {
        assertEquals(build(Metric.L2, 1500, 1), build(Metric.L2, 1500, 1));
    }

    /** Tiny graphs: one row has no neighbours, two rows link to each other. */
    @Test void tinyGraphs() {
        FrozenGraph one = build(Metric.L2, 1, 2);
        assertEquals(0, one.entryNodeId());
        assertEquals(0, one.neighbours(0, 0).length);
        FrozenGraph two = build(Metric.COSINE, 2, 2);
        assertEquals(1, two.neighbours(0, 0).length);
        assertEquals(1, two.neighbours(0, 1).length);
    }

    /** @return the top level of row {@code r} in {@code g}. */
    static int levelOf(FrozenGraph g, int r) {
        int top = 0;
        for (int l = 1; l < g.levels(); l++) {
            if (g.position(l, r) >= 0)
                top = l;
        }
        return top;
    }

    private static FrozenGraph build(Metric metric, int rows, int threads) {
        return build(metric, rows, threads, M, rows);
    }

    private static FrozenGraph build(Metric metric, int rows, int threads, int m, long seed) {
        float[] d = TestData.clustered(new Random(seed), rows, DIM, 12, 0.25);
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            VectorData data = VectorData.of(d);
            float[] norms = metric == Metric.COSINE ? FlatScan.inverseNorms(FlatScan.squares(data, DIM, rows)) : null;
            return GraphBuilder.build(metric, data, DIM, rows, norms, m, 64, pool);
        }
        finally {
            pool.shutdown();
        }
    }
}
