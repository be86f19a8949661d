package io.vecgrid.segment;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.index.SearchHits;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loaded segment copies live off the heap: their keys, vectors and HNSW graph are read in place from the copy's image
 * in direct memory. They answer exactly as the heap path does (vectors in a {@code float[]}, graph read onto the
 * heap), hold almost nothing on the heap, and give their direct memory back when they are retired, but never while a
 * search still reads them.
 */
class OffHeapCopiesTest {
    /** 96 floats = 384 bytes a row: rows start on 64-byte boundaries in the image. */
    private static final int DIM = 96;
    private static final int SEAL_ROWS = 2000;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        // Two nodes, two replicas: each node holds a copy of every segment. No compaction or balance: the segments
        // stay as sealed while the test looks at them.
        cluster = new TestCluster().configure(c -> {
            TestCluster.noRewrites(c);
            c.setSealRows(SEAL_ROWS);
        }).regionBytes(192L << 20).startServers(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void loadedCopiesAnswerAsTheHeapPathAndHoldTheirVectorsOffHeap() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("hn").dimension(DIM).metric(Metric.L2).index(IndexSpec.hnsw(16, 100, 64))
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build());
        vg.createCollection(CollectionSpec.builder("fl").dimension(DIM).metric(Metric.COSINE).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build());
        List<VectorRow> rows = rows(0, 6000);
        Map<Long, float[]> byPk = new HashMap<>();
        rows.forEach(r -> byPk.put(r.pk(), r.vector()));
        for (String c : List.of("hn", "fl")) {
            vg.insert(c, rows);
            vg.flush(c);
        }

        int copies = 0;
        for (String c : List.of("hn", "fl")) {
            for (Ignite node : cluster.servers()) {
                Vecgrid local = Vecgrid.local(node);
                CollectionMeta meta = local.metaStore().meta(c);
                List<SegmentRef> segs = local.metaStore().target(meta).segments();
                assertFalse(segs.isEmpty());
                for (SegmentRef ref : segs) {
                    LoadedSegment seg = local.segments().get(meta, ref.id());
                    assertTrue(seg != null && seg.acquire(), "node " + node.name() + " serves " + ref);
                    try {
                        compareWithHeapPath(c, seg);
                    }
                    finally {
                        seg.release();
                    }
                    copies++;
                }
            }
        }
        assertTrue(copies >= 2 * 2 * 2, "every node holds a copy of every segment: " + copies);

