package io.vecgrid;

import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.segment.DeleteKey;
import io.vecgrid.segment.SealedSegment;
import io.vecgrid.shard.GrowingRow;
import io.vecgrid.shard.ShardRows;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads what the caches hold about a collection's segments and growing rows, for assertions. */
public final class SegmentInspector {
    private final Ignite ignite;
    private final CollectionMeta meta;

    public SegmentInspector(Ignite ignite, String collection) {
        this.ignite = ignite;
        this.meta = Vecgrid.local(ignite).metaStore().meta(collection);
    }

    public CollectionMeta meta() {
        return meta;
    }

    public CollectionTarget target() {
        return Vecgrid.local(ignite).metaStore().target(meta.name());
    }

    public SealedSegment segment(SegmentRef ref) {
        return io.vecgrid.segment.SegmentStorage.read(ignite, meta, ref);
    }

    /** @return primary keys with a delete mark in segment {@code id}. */
    public Set<Long> deleted(long id) {
        Set<Long> res = new HashSet<>();
        IgniteCache<DeleteKey, Boolean> c = ignite.cache(meta.deletesCache());
        c.query(new ScanQuery<DeleteKey, Boolean>()).forEach(e -> {
            if (e.getKey().segmentId() == id)
                res.add(e.getKey().pk());
        });
        return res;
    }

    /** @return live primary keys the target's segments of {@code shard} hold, failing if one is held twice. */
    public Set<Long> sealedLive(CollectionTarget target, int shard) {
        Set<Long> res = new HashSet<>();
        for (SegmentRef ref : target.segmentsOfShard(shard)) {
            SealedSegment seg = segment(ref);
            Set<Long> dead = deleted(ref.id());
            for (long pk : seg.pks()) {
                if (!dead.contains(pk) && !res.add(pk))
                    throw new AssertionError("pk " + pk + " is live in two sealed segments of shard " + shard);
            }
        }
        return res;
    }

    /** @return the shard's rows as node {@code ig} holds them in memory, or {@code null} if it does not own them. */
    public ShardRows view(Ignite ig, int shard) {
        return Vecgrid.local(ig).growing().rows(meta.name(), meta.rowsCache(), meta.spec().vectorField(),
            CollectionCaches.scalarNames(meta), shard);
    }

    /** @return primary keys a search of {@code target} would scan as growing on node {@code ig}. */
    public Set<Long> growingFor(Ignite ig, CollectionTarget target, int shard) {
        Set<Long> res = new HashSet<>();
        for (GrowingRow r : view(ig, shard).rowsOutside(target.segmentIds()))
            res.add(r.pk());
        return res;
    }

    /** @return owners of a shard's rows partition. */
    public List<ClusterNode> owners(int shard) {
        return new ArrayList<>(ignite.affinity(meta.rowsCache()).mapPartitionToPrimaryAndBackups(shard));
    }
}
