package io.vecgrid.backup;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.BackupCollection;
import io.vecgrid.api.BackupExistsException;
import io.vecgrid.api.BackupInfo;
import io.vecgrid.api.BackupNotFoundException;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups on three persistent nodes in this JVM (a work directory each, under a temporary directory removed
 * afterwards). A FLAT collection with sealed and growing rows, upserts and deletes of both, is backed up, changed
 * further, dropped and restored: count, get and exact searches through every node equal the state at the backup, not
 * the later one, and the restored collection takes writes and seals again. Every refusal is checked to name what it
 * refuses and to leave nothing changed: a collection that exists now, an unknown backup or collection, bad and
 * duplicate names, caches of the collection left without a catalog entry (an Ignite-level restore), and a backup of
 * another stored-data layout (a collection whose metadata copy says layout
 * {@code LAYOUT - 1}), with vecgrid's manifest and without it.
 */
class BackupRestoreTest {
    private static final int DIM = 16;
    private static File root;
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("vecgrid-backup").toFile();
        cluster = new TestCluster().persistent(root).configure(c -> TestCluster.noRewrites(c.setSealRows(1000)))
            .regionBytes(128L << 20).startServers(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
        TestCluster.deleteTree(root);
    }

    private static Backups backups() {
        return Vecgrid.local(cluster.any()).backups();
    }

    private static CollectionSpec flat(String name, int replicas) {
        return CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(replicas).build();
    }

    @Test
    void restoredCollectionEqualsTheBackup() {
        VectorGrid vg = Vecgrid.of(cluster.any());
        vg.createCollection(flat("docs", 2));
        Map<Long, float[]> expected = new HashMap<>();
        Map<Long, Long> tags = new HashMap<>();
        for (int i = 0; i < 3000; i += 1000) {
            vg.insert("docs", TestRows.rows(i, 1000, DIM));
            TestRows.rows(i, 1000, DIM).forEach(r -> {
                expected.put(r.pk(), r.vector());
                tags.put(r.pk(), (Long)r.fields().get("tag"));
            });
        }
        vg.flush("docs");
        // Upserts and deletes of sealed rows; growing rows, some upserted, some deleted, never flushed.
        List<VectorRow> upserts = new ArrayList<>();
        for (long pk = 0; pk < 200; pk++)
            upserts.add(new VectorRow(pk, TestRows.vector(pk + 1_000_000, DIM), Map.of("tag", 77L, "name", "up-" + pk)));
        for (long pk = 3000; pk < 3050; pk++)
            upserts.add(new VectorRow(pk, TestRows.vector(pk + 2_000_000, DIM), Map.of("tag", 77L, "name", "up-" + pk)));
        vg.insert("docs", TestRows.rows(3000, 500, DIM));
        TestRows.rows(3000, 500, DIM).forEach(r -> {
            expected.put(r.pk(), r.vector());
            tags.put(r.pk(), (Long)r.fields().get("tag"));
        });
        vg.upsert("docs", upserts);
        upserts.forEach(r -> {
            expected.put(r.pk(), r.vector());
            tags.put(r.pk(), 77L);
        });
        vg.delete("docs", TestRows.pks(200, 200));
        vg.delete("docs", TestRows.pks(3400, 50));
        for (long pk : TestRows.pks(200, 200))
            expected.remove(pk);
        for (long pk : TestRows.pks(3400, 50))
            expected.remove(pk);
        assertEquals(expected.size(), vg.count("docs"));
        CollectionTarget targetAtBackup = new SegmentInspector(cluster.any(), "docs").target();
        assertFalse(targetAtBackup.segments().isEmpty(), "some rows are sealed");

        vg.createCollection(CollectionSpec.builder("other").dimension(8).metric(Metric.IP).index(IndexSpec.hnsw())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(1).replicas(1).build());
        vg.insert("other", TestRows.rows(0, 500, 8));
        vg.flush("other");

        long before = System.currentTimeMillis();
        BackupInfo b = backups().create("main");
        long after = System.currentTimeMillis();
        assertEquals("main", b.name());
        assertTrue(b.manifest());
        assertTrue(b.takenAtMillis() >= before && b.takenAtMillis() <= after, "taken at " + b.takenAtMillis());
        assertEquals(3, b.nodes().size(), "every node holds a part: " + b.nodes());
        assertTrue(names(b).containsAll(List.of("docs", "other")), "holds every collection: " + names(b));
        BackupCollection docs = b.collection("docs");
        assertEquals(CollectionMeta.LAYOUT, docs.layout());
        assertEquals(DIM, docs.dimension());
        assertEquals(Metric.L2, docs.metric());
        assertEquals(IndexType.FLAT, docs.index());
        assertEquals(2, docs.shards());
        assertEquals(2, docs.replicaNumber());
        assertNull(docs.problem());
        assertEquals(IndexType.HNSW, b.collection("other").index());
        assertTrue(listed("main"), "listed");

        // Changes after the backup, which the restore must not bring back.
        vg.insert("docs", TestRows.rows(5000, 100, DIM));
        vg.delete("docs", TestRows.pks(0, 50));
        vg.upsert("docs", List.of(new VectorRow(100, TestRows.vector(9_999_999, DIM), Map.of("tag", 1L))));
        vg.flush("docs");
        vg.dropCollection("docs");
        vg.dropCollection("other");

        List<CollectionDescription> restored = backups().restore("main", List.of("docs"));
        assertEquals(1, restored.size());
        assertEquals("docs", restored.get(0).name());
        assertEquals(expected.size(), restored.get(0).rowCount());
        assertEquals(targetAtBackup.segments().size(), restored.get(0).segmentCount());
        assertEquals(2, restored.get(0).replicaNumber());
        assertTrue(vg.listCollections().contains("docs"));
        assertFalse(vg.listCollections().contains("other"), "only the collection asked for is restored");
        assertEquals(targetAtBackup.segments(), new SegmentInspector(cluster.any(), "docs").target().segments(),
            "the same sealed segments");
        assertSameRows(expected, tags, 5100);

        // The restored collection serves writes and seals again.
        vg.insert("docs", TestRows.rows(6000, 100, DIM));
        TestRows.rows(6000, 100, DIM).forEach(r -> {
            expected.put(r.pk(), r.vector());
            tags.put(r.pk(), (Long)r.fields().get("tag"));
        });
        vg.flush("docs");
        assertSameRows(expected, tags, 6100);

        List<CollectionDescription> other = backups().restore("main", List.of("other"));
        assertEquals(500, other.get(0).rowCount());
        SearchResult r = Vecgrid.of(cluster.node("s2")).search(SearchRequest.builder("other",
            new float[][] {TestRows.vector(3, 8)}, 10).build());
        assertEquals(10, r.hits(0).size());
        assertTrue(vg.listCollections().containsAll(List.of("docs", "other")));
    }