        // Through the cluster: FLAT exact against the oracle (also with a filter on the copies' scalar columns), HNSW
        // finds the query row itself, get reads vectors and fields. HNSW is approximate: on these random 96-dimension
        // rows a search at ef 64 misses its own row about once in 400 (measured on 3,000 rows, either builder),
        // so 18 of the 20 must find it (the copies answering exactly as the heap path is checked above).
        Oracle oracle = new Oracle(Metric.COSINE, byPk);
        int self = 0;
        List<Long> missed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            float[] q = vector(new Random(90_000 + i));
            oracle.assertExact(q, 10, vg.search(SearchRequest.builder("fl", new float[][] {q}, 10).build()).hits(0), null,
                "FLAT search " + i);
            oracle.assertExact(q, 10, vg.search(SearchRequest.builder("fl", new float[][] {q}, 10).filter("tag == 3").build())
                .hits(0), pk -> pk % 10 == 3, "filtered FLAT search " + i);
            float[] own = byPk.get(i * 271L);
            if (vg.search(SearchRequest.builder("hn", new float[][] {own}, 1).build()).hits(0).get(0).pk() == i * 271L)
                self++;
            else
                missed.add(i * 271L);
        }
        assertTrue(self >= 18, "HNSW searches for a row found that row " + self + " times of 20; missed " + missed);
        long[] some = {0, 1, 1234, 5999};
        List<VectorRow> got = vg.get("hn", some, null);
        assertEquals(some.length, got.size());
        for (VectorRow r : got) {
            assertArrayEquals(byPk.get(r.pk()), r.vector(), "get reads the vector of " + r.pk() + " from a copy");
            assertEquals("row-" + r.pk(), r.fields().get("name"));
        }
    }

    /** The copy's search equals the same index read onto the heap over a {@code float[]} of its vectors. */
    private static void compareWithHeapPath(String collection, LoadedSegment seg) throws Exception {
        SealedSegment s = seg.segment();
        int rows = s.rows();
        assertTrue(s.vectors().isDirect(), "vectors in direct memory");
        assertTrue(seg.offHeapBytes() >= 4L * rows * DIM + 8L * rows, "image holds keys and vectors: " + seg.offHeapBytes());
        // On the heap: the delete bitmap, the index's small objects and its pooled searchers' visit marks (4 bytes a
        // row each) — no keys, vectors or graph (those would be more than 400 bytes a row here).
        assertTrue(seg.ramBytes() < 40L * rows + (64 << 10), collection + " copy of " + rows + " rows holds " +
            seg.ramBytes() + " heap bytes");
        float[] vectors = new float[rows * DIM];
        s.vectors().asFloatBuffer().get(vectors);
        ByteBuffer idx = s.indexBytes();
        byte[] idxBytes = new byte[idx.remaining()];
        idx.get(idxBytes);
        VectorIndex heap = VectorIndexes.read(s.index(), s.metric(), DIM, vectors, rows,
            new DataInputStream(new ByteArrayInputStream(idxBytes)));
        assertEquals(0, heap.offHeapBytesUsed());
        float[][] queries = new float[16][];
        for (int i = 0; i < queries.length; i++)
            queries[i] = vector(new Random(70_000 + i));
        SearchHits[] offHeap = seg.search(queries, 10, 0, null);
        for (int i = 0; i < queries.length; i++) {
            SearchHits h = heap.search(queries[i], 10, 0, null);
            assertArrayEquals(h.ordinals(), offHeap[i].ordinals(), collection + " segment " + s.id() + " query " + i);
            for (int j = 0; j < h.size(); j++)
                assertEquals(Float.floatToIntBits(h.distance(j)), Float.floatToIntBits(offHeap[i].distance(j)));
        }
        for (int ord = 0; ord < rows; ord += 97) {
            assertArrayEquals(vector(new Random(s.pk(ord))), s.vector(ord), "row " + ord + " in place");
            assertEquals(s.pk(ord) % 10, seg.longValue(0, ord), "scalar column of row " + ord);
            assertEquals(ord, s.ordinalOf(s.pk(ord)));
        }
        assertEquals(-1, s.ordinalOf(-5));
    }

    /** Rows {@code from .. from+n-1}: random vectors (seeded by the key), scalars {@code tag} and {@code name}. */
    private static List<VectorRow> rows(long from, int n) {
        List<VectorRow> rows = new ArrayList<>(n);
        for (long pk = from; pk < from + n; pk++)
            rows.add(new VectorRow(pk, vector(new Random(pk)), Map.of("tag", pk % 10, "name", "row-" + pk)));
        return rows;
    }

    private static float[] vector(Random rnd) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++)
            v[j] = (float)rnd.nextGaussian();
        return v;
    }

    @Test
    void retiredCopiesFreeTheirDirectMemoryOnceNoSearchReadsThem() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.node("s1"));
        vg.createCollection(CollectionSpec.builder("gone").dimension(DIM).metric(Metric.L2).index(IndexSpec.hnsw(16, 100, 64))
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build());
        for (int i = 0; i < 16_000; i += 4000)
            vg.insert("gone", rows(100_000 + i, 4000));
        vg.flush("gone");

        // Every copy of the collection, on both nodes, and the direct memory they hold.
        List<LoadedSegment> all = new ArrayList<>();
        long held = 0;
        for (Ignite node : cluster.servers()) {
            Vecgrid local = Vecgrid.local(node);
            CollectionMeta meta = local.metaStore().meta("gone");
            for (SegmentRef ref : local.metaStore().target(meta).segments()) {
                LoadedSegment seg = local.segments().get(meta, ref.id());
                assertTrue(seg != null && seg.serviceable(), "copy of " + ref + " on " + node.name());
                all.add(seg);
                held += seg.offHeapBytes();
            }
        }
        assertTrue(held >= 2L * 16_000 * DIM * 4, "two copies of every vector off the heap: " + held);

        // A search that holds one copy while the collection is dropped.
        LoadedSegment reader = all.get(0);
        assertTrue(reader.acquire());
        float[][] q = {vector(new Random(reader.segment().pk(5)))};
        SearchHits before = reader.search(q, 10, 0, null)[0];
        long directBefore = directMemoryUsed();

        vg.dropCollection("gone");
        TestCluster.awaitTrue("every copy of the dropped collection retired",
            () -> all.stream().noneMatch(LoadedSegment::serviceable), 60_000);
        TestCluster.awaitTrue("every copy but the one a search holds freed",
            () -> all.stream().filter(s -> s != reader).allMatch(LoadedSegment::freed), 60_000);
        assertFalse(reader.freed(), "a copy a search still reads is not freed");
        assertFalse(reader.acquire(), "a retired copy takes no new reader");
        // The reader goes on reading its copy: same hits, same distances, the row's own key.
        SearchHits after = reader.search(q, 10, 0, null)[0];
        assertArrayEquals(before.ordinals(), after.ordinals());
        assertEquals(reader.segment().pk(5), reader.segment().pk(after.ordinal(0)));
        assertEquals(0f, after.distance(0));
        reader.release();
        assertTrue(reader.freed(), "the last reader's release frees the retired copy");

        // The JVM's direct memory fell by (about) what the copies held; other direct buffers come and go meanwhile.
        long freedBytes = directBefore - directMemoryUsed();
        assertTrue(freedBytes >= held * 9 / 10, "direct memory in use fell by " + freedBytes + " bytes of the " + held +
            " the copies held");
    }

    private static long directMemoryUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct"))
                return b.getMemoryUsed();
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
