package io.vecgrid.segment;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.plugin.NodeCall;
import io.vecgrid.search.RoutingCache;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads rows of a sealed segment for {@code get}: from a loaded copy on a node that serves the segment (the local one
 * first), failing over to the next copy, and as a last resort from the segment's chunks in the cache. Thread-safe.
 */
public final class SegmentReads {
    private final Ignite ignite;
    private final RoutingCache routing;

    public SegmentReads(Ignite ignite, RoutingCache routing) {
        this.ignite = ignite;
        this.routing = routing;
    }

    /**
     * @return the vectors of {@code pks} in the segment (a key the segment lacks is left out).
     * @throws SegmentGoneException if the segment is gone from the cache (replaced meanwhile: read again).
     */
    public Map<Long, float[]> vectors(CollectionMeta meta, SegmentRef ref, List<Long> pks) {
        Vecgrid local = Vecgrid.localOrNull(ignite);
        if (local != null) {
            LoadedSegment seg = local.segments().get(meta, ref.id());
            if (seg != null && seg.acquire()) {
                try {
                    return extract(seg.segment(), pks);
                }
                finally {
                    seg.release();
                }
            }
        }
        long[] keys = pks.stream().mapToLong(Long::longValue).toArray();
        String name = meta.name();
        String uid = meta.uid();
        long id = ref.id();
        for (UUID n : routing.table().copies(meta.segmentsCache(), ref.id())) {
            ClusterNode node = ignite.cluster().node(n);
            if (node == null || node.isLocal())
                continue;
            try {
                float[][] vecs = NodeCall.callOn(ignite, node, ig -> remoteRead(ig, name, uid, id, keys));
                if (vecs != null) {
                    Map<Long, float[]> res = new HashMap<>();
                    for (int i = 0; i < keys.length; i++) {
                        if (vecs[i] != null)
                            res.put(keys[i], vecs[i]);
                    }
                    return res;
                }
            }
            catch (RuntimeException e) {
                // Try the next copy.
            }
        }
        SealedSegment read;
        try {
            read = SegmentStorage.read(ignite, meta, ref);
        }
        catch (VecgridException e) {
            throw new SegmentGoneException(e.getMessage());
        }
        try {
            return extract(read, pks);
        }
        finally {
            read.free();
        }
    }

    /** Runs on a node serving the segment. @return one vector per key (null where absent), or null if not loaded. */
    private static float[][] remoteRead(Ignite ig, String collection, String uid, long id, long[] pks) {
        Vecgrid vg = Vecgrid.local(ig);
        CollectionMeta cur = vg.metaStore().meta(collection);
        CollectionMeta meta = cur == null ? null : cur.generation(uid);
        LoadedSegment seg = meta == null ? null : vg.segments().get(meta, id);
        if (seg == null || !seg.acquire())
            return null;
        try {
            float[][] res = new float[pks.length][];
            for (int i = 0; i < pks.length; i++) {
                int ord = seg.segment().ordinalOf(pks[i]);
                res[i] = ord < 0 ? null : seg.segment().vector(ord);
            }
            return res;
        }
        finally {
            seg.release();
        }
    }

    private static Map<Long, float[]> extract(SealedSegment seg, List<Long> pks) {
        Map<Long, float[]> res = new HashMap<>();
        for (long pk : pks) {
            int ord = seg.ordinalOf(pk);
            if (ord >= 0)
                res.put(pk, seg.vector(ord));
        }
        return res;
    }

    /** The segment to read from left the cluster's caches (replaced by a merge or move): read the locations again. */
    public static final class SegmentGoneException extends VecgridException {
        private static final long serialVersionUID = 1L;

        public SegmentGoneException(String msg) {
            super(msg);
        }
    }
}