    /** count, get and exact searches through every node equal {@code expected}. */
    private static void assertSameRows(Map<Long, float[]> expected, Map<Long, Long> tags, int maxPk) {
        for (Ignite ig : cluster.servers())
            assertEquals(expected.size(), Vecgrid.of(ig).count("docs"), "count via " + ig.name());
        VectorGrid vg = Vecgrid.of(cluster.node("s1"));
        long[] all = TestRows.pks(0, maxPk);
        List<VectorRow> got = new ArrayList<>();
        for (int i = 0; i < all.length; i += 1000)
            got.addAll(vg.get("docs", Arrays.copyOfRange(all, i, Math.min(all.length, i + 1000)), null));
        assertEquals(expected.size(), got.size(), "get finds every live row and no other");
        for (VectorRow row : got) {
            assertArrayEquals(expected.get(row.pk()), row.vector(), "vector of pk " + row.pk());
            assertEquals(tags.get(row.pk()), row.fields().get("tag"), "tag of pk " + row.pk());
        }
        Oracle oracle = new Oracle(Metric.L2, expected);
        for (Ignite router : cluster.servers()) {
            for (int q = 0; q < 15; q++) {
                float[] query = TestRows.vector(7_000_000 + q, DIM);
                SearchResult r = Vecgrid.of(router).search(SearchRequest.builder("docs", new float[][] {query}, 10).build());
                assertFalse(r.partial());
                oracle.assertExact(query, 10, r.hits(0), null, "query " + q + " via " + router.name());
            }
            float[] query = TestRows.vector(8_000_000, DIM);
            SearchResult f = Vecgrid.of(router).search(SearchRequest.builder("docs", new float[][] {query}, 10)
                .filter("tag == 77").build());
            oracle.assertExact(query, 10, f.hits(0), pk -> tags.get(pk) == 77L, "filtered via " + router.name());
        }
    }

