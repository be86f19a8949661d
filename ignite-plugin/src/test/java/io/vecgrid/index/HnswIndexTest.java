package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.FixedBitSet;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HNSW (vecgrid's graph builder and walk): recall against FLAT, filters inside the search, serialization, argument checks. */
class HnswIndexTest {
    private static final int DIM = 48;
    private static final int ROWS = 5000;
    private static final int K = 10;
    private static final IndexSpec SPEC = IndexSpec.hnsw(16, 100, 64);

    private static float[] data;
    private static float[][] queries;
    private static final Map<Metric, VectorIndex> HNSW = new EnumMap<>(Metric.class);
    private static final Map<Metric, VectorIndex> FLAT = new EnumMap<>(Metric.class);

    @BeforeAll static void build() {
        Random rnd = new Random(17);
        data = TestData.clustered(rnd, ROWS, DIM, 10, 0.3);
        queries = TestData.queries(rnd, data, ROWS, DIM, 300, 0.2);
        for (Metric metric : Metric.values()) {
            long t0 = System.nanoTime();
            HNSW.put(metric, VectorIndexes.build(SPEC, metric, DIM, data, ROWS));
            System.out.printf("HNSW %s build %d rows x %d: %d ms, %s%n", metric, ROWS, DIM, (System.nanoTime() - t0) / 1_000_000,
                ((HnswIndex)HNSW.get(metric)).graph());
            FLAT.put(metric, VectorIndexes.build(IndexSpec.flat(), metric, DIM, data, ROWS));
        }
    }

    private static double recall(VectorIndex hnsw, VectorIndex flat, int ef, Bits accept) {
        double sum = 0;
        for (float[] q : queries)
            sum += TestData.recall(flat.search(q, K, 0, accept), hnsw.search(q, K, ef, accept));
        return sum / queries.length;
    }

    @Test void recallAtTenAgainstFlat() {
        for (Metric metric : Metric.values()) {
            VectorIndex idx = HNSW.get(metric);
            assertEquals(IndexType.HNSW, idx.type());
            for (int ef : new int[] {10, 32, 64, 128}) {
                double r = recall(idx, FLAT.get(metric), ef, null);
                System.out.printf("HNSW %s recall@%d ef=%d: %.4f%n", metric, K, ef, r);
                if (ef == 64)
                    assertTrue(r >= 0.95, metric + " recall@10 " + r);
            }
        }
    }

    /**
     * A graph built from the graph of some of the rows (a merge starting from its largest source's graph): the seed's
     * rows, in another order, keep their levels, only the others are inserted, and the result searches as well as a
     * graph built from nothing (recall against FLAT at the same ef), with every row reachable.
     */
    @Test void buildFromTheGraphOfSomeRowsSearchesAsWellAsAFullBuild() {
        int[] seedRows = grownFromSeed(0);
        float[] seedData = seedData(seedRows, 0);
        java.nio.ByteBuffer vectors = TestData.buffer(data, true, 0);
        VectorIndex seed = VectorIndexes.build(SPEC, Metric.L2, DIM, seedData, seedRows.length);
        int[] twice = seedRows.clone();
        twice[1] = twice[0];
        assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(SPEC, Metric.L2, DIM, vectors, ROWS, seed, twice));
        assertThrows(IllegalArgumentException.class,
            () -> VectorIndexes.build(SPEC, Metric.L2, DIM, vectors, ROWS, seed, java.util.Arrays.copyOf(seedRows, 10)));
        // A seed of another M is not used: the index is built from nothing, over every row.
        VectorIndex other = VectorIndexes.build(IndexSpec.hnsw(8, 100, 64), Metric.L2, DIM, seedData, seedRows.length);
        assertEquals(ROWS, VectorIndexes.build(SPEC, Metric.L2, DIM, vectors, ROWS, other, seedRows).size());
    }

    /**
     * The same from a seed whose graph also holds rows the result drops (deleted rows of a merge's source, a tenth of
     * the seed here, seedRows -1): the lists through them are chosen again around them, and the result still reaches
     * every row and searches as well as a graph built from nothing.
     */
    @Test void buildFromAGraphWithDroppedRowsSearchesAsWellAsAFullBuild() {
        grownFromSeed(ROWS * 3 / 40);
    }

    /**
     * Builds, for every metric, a seed over three quarters of the rows in shuffled order plus {@code dropped} rows the
     * result does not have, grows it to every row and checks levels, reachability and recall. @return the seedRows.
     */
    private static int[] grownFromSeed(int dropped) {
        Random rnd = new Random(5);
        int kept = ROWS * 3 / 4;
        int[] perm = java.util.stream.IntStream.range(0, ROWS).toArray();
        for (int i = ROWS - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        // Seed row i is row perm[i] of the full set; the dropped rows come last, -1.
        int[] seedRows = java.util.Arrays.copyOf(perm, kept + dropped);
        java.util.Arrays.fill(seedRows, kept, kept + dropped, -1);
        float[] seedData = seedData(seedRows, dropped);
        java.nio.ByteBuffer vectors = TestData.buffer(data, true, 0);
        for (Metric metric : Metric.values()) {
            // The seed on one thread: the same graph on every run, so the check is of the growth alone. Two-thread
            // builds from nothing of these rows vary from build to build (before the builder's fixes of December
            // 2026, inner product once 0.9517 where one thread reaches 0.9997), which failed this test now and then.
            VectorIndex seed = oneThread(pool -> VectorIndexes.build(SPEC, metric, DIM, seedData, seedRows.length, pool));
            VectorIndex grown = VectorIndexes.build(SPEC, metric, DIM, vectors, ROWS, seed, seedRows);
            FrozenGraph s = ((HnswIndex)seed).graph(), g = ((HnswIndex)grown).graph();
            for (int i = 0; i < kept; i++)
                assertEquals(GraphBuilderTest.levelOf(s, i), GraphBuilderTest.levelOf(g, seedRows[i]),
                    metric + ": seed row " + i + " keeps its level");
            assertEquals(ROWS, GraphBuilderTest.reachable(g, ROWS), metric + ": rows reachable from the entry on level 0");
            double full = recall(HNSW.get(metric), FLAT.get(metric), 32, null);
            double got = recall(grown, FLAT.get(metric), 32, null);
            System.out.printf("HNSW %s recall@%d ef=32: %.4f from a seed of %d rows (%d dropped), %.4f built from nothing%n",
                metric, K, got, seedRows.length, dropped, full);
            // Within two points of a build from nothing, whose own recall varies by about one between parallel builds.
            assertTrue(got >= full - 0.02 && got >= 0.97, metric + ": recall " + got + " from a seed against " + full + " from nothing");
            assertEquals(ROWS, grown.size());
        }
        return seedRows;
    }

    /** @return what {@code build} returns on a pool of one thread, shut down after. */
    private static VectorIndex oneThread(java.util.function.Function<java.util.concurrent.ForkJoinPool, VectorIndex> build) {
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(1);
        try {
            return build.apply(pool);
        }
        finally {
            pool.shutdown();
        }
    }

    /** @return the seed's vectors: row {@code seedRows[i]} of the data, or for the last {@code dropped}, other vectors. */
    private static float[] seedData(int[] seedRows, int dropped) {
        Random rnd = new Random(9);
        float[] extra = TestData.clustered(rnd, Math.max(1, dropped), DIM, 10, 0.3);
        float[] out = new float[seedRows.length * DIM];
        for (int i = 0; i < seedRows.length; i++) {
            if (seedRows[i] >= 0)
                System.arraycopy(data, seedRows[i] * DIM, out, i * DIM, DIM);
            else
                System.arraycopy(extra, (i - (seedRows.length - dropped)) * DIM, out, i * DIM, DIM);
        }
        return out;
    }

    @Test void hitsCarryExactDistancesBestFirst() {
        for (Metric metric : Metric.values()) {
            VectorIndex idx = HNSW.get(metric);
            for (float[] q : queries) {
                SearchHits h = idx.search(q, K, 0, null);
                assertEquals(K, h.size());
                for (int i = 0; i < h.size(); i++) {
                    assertEquals(DistanceKernel.distance(metric, q, 0, data, h.ordinal(i) * DIM, DIM), h.distance(i), 0f);
                    if (i > 0)
                        assertTrue(metric.rankKey(h.distance(i - 1)) <= metric.rankKey(h.distance(i)));
                }
            }
        }
    }

    @Test void acceptBitsAreRespectedInsideTheSearch() {
        Random rnd = new Random(5);
        FixedBitSet most = new FixedBitSet(ROWS);
        FixedBitSet third = new FixedBitSet(ROWS);
        for (int r = 0; r < ROWS; r++) {
            if (rnd.nextInt(10) != 0)
                most.set(r);
            if (rnd.nextInt(3) == 0)
                third.set(r);
        }
        Bits notSeventh = r -> r % 7 != 3;
        for (Metric metric : Metric.values()) {
            HnswIndex idx = (HnswIndex)HNSW.get(metric);
            VectorIndex flat = FLAT.get(metric);
            // 90% and 86% accepted: the planner walks the graph.
            for (Bits accept : new Bits[] {most, notSeventh}) {
                double sum = 0;
                for (float[] q : queries) {
                    SearchHits h = idx.search(q, K, 0, accept);
                    assertEquals(K, h.size());
                    for (int i = 0; i < h.size(); i++)
                        assertTrue(accept.get(h.ordinal(i)), "rejected row returned");
                    sum += TestData.recall(flat.search(q, K, 0, accept), h);
                }
                System.out.printf("HNSW %s filtered (most rows) recall@%d: %.4f%n", metric, K, sum / queries.length);
                assertTrue(sum / queries.length >= 0.95, metric + " filtered recall " + sum / queries.length);
            }
            // A third accepted, forced through the graph walk (the planner would scan).
            double sum = 0;
            for (float[] q : queries) {
                SearchHits h = idx.searchGraph(q, K, 0, third);
                assertEquals(K, h.size());
                for (int i = 0; i < h.size(); i++)
                    assertTrue(third.get(h.ordinal(i)));
                sum += TestData.recall(flat.search(q, K, 0, third), h);
            }
            System.out.printf("HNSW %s graph walk with a third accepted, recall@%d: %.4f%n", metric, K, sum / queries.length);
            assertTrue(sum / queries.length >= 0.95, metric + " filtered recall " + sum / queries.length);
            // The planner's exact scan equals FLAT.
            for (float[] q : queries)
                assertEquals(flat.search(q, K, 0, third), idx.search(q, K, 0, third));
        }
    }

    @Test void graphWalkWithVerySelectiveFilterStillReturnsK() {
        HnswIndex idx = (HnswIndex)HNSW.get(Metric.L2);
        FixedBitSet few = new FixedBitSet(ROWS);
        for (int r = 11; r < ROWS; r += 613)
            few.set(r); // 9 rows
        for (float[] q : queries) {
            SearchHits h = idx.searchGraph(q, K, 16, few);
            assertEquals(few.cardinality(), h.size());
            assertEquals(FLAT.get(Metric.L2).search(q, K, 0, few), h);
        }
    }

    @Test void selectiveFiltersStillReturnKOrEveryAcceptedRow() {
        for (Metric metric : Metric.values()) {
            VectorIndex idx = HNSW.get(metric);
            for (int every : new int[] {7, 50, 499, 2500}) {
                FixedBitSet bits = new FixedBitSet(ROWS);
                for (int r = every / 2; r < ROWS; r += every)
                    bits.set(r);
                Bits lambda = r -> r % every == every / 2;
                int accepted = bits.cardinality();
                for (float[] q : queries) {
                    for (Bits accept : new Bits[] {bits, lambda}) {
                        SearchHits h = idx.search(q, K, 0, accept);
                        assertEquals(Math.min(K, accepted), h.size(), metric + " every " + every);
                        for (int i = 0; i < h.size(); i++)
                            assertTrue(accept.get(h.ordinal(i)));
                    }
                }
                assertEquals(accepted, idx.search(queries[0], ROWS, 0, bits).size());
            }
            assertEquals(0, idx.search(queries[0], K, 0, Bits.NONE).size());
            FixedBitSet one = new FixedBitSet(ROWS);
            one.set(1234);
            SearchHits h = idx.search(queries[0], K, 0, one);
            assertArrayEquals(new int[] {1234}, h.ordinals());
        }
    }

    @Test void kAboveEfAndAboveSize() {
        VectorIndex idx = HNSW.get(Metric.L2);
        SearchHits h = idx.search(queries[0], 200, 16, null);
        assertEquals(200, h.size());
        double r = TestData.recall(FLAT.get(Metric.L2).search(queries[0], 200, 0, null), h);
        assertTrue(r > 0.9, "recall@200 " + r);
        assertEquals(ROWS, idx.search(queries[0], ROWS + 10, 0, null).size());
    }

    @Test void batchedEqualsOneByOne() {
        for (Metric metric : Metric.values()) {
            VectorIndex idx = HNSW.get(metric);
            SearchHits[] batch = idx.search(queries, K, 40, null);
            for (int i = 0; i < queries.length; i++)
                assertEquals(idx.search(queries[i], K, 40, null), batch[i]);
        }
    }

    @Test void serializationRoundTripAnswersIdentically() throws IOException {
        for (Metric metric : Metric.values()) {
            VectorIndex idx = HNSW.get(metric);
            byte[] bytes = bytes(idx);
            long t0 = System.nanoTime();
            VectorIndex back = VectorIndexes.read(SPEC, metric, DIM, data, ROWS, new DataInputStream(new ByteArrayInputStream(bytes)));
            System.out.printf("HNSW %s: %d bytes serialized (%.1f per row), loaded in %d ms, ram %d bytes%n", metric, bytes.length,
                (double)bytes.length / ROWS, (System.nanoTime() - t0) / 1_000_000, back.ramBytesUsed());
            assertEquals(((HnswIndex)idx).graph(), ((HnswIndex)back).graph());
            assertArrayEquals(bytes, bytes(back));
            FixedBitSet half = new FixedBitSet(ROWS);
            for (int r = 0; r < ROWS; r += 2)
                half.set(r);
            for (float[] q : queries) {
                for (int ef : new int[] {10, 64}) {
                    assertEquals(idx.search(q, K, ef, null), back.search(q, K, ef, null));
                    assertEquals(idx.search(q, K, ef, half), back.search(q, K, ef, half));
                }
            }
        }
    }

    /**
     * The index a segment copy loads: vectors in a direct buffer, the written index bytes in another (at an offset),
     * the graph searched in place. Same graph, same neighbours node by node, same hits as the index it was written
     * from, and nothing of the graph on the heap.
     */
    @Test void writtenIndexReadInPlaceFromDirectBuffersAnswersIdentically() throws IOException {
        java.nio.ByteBuffer vectors = TestData.buffer(data, true, 0);
        FixedBitSet half = new FixedBitSet(ROWS);
        for (int r = 0; r < ROWS; r += 2)
            half.set(r);
        for (Metric metric : Metric.values()) {
            HnswIndex idx = (HnswIndex)HNSW.get(metric);
            byte[] bytes = bytes(idx);
            java.nio.ByteBuffer index = TestData.direct(bytes, 12);
            HnswIndex back = (HnswIndex)VectorIndexes.read(SPEC, metric, DIM, vectors, ROWS, index);
            assertEquals(12, index.position());
            FrozenGraph g = idx.graph(), gb = back.graph();
            assertEquals(g, gb);
            assertEquals(g.levels(), gb.levels());
            assertEquals(g.entryNodeId(), gb.entryNodeId());
            for (int l = 0; l < g.levels(); l++) {
                assertEquals(g.size(l), gb.size(l));
                for (int node = 0; node < ROWS; node++)
                    assertArrayEquals(g.neighbours(l, node), gb.neighbours(l, node), "level " + l + " node " + node);
            }
            assertTrue(gb.toString().contains("off-heap"), gb.toString());
            assertEquals(bytes.length - IndexFormat.HNSW_GRAPH_REGION_AT, back.offHeapBytesUsed());
            // Small objects only; COSINE keeps the rows' squared and inverse norms (8 bytes a row) on the heap.
            long small = 4096 + (metric == Metric.COSINE ? 32 + 8L * ROWS : 0);
            assertTrue(back.ramBytesUsed() < small, metric + " heap bytes of an index read in place: " + back.ramBytesUsed());
            assertTrue(idx.ramBytesUsed() > bytes.length - IndexFormat.HNSW_GRAPH_REGION_AT, "a built graph is on the heap");
            assertArrayEquals(bytes, bytes(back));
            for (float[] q : queries) {
                for (int ef : new int[] {10, 64}) {
                    assertEquals(idx.search(q, K, ef, null), back.search(q, K, ef, null));
                    assertEquals(idx.searchGraph(q, K, ef, half), back.searchGraph(q, K, ef, half));
                }
            }
            // The same bytes read from a stream over the same direct vectors: a heap graph, the same answers.
            VectorIndex streamed = VectorIndexes.read(SPEC, metric, DIM, vectors, ROWS, new DataInputStream(new ByteArrayInputStream(bytes)));
            assertEquals(0, streamed.offHeapBytesUsed());
            for (int i = 0; i < 50; i++)
                assertEquals(idx.search(queries[i], K, 32, null), streamed.search(queries[i], K, 32, null));
        }
    }

    /** Built over a direct buffer on one thread, the graph equals the one built over the float[]: same scores. */
    @Test void bufferBuildEqualsArrayBuild() {
        int rows = 1500;
        float[] d = java.util.Arrays.copyOf(data, rows * DIM);
        java.util.concurrent.ForkJoinPool one = new java.util.concurrent.ForkJoinPool(1);
        try {
            for (Metric metric : new Metric[] {Metric.L2, Metric.COSINE}) {
                HnswIndex arr = (HnswIndex)VectorIndexes.build(IndexSpec.hnsw(8, 40, 32), metric, DIM, d, rows, one);
                HnswIndex buf = (HnswIndex)VectorIndexes.build(IndexSpec.hnsw(8, 40, 32), metric, DIM, TestData.buffer(d, true, 0), rows, one);
                assertEquals(arr.graph(), buf.graph(), metric.toString());
                for (int i = 0; i < 50; i++)
                    assertEquals(arr.search(queries[i], K, 20, null), buf.search(queries[i], K, 20, null));
            }
        }
        finally {
            one.shutdown();
        }
    }

    @Test void corruptOrTruncatedBuffersAreRejected() throws IOException {
        VectorIndex idx = HNSW.get(Metric.L2);
        byte[] bytes = bytes(idx);
        java.nio.ByteBuffer vectors = TestData.buffer(data, true, 0);
        for (int cut : new int[] {3, 20, 30, IndexFormat.HNSW_GRAPH_REGION_AT + 40, bytes.length - 4}) {
            IOException e = assertThrows(IOException.class,
                () -> VectorIndexes.read(SPEC, Metric.L2, DIM, vectors, ROWS, TestData.direct(java.util.Arrays.copyOf(bytes, cut), 0).limit(cut)));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), cut + ": " + e.getMessage());
        }
        byte[] bad = bytes.clone();
        java.nio.ByteBuffer.wrap(bad).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(bad.length - 4, ROWS + 5);
        IOException e = assertThrows(IOException.class, () -> VectorIndexes.read(SPEC, Metric.L2, DIM, vectors, ROWS, TestData.direct(bad, 0)));
        assertTrue(e.getMessage().contains("edge to " + (ROWS + 5)), e.getMessage());
        byte[] newerVersion = bytes.clone();
        java.nio.ByteBuffer.wrap(newerVersion).putInt(4, 3);
        e = assertThrows(IOException.class, () -> VectorIndexes.read(SPEC, Metric.L2, DIM, vectors, ROWS, java.nio.ByteBuffer.wrap(newerVersion)));
        assertTrue(e.getMessage().contains("version 3"), e.getMessage());
    }

    /** Bytes of format version 1 (what the previous build persisted) still load, onto the heap, and answer the same. */
    @Test void version1BytesStillLoad() throws IOException {
        HnswIndex idx = (HnswIndex)HNSW.get(Metric.L2);
        byte[] v1 = version1(idx.graph());
        java.nio.ByteBuffer vectors = TestData.buffer(data, true, 0);
        VectorIndex fromStream = VectorIndexes.read(SPEC, Metric.L2, DIM, data, ROWS, new DataInputStream(new ByteArrayInputStream(v1)));
        VectorIndex fromBuffer = VectorIndexes.read(SPEC, Metric.L2, DIM, vectors, ROWS, TestData.direct(v1, 8));
        assertEquals(idx.graph(), ((HnswIndex)fromStream).graph());
        assertEquals(idx.graph(), ((HnswIndex)fromBuffer).graph());
        assertEquals(0, fromBuffer.offHeapBytesUsed());
        assertArrayEquals(bytes(idx), bytes(fromBuffer)); // Written back in the current version.
        for (int i = 0; i < 100; i++) {
            assertEquals(idx.search(queries[i], K, 24, null), fromStream.search(queries[i], K, 24, null));
            assertEquals(idx.search(queries[i], K, 24, null), fromBuffer.search(queries[i], K, 24, null));
        }
    }

    /** The version-1 layout, written as the previous build wrote it (big-endian int arrays). */
    private static byte[] version1(FrozenGraph g) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        for (int v : new int[] {IndexFormat.MAGIC, 1, 2, 1, DIM, ROWS, SPEC.m(), SPEC.efConstruction(), g.levels(), g.entryNodeId()})
            out.writeInt(v);
        for (int l = 0; l < g.levels(); l++)
            out.writeInt(g.getDegree(l));
        for (int l = 0; l < g.levels(); l++) {
            int count = g.size(l);
            int[] nodes = new int[count];
            io.github.jbellis.jvector.graph.NodesIterator it = g.getNodes(l);
            for (int i = 0; i < count; i++)
                nodes[i] = it.nextInt();
            out.writeInt(count);
            if (l > 0) {
                for (int n : nodes)
                    out.writeInt(n);
            }
            List<Integer> adj = new ArrayList<>();
            out.writeInt(0);
            for (int n : nodes) {
                for (int x : g.neighbours(l, n))
                    adj.add(x);
                out.writeInt(adj.size());
            }
            out.writeInt(adj.size());
            for (int x : adj)
                out.writeInt(x);
        }
        return bos.toByteArray();
    }

    @Test void corruptOrMismatchedBytesAreRejected() throws IOException {
        VectorIndex idx = HNSW.get(Metric.L2);
        byte[] bytes = bytes(idx);
        assertThrows(IOException.class, () -> read(Metric.L2, java.util.Arrays.copyOf(bytes, bytes.length - 7)));
        IOException e = assertThrows(IOException.class, () -> read(Metric.COSINE, bytes));
        assertTrue(e.getMessage().contains("L2"), e.getMessage());
        // The last int is a level-top edge or a level-0 edge: point it outside the rows.
        byte[] bad = bytes.clone();
        ByteBuffer.wrap(bad).putInt(bad.length - 4, ROWS + 5);
        e = assertThrows(IOException.class, () -> read(Metric.L2, bad));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        byte[] badMagic = bytes.clone();
        badMagic[0] = 0;
        assertThrows(IOException.class, () -> read(Metric.L2, badMagic));
    }

    @Test void concurrentSearchesAgreeWithSequential() throws Exception {
        VectorIndex idx = HNSW.get(Metric.COSINE);
        List<SearchHits> expected = new ArrayList<>();
        for (float[] q : queries)
            expected.add(idx.search(q, K, 0, null));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int shift = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < queries.length; i++) {
                        int j = (i + shift * 37) % queries.length;
                        if (!expected.get(j).equals(idx.search(queries[j], K, 0, null)))
                            return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : fs)
                assertTrue(f.get());
        }
        finally {
            pool.shutdown();
        }
    }

    @Test void tinyIndexes() throws IOException {
        for (int rows : new int[] {0, 1, 2, 3, 20}) {
            float[] d = TestData.clustered(new Random(rows), rows, 4, 2, 0.1);
            for (Metric metric : Metric.values()) {
                VectorIndex idx = VectorIndexes.build(IndexSpec.hnsw(), metric, 4, d, rows);
                VectorIndex flat = VectorIndexes.build(IndexSpec.flat(), metric, 4, d, rows);
                float[] q = {0.1f, 0.2f, -0.3f, 0.4f};
                assertEquals(flat.search(q, 5, 0, null), idx.search(q, 5, 0, null), "rows=" + rows + " " + metric);
                VectorIndex back = VectorIndexes.read(IndexSpec.hnsw(), metric, 4, d, rows, new DataInputStream(new ByteArrayInputStream(bytes(idx))));
                assertEquals(idx.search(q, 5, 0, null), back.search(q, 5, 0, null));
            }
        }
    }

    @Test void unnormalizedInnerProductWithNegativeDots() {
        // IP over vectors whose dot products are mostly negative and large: jvector's (1 + dot) / 2 would go negative.
        Random rnd = new Random(8);
        int rows = 2000, dim = 16;
        float[] d = TestData.clustered(rnd, rows, dim, 10, 0.3);
        for (int i = 0; i < d.length; i++)
            d[i] *= 20;
        VectorIndex idx = VectorIndexes.build(SPEC, Metric.IP, dim, d, rows);
        VectorIndex flat = VectorIndexes.build(IndexSpec.flat(), Metric.IP, dim, d, rows);
        double sum = 0;
        float[][] qs = TestData.queries(rnd, d, rows, dim, 100, 1);
        for (float[] q : qs)
            sum += TestData.recall(flat.search(q, K, 0, null), idx.search(q, K, 0, null));
        System.out.printf("HNSW IP unnormalized recall@10: %.4f%n", sum / qs.length);
        assertTrue(sum / qs.length >= 0.9);
    }

    @Test void invalidArgumentsNameTheValue() {
        VectorIndex idx = HNSW.get(Metric.L2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> idx.search(queries[0], 0, 10, null));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.search(queries[0], -2, 10, null));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.search(new float[DIM + 1], 10, 10, null));
        assertTrue(e.getMessage().contains(String.valueOf(DIM + 1)), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.search(new float[][] {queries[0], new float[2]}, 10, 10, null));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> idx.search(queries, 0, 10, null));
    }

    private static byte[] bytes(VectorIndex idx) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        idx.write(new DataOutputStream(bos));
        return bos.toByteArray();
    }

    private static VectorIndex read(Metric metric, byte[] bytes) throws IOException {
        return VectorIndexes.read(SPEC, metric, DIM, data, ROWS, new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
