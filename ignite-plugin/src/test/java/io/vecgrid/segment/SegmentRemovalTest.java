package io.vecgrid.segment;

import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.shard.LocalPartitions;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Removing a segment's chunks from a node that is not the primary of its slot does not ship the chunks to that node:
 * with an interceptor on a transactional cache, Ignite returns the old value of every entry a transaction writes from
 * the primary to the node that started it, so the removal runs on the primary. Measured with the primary's
 * communication byte counter on two real nodes, both holding the slot (replicaNumber 2).
 */
class SegmentRemovalTest {
    private static final int DIM = 128;
    private static final int ROWS = 4000;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(ROWS).setSegmentChunkBytes(64 << 10)))
            .startServers(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static long sentBytes(Ignite ig) {
        return ((TcpCommunicationSpi)ig.configuration().getCommunicationSpi()).getSentBytesCount();
    }

    @Test
    void removalFromAnotherNodeRunsOnThePrimary() {
        Vecgrid.of(cluster.node("s0")).createCollection(CollectionSpec.builder("rm").dimension(DIM).metric(Metric.L2)
            .index(IndexSpec.flat()).shards(1).replicas(2).build());
        List<VectorRow> rows = TestRows.rows(0, ROWS, DIM);
        Vecgrid.of(cluster.node("s0")).insert("rm", rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        Vecgrid.of(cluster.node("s0")).flush("rm");
        SegmentInspector insp = new SegmentInspector(cluster.node("s0"), "rm");
        CollectionMeta meta = insp.meta();
        SegmentRef seg = insp.target().segments().get(0);
        assertTrue(seg.chunks() >= 8, "a segment of several chunks: " + seg);

        ClusterNode primaryNode = cluster.node("s0").affinity(meta.segmentsCache()).mapPartitionToNode(seg.slot());
        Ignite primary = cluster.servers().stream().filter(ig -> ig.cluster().localNode().equals(primaryNode))
            .findFirst().orElseThrow();
        Ignite other = cluster.servers().stream().filter(ig -> ig != primary).findFirst().orElseThrow();
        IgniteCache<ChunkKey, byte[]> onOther = other.cache(meta.segmentsCache());
        assertEquals(seg.chunks(), chunksHeld(onOther, seg), "the other node holds every chunk (a backup)");

        long before = sentBytes(primary);
        SegmentStorage.remove(other, meta, seg.id(), seg.slot(), seg.chunks());
        long sent = sentBytes(primary) - before;

        assertEquals(0, chunksHeld(onOther, seg), "the chunks are gone from the backup");
        assertEquals(0, chunksHeld(primary.cache(meta.segmentsCache()), seg), "and from the primary");
        assertTrue(sent < seg.bytes() / 4, "the primary sent " + sent + " bytes for the removal of a segment of " +
            seg.bytes() + " bytes: the chunks were shipped to the remover");
    }

    /** The sweep's key listing ({@link LocalPartitions#keys}) finds exactly what a scan of the partition finds. */
    @Test
    void partitionKeysAreTheScannedKeys() {
        Vecgrid.of(cluster.node("s0")).createCollection(CollectionSpec.builder("keys").dimension(DIM).metric(Metric.L2)
            .index(IndexSpec.flat()).shards(2).replicas(2).build());
        List<VectorRow> rows = TestRows.rows(0, 2 * ROWS, DIM);
        Vecgrid.of(cluster.node("s0")).insert("keys", rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        Vecgrid.of(cluster.node("s0")).flush("keys");
        CollectionMeta meta = new SegmentInspector(cluster.node("s0"), "keys").meta();
        int checked = 0;
        for (Ignite ig : cluster.servers()) {
            for (int p = 0; p < meta.segmentSlots(); p++) {
                List<Object> keys = LocalPartitions.keys(ig, meta.segmentsCache(), p);
                if (keys == null)
                    continue;
                Set<ChunkKey> listed = new HashSet<>();
                keys.forEach(k -> listed.add(ChunkKey.from(k)));
                Set<ChunkKey> scanned = new HashSet<>();
                try (QueryCursor<Object> cur = ig.cache(meta.segmentsCache()).withKeepBinary()
                    .query(new ScanQuery<Object, Object>().setPartition(p).setLocal(true), Cache.Entry::getKey)) {
                    cur.forEach(k -> scanned.add(ChunkKey.from(k)));
                }
                assertEquals(scanned, listed, "partition " + p + " on " + ig.name());
                checked += listed.size();
            }
        }
        assertTrue(checked > 0, "some chunks were listed");
    }

    private static int chunksHeld(IgniteCache<ChunkKey, byte[]> cache, SegmentRef seg) {
        int n = 0;
        for (int c = 0; c < seg.chunks(); c++) {
            if (cache.localPeek(new ChunkKey(seg.id(), c, seg.slot()), CachePeekMode.PRIMARY, CachePeekMode.BACKUP) != null)
                n++;
        }
        return n;
    }
}