    @Test
    void refusalsNameWhatTheyRefuseAndChangeNothing() {
        VectorGrid vg = Vecgrid.of(cluster.any());
        vg.createCollection(flat("keep", 1));
        vg.insert("keep", TestRows.rows(0, 100, DIM));
        vg.createCollection(flat("gone", 2));
        vg.insert("gone", TestRows.rows(0, 300, DIM));
        vg.flush("gone");
        backups().create("refusals");

        for (String bad : List.of("a-b", "a.b", "x/y", "..", "a b", "é", "n".repeat(BackupNames.MAX_LENGTH + 1))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> backups().create(bad));
            assertEquals("bad backup name '" + bad + "': use 1 to 100 letters, digits and '_' (the name of the Ignite " +
                "snapshot, which allows no other characters)", e.getMessage());
            assertThrows(InvalidRequestException.class, () -> backups().restore(bad, List.of()));
        }
        assertEquals("a backup needs a name: letters, digits and '_'",
            assertThrows(InvalidRequestException.class, () -> backups().create("")).getMessage());
        BackupExistsException dup = assertThrows(BackupExistsException.class, () -> backups().create("refusals"));
        assertEquals("backup 'refusals' already exists; choose another name", dup.getMessage());

        BackupNotFoundException nf = assertThrows(BackupNotFoundException.class, () -> backups().restore("nope", List.of()));
        assertEquals("backup 'nope' does not exist on any server node; 'vecgrid backup list' lists the backups",
            nf.getMessage());
        assertEquals("nope", nf.backup());
        InvalidRequestException notHeld = assertThrows(InvalidRequestException.class,
            () -> backups().restore("refusals", List.of("nothere")));
        assertTrue(notHeld.getMessage().startsWith("backup 'refusals' holds no collection 'nothere'; it holds "),
            notHeld.getMessage());

        // 'keep' exists, 'gone' does not: restoring both restores neither.
        vg.dropCollection("gone");
        List<String> cachesBefore = vecgridCaches();
        CollectionExistsException ex = assertThrows(CollectionExistsException.class,
            () -> backups().restore("refusals", List.of("gone", "keep")));
        assertEquals("collection 'keep' already exists: drop it first ('vecgrid drop keep') to restore it from backup " +
            "'refusals'. Nothing was restored", ex.getMessage());
        assertEquals("keep", ex.collection());
        assertFalse(vg.listCollections().contains("gone"));
        assertEquals(cachesBefore, vecgridCaches(), "no cache created or left behind");
        // Restored right after its drop, with nothing written in between: its partitions come back with the very
        // update counters they had when dropped, and every node still loads its segments.
        assertEquals(300, backups().restore("refusals", List.of("gone")).get(0).rowCount());
        assertEquals(300, vg.count("gone"));
        Map<Long, float[]> rows = new HashMap<>();
        TestRows.rows(0, 300, DIM).forEach(r -> rows.put(r.pk(), r.vector()));
        for (Ignite router : cluster.servers()) {
            float[] query = TestRows.vector(123_456, DIM);
            SearchResult r = Vecgrid.of(router).search(SearchRequest.builder("gone", new float[][] {query}, 10).build());
            new Oracle(Metric.L2, rows).assertExact(query, 10, r.hits(0), null, "via " + router.name());
        }

