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
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FLAT equals the exact oracle, ordinals and distances, for every metric and filter. */
class FlatIndexTest {
    private static final int DIM = 37;
    private static final int ROWS = 3000;

    private static void assertSameHits(SearchHits expected, SearchHits got, String msg) {
        assertArrayEquals(expected.ordinals(), got.ordinals(), msg + " ordinals");
        assertArrayEquals(expected.distances(), got.distances(), msg + " distances");
    }

    @Test void equalsBruteForceForEveryMetric() {
        Random rnd = new Random(1);
        float[] data = TestData.clustered(rnd, ROWS, DIM, 20, 0.2);
        float[][] queries = TestData.queries(rnd, data, ROWS, DIM, 40, 0.3);
        for (Metric metric : Metric.values()) {
            VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), metric, DIM, data, ROWS);
            assertEquals(IndexType.FLAT, idx.type());
            assertEquals(ROWS, idx.size());
            for (int k : new int[] {1, 10, 100}) {
                for (float[] q : queries)
                    assertSameHits(TestData.bruteForce(metric, data, ROWS, DIM, q, k, null), idx.search(q, k, 0, null), metric + " k=" + k);
            }
            SearchHits[] batch = idx.search(queries, 10, 0, null);
            for (int i = 0; i < queries.length; i++)
                assertSameHits(idx.search(queries[i], 10, 0, null), batch[i], metric + " batch " + i);
        }
    }

    @Test void selectiveAcceptStillReturnsK() {
        Random rnd = new Random(2);
        float[] data = TestData.clustered(rnd, ROWS, DIM, 10, 0.2);
        float[][] queries = TestData.queries(rnd, data, ROWS, DIM, 20, 0.3);
        FixedBitSet bits = new FixedBitSet(ROWS);
        for (int r = 3; r < ROWS; r += 97)
            bits.set(r); // ~31 of 3000 accepted
        Bits custom = r -> r % 97 == 3;
        for (Metric metric : Metric.values()) {
            VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), metric, DIM, data, ROWS);
            for (float[] q : queries) {
                SearchHits exp = TestData.bruteForce(metric, data, ROWS, DIM, q, 10, r -> r % 97 == 3);
                assertEquals(10, exp.size());
                SearchHits got = idx.search(q, 10, 0, bits);
                assertSameHits(exp, got, metric + " bitset");
                assertSameHits(exp, idx.search(q, 10, 0, custom), metric + " bits");
                for (int i = 0; i < got.size(); i++)
                    assertTrue(bits.get(got.ordinal(i)));
                // k above the accepted count: every accepted row comes back.
                assertEquals(bits.cardinality(), idx.search(q, 1000, 0, bits).size());
            }
            SearchHits[] batch = idx.search(queries, 10, 0, bits);
            for (int i = 0; i < queries.length; i++)
                assertSameHits(TestData.bruteForce(metric, data, ROWS, DIM, queries[i], 10, r -> r % 97 == 3), batch[i], "batch");
            assertEquals(0, idx.search(queries[0], 5, 0, Bits.NONE).size());
        }
    }

    @Test void kAboveSizeReturnsAllRowsAndTiesOrderByOrdinal() {
        float[] data = new float[5 * 2];
        // rows 0, 2 and 4 identical: equal distances, ordered by ordinal
        float[][] rowsV = {{1, 1}, {5, 5}, {1, 1}, {-3, 2}, {1, 1}};
        for (int r = 0; r < 5; r++)
            System.arraycopy(rowsV[r], 0, data, r * 2, 2);
        VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), Metric.L2, 2, data, 5);
        SearchHits h = idx.search(new float[] {1, 1}, 50, 0, null);
        assertEquals(5, h.size());
        assertArrayEquals(new int[] {0, 2, 4, 3, 1}, h.ordinals());
        assertEquals(0f, h.distance(0));
        assertEquals(32f, h.distance(4));
        SearchHits ip = VectorIndexes.build(IndexSpec.flat(), Metric.IP, 2, data, 5).search(new float[] {1, 0}, 3, 0, null);
        assertArrayEquals(new int[] {1, 0, 2}, ip.ordinals()); // larger is closer
        assertArrayEquals(new float[] {5, 1, 1}, ip.distances());
    }

    @Test void emptyIndex() {
        VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), Metric.COSINE, 4, new float[0], 0);
        assertSame(SearchHits.EMPTY, idx.search(new float[4], 3, 0, null));
        assertEquals(0, idx.search(new float[][] {new float[4]}, 3, 0, null)[0].size());
    }

    @Test void serializationRoundTrip() throws IOException {
        Random rnd = new Random(3);
        float[] data = TestData.clustered(rnd, 500, 8, 5, 0.1);
        for (Metric metric : Metric.values()) {
            VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), metric, 8, data, 500);
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            idx.write(new DataOutputStream(bos));
            VectorIndex back = VectorIndexes.read(IndexSpec.flat(), metric, 8, data, 500, new DataInputStream(new ByteArrayInputStream(bos.toByteArray())));
            for (float[] q : TestData.queries(rnd, data, 500, 8, 20, 0.1))
                assertEquals(idx.search(q, 7, 0, null), back.search(q, 7, 0, null));
            // Header mismatches are reported, not misread.
            Metric other = metric == Metric.L2 ? Metric.IP : Metric.L2;
            IOException e = assertThrows(IOException.class, () -> VectorIndexes.read(IndexSpec.flat(), other, 8, data, 500,
                new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))));
            assertTrue(e.getMessage().contains(metric.name()), e.getMessage());
            e = assertThrows(IOException.class, () -> VectorIndexes.read(IndexSpec.hnsw(), metric, 8, data, 500,
                new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))));
            assertTrue(e.getMessage().contains("FLAT"), e.getMessage());
            e = assertThrows(IOException.class, () -> VectorIndexes.read(IndexSpec.flat(), metric, 8, data, 499,
                new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))));
            assertTrue(e.getMessage().contains("500"), e.getMessage());
        }
    }

    /** Vectors in a direct (or heap) little-endian buffer: exactly the hits of the float[] index, distances bit for bit. */
    @Test void bufferVectorsEqualArrayVectorsExactly() throws IOException {
        Random rnd = new Random(4);
        float[] data = TestData.clustered(rnd, ROWS, DIM, 20, 0.2);
        float[][] queries = TestData.queries(rnd, data, ROWS, DIM, 30, 0.3);
        FixedBitSet bits = new FixedBitSet(ROWS);
        for (int r = 0; r < ROWS; r += 3)
            bits.set(r);
        for (boolean direct : new boolean[] {true, false}) {
            java.nio.ByteBuffer buf = TestData.buffer(data, direct, 64);
            for (Metric metric : Metric.values()) {
                VectorIndex arr = VectorIndexes.build(IndexSpec.flat(), metric, DIM, data, ROWS);
                VectorIndex bb = VectorIndexes.build(IndexSpec.flat(), metric, DIM, buf, ROWS);
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                bb.write(new DataOutputStream(bos));
                VectorIndex back = VectorIndexes.read(IndexSpec.flat(), metric, DIM, buf, ROWS, TestData.direct(bos.toByteArray(), 4));
                String msg = metric + (direct ? " direct" : " heap");
                for (float[] q : queries) {
                    for (Bits accept : new Bits[] {null, bits}) {
                        SearchHits exp = arr.search(q, 10, 0, accept);
                        assertSameHits(exp, bb.search(q, 10, 0, accept), msg);
                        assertSameHits(exp, back.search(q, 10, 0, accept), msg + " read");
                    }
                    assertSameHits(TestData.bruteForce(metric, data, ROWS, DIM, q, 10, null), bb.search(q, 10, 0, null), msg + " oracle");
                }
                SearchHits[] a = arr.search(queries, 10, 0, null);
                SearchHits[] b = bb.search(queries, 10, 0, null);
                for (int i = 0; i < queries.length; i++)
                    assertSameHits(a[i], b[i], msg + " batch " + i);
                assertEquals(0, bb.offHeapBytesUsed());
            }
        }
    }

    @Test void shortOrMisalignedBuffersAreRejectedNamingTheSize() {
        float[] data = new float[10 * 4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> VectorIndexes.build(IndexSpec.flat(), Metric.L2, 4, java.nio.ByteBuffer.allocateDirect(159), 10));
        assertTrue(e.getMessage().contains("160") && e.getMessage().contains("159"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> VectorIndexes.build(IndexSpec.hnsw(), Metric.L2, 4, TestData.buffer(data, true, 0).limit(100), 10));
        assertTrue(e.getMessage().contains("160"), e.getMessage());
        // Misaligned: a direct buffer 2 bytes past an aligned address.
        java.nio.ByteBuffer odd = TestData.buffer(new float[41], true, 0).position(2).slice();
        e = assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(IndexSpec.flat(), Metric.L2, 4, odd, 10));
        assertTrue(e.getMessage().contains("aligned") && e.getMessage().contains("160"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(IndexSpec.flat(), Metric.L2, 4, (java.nio.ByteBuffer)null, 10));
        e = assertThrows(IllegalArgumentException.class, () -> VectorIndexes.read(IndexSpec.flat(), Metric.L2, 4,
            java.nio.ByteBuffer.allocateDirect(40), 10, java.nio.ByteBuffer.allocate(100)));
        assertTrue(e.getMessage().contains("160"), e.getMessage());
        // A buffer's position is where the rows start; its position, limit and order are left alone.
        java.nio.ByteBuffer at8 = TestData.buffer(new float[42], true, 0).position(8);
        VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), Metric.L2, 4, at8, 10);
        assertEquals(8, at8.position());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, at8.order());
        assertEquals(10, idx.search(new float[4], 20, 0, null).size());
    }

    @Test void invalidArgumentsNameTheValue() {
        float[] data = new float[10 * 4];
        VectorIndex idx = VectorIndexes.build(IndexSpec.flat(), Metric.L2, 4, data, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> idx.search(new float[4], 0, 0, null));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.search(new float[4], -3, 0, null));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> idx.search(new float[5], 1, 0, null));
        assertTrue(e.getMessage().contains("5") && e.getMessage().contains("4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> idx.search((float[])null, 1, 0, null));
        e = assertThrows(IllegalArgumentException.class, () -> idx.search(new float[][] {new float[4], new float[3]}, 1, 0, null));
        assertTrue(e.getMessage().contains("query 1") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(IndexSpec.flat(), Metric.L2, 0, data, 10));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(IndexSpec.flat(), Metric.L2, 4, data, 11));
        assertTrue(e.getMessage().contains("44"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(null, Metric.L2, 4, data, 10));
        assertThrows(IllegalArgumentException.class, () -> VectorIndexes.build(IndexSpec.flat(), null, 4, data, 10));
    }
}