        // Caches an Ignite-level restore brought back without vecgrid's catalog entry (control.sh --snapshot restore).
        CollectionMeta gone = Vecgrid.local(cluster.any()).metaStore().meta("gone");
        vg.dropCollection("gone");
        // A destroyed cache's files go on each node after the destroy returns (as vecgrid's own restore does, this
        // retries while a node still has them).
        TestCluster.awaitTrue("an Ignite-level restore of the dropped collection's caches", () -> {
            try {
                cluster.any().snapshot().restoreSnapshot("refusals", List.of(gone.stateCache(), gone.rowsCache(),
                    gone.segmentGroup())).get();
                return true;
            }
            catch (org.apache.ignite.IgniteException e) {
                if (String.valueOf(e.getMessage()).contains("directory is not empty"))
                    return false;
                throw e;
            }
        }, 30_000);
        List<String> orphans = new ArrayList<>(List.of(gone.deletesCache(), gone.rowsCache(), gone.segmentsCache(),
            gone.stateCache()));
        orphans.sort(null);
        InvalidRequestException orphaned = assertThrows(InvalidRequestException.class,
            () -> backups().restore("refusals", List.of("gone")));
        assertEquals("caches " + orphans + " of collection 'gone' exist, but the collection is not in vecgrid's catalog " +
            "(left by an interrupted drop, or restored with 'control.sh --snapshot restore', which does not bring the " +
            "catalog entry back): destroy them ('scripts/control.sh --cache destroy --caches " + String.join(",", orphans) +
            "') and restore again with 'vecgrid backup restore'. Nothing was restored", orphaned.getMessage());
        cluster.any().destroyCaches(orphans);
        assertEquals(300, backups().restore("refusals", List.of("gone")).get(0).rowCount());
    }

    @Test
    void aBackupOfAnotherLayoutIsRefusedWithOrWithoutItsManifest() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.any());
        vg.createCollection(flat("old", 1));
        vg.insert("old", TestRows.rows(0, 100, DIM));
        vg.createCollection(flat("fresh", 1));
        vg.insert("fresh", TestRows.rows(0, 10, DIM));
        // A collection written by a vecgrid of another layout: its metadata copy (what a backup carries) says so.
        int oldLayout = CollectionMeta.LAYOUT - 1;
        CollectionMeta meta = Vecgrid.local(cluster.any()).metaStore().meta("old");
        IgniteCache<String, BinaryObject> state = cluster.any().<String, Object>cache(meta.stateCache()).withKeepBinary();
        // Tampering with vecgrid's own state on purpose: marked as vecgrid's write, else the node refuses it.
        try (io.vecgrid.collection.CacheWriteGuard.Scope internal = io.vecgrid.collection.CacheWriteGuard.internal()) {
            state.put(MetaStore.META_KEY, state.get(MetaStore.META_KEY).toBuilder().setField("layout", oldLayout).build());
        }
        BackupInfo b = backups().create("layouts");
        assertEquals(oldLayout, b.collection("old").layout());
        assertEquals("stored-data layout " + oldLayout + "; this vecgrid reads layout " + CollectionMeta.LAYOUT + " only",
            b.collection("old").problem());
        assertNull(b.collection("fresh").problem());
        vg.dropCollection("old");
        vg.dropCollection("fresh");

        String msg = "backup 'layouts' holds collection 'old' in stored-data layout " + oldLayout + ", and this vecgrid " +
            "reads layout " + CollectionMeta.LAYOUT + " only: restore it with a vecgrid version that reads layout " +
            oldLayout + ". Nothing was restored";
        List<String> cachesBefore = vecgridCaches();
        assertEquals(msg, assertThrows(InvalidRequestException.class,
            () -> backups().restore("layouts", List.of("fresh", "old"))).getMessage());
        assertEquals(cachesBefore, vecgridCaches());
        assertFalse(vg.listCollections().contains("fresh"), "nothing restored");

        // Without the manifest (a snapshot taken with control.sh) the layout is known only once the state cache is
        // back: the restore reads it there, refuses, and destroys what it restored.
        for (Ignite ig : cluster.servers())
            assertTrue(new File(new File(SnapshotFiles.root(ig), "layouts"), SnapshotFiles.MANIFEST).delete());
        BackupInfo bare = listedInfo("layouts");
        assertFalse(bare.manifest());
        assertEquals(BackupCollection.UNKNOWN_LAYOUT, bare.collection("old").layout());
        assertEquals(msg, assertThrows(InvalidRequestException.class,
            () -> backups().restore("layouts", List.of("fresh", "old"))).getMessage());
        assertEquals(cachesBefore, vecgridCaches(), "the state caches restored to read the layout are gone again");
        assertFalse(vg.listCollections().contains("old"));
        assertFalse(vg.listCollections().contains("fresh"));

        assertEquals(10, backups().restore("layouts", List.of("fresh")).get(0).rowCount());
    }

    private static List<String> names(BackupInfo b) {
        List<String> res = new ArrayList<>();
        b.collections().forEach(c -> res.add(c.name()));
        return res;
    }

    private static boolean listed(String name) {
        return listedInfo(name) != null;
    }

    private static BackupInfo listedInfo(String name) {
        for (BackupInfo b : backups().list()) {
            if (b.name().equals(name))
                return b;
        }
        return null;
    }

    /** @return names of vecgrid's per-collection caches, sorted. */
    private static List<String> vecgridCaches() {
        List<String> res = new ArrayList<>();
        for (String c : cluster.any().cacheNames()) {
            if (c.startsWith("vecgrid_"))
                res.add(c);
        }
        res.sort(null);
        return res;
    }
}
