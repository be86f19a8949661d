package io.vecgrid.segment;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.plugin.NodeCall;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a segment's image from a copy on a node instead of the segments cache: what a node does for a segment whose
 * chunk 0 is a header only, because its chunks were released once every owner of its slot held a loaded copy
 * ({@link SegmentStorage#release}) or were never written (a node that releases chunks writes a new segment's header
 * only and keeps the image staged until the owners have loaded it, {@link SegmentStore#stage}). This node's own copy
 * is read first, then the copies other nodes report, then the slot's owners, then every other server; a node asked
 * for a piece of a copy it does not hold (or no longer holds) says so and the next is asked. Every copy holds the same
 * bytes (images are immutable), so pieces may come from different nodes. Stateless.
 */
final class ImageCopies {
    /** Bytes per remote read: a few MB keeps each job's answer small next to Ignite's message buffers. */
    private static final int PIECE_BYTES = 4 << 20;

    private ImageCopies() {
    }

    /**
     * @param total the image's size (its header names it).
     * @return the image in direct memory the caller owns (free it with {@link DirectBuffers#free}), starting on a
     *      64-byte boundary ({@link DirectBuffers#aligned}).
     * @throws VecgridException if no live node holds a loaded copy.
     */
    static ByteBuffer read(Ignite ignite, CollectionMeta meta, long id, int slot, long total) {
        ByteBuffer owner = DirectBuffers.allocateAligned(total);
        ByteBuffer all = DirectBuffers.aligned(owner, total);
        try {
            if (copyLocal(ignite, meta, id, all)) {
                copied(ignite, meta, id, total, "this node's copy", 0);
                return owner;
            }
            long off = 0;
            long start = System.nanoTime();
            for (ClusterNode node : sources(ignite, meta, id, slot)) {
                while (off < total) {
                    int len = (int)Math.min(PIECE_BYTES, total - off);
                    byte[] piece = piece(ignite, node, meta, id, off, len);
                    if (piece == null)
                        break; // This node has no copy (any more): go on with the next from where this one stopped.
                    all.put((int)off, piece);
                    off += len;
                }
                if (off == total) {
                    copied(ignite, meta, id, total, "the copy on node " + node.consistentId(), start);
                    return owner;
                }
            }
        }
        catch (RuntimeException | Error e) {
            DirectBuffers.free(owner);
            throw e;
        }
        DirectBuffers.free(owner);
        throw new VecgridException("segment " + id + " (slot " + slot + ") of collection '" + meta.name() +
            "': only its header is in the segments cache (its chunks were released, or never written), and no live " +
            "node holds a copy of it now");
    }

    private static void copied(Ignite ignite, CollectionMeta meta, long id, long total, String from, long startNanos) {
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        if (vg != null)
            vg.segments().imageCopied();
        ignite.log().getLogger(ImageCopies.class).info("vecgrid: copied segment " + id + " of '" + meta.name() + "' (" +
            total + " bytes; only its header is in the segments cache) from " + from +
            (startNanos == 0 ? "" : " in " + (System.nanoTime() - startNanos) / 1_000_000 + " ms"));
    }

    private static boolean copyLocal(Ignite ignite, CollectionMeta meta, long id, ByteBuffer dst) {
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        LoadedSegment seg = vg == null ? null : vg.segments().image(meta, id);
        if (seg == null || !seg.acquire())
            return false;
        try {
            dst.put(0, seg.segment().image(), 0, dst.limit());
            return true;
        }
        finally {
            seg.release();
        }
    }

    /**
     * @return other live nodes that may hold a copy: those reporting one first, then the slot's owners, then every
     *      other server (a node that gave the slot up keeps its copy, unreported, until an owner has one).
     */
    private static Set<ClusterNode> sources(Ignite ignite, CollectionMeta meta, long id, int slot) {
        Set<ClusterNode> res = new LinkedHashSet<>();
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        if (vg != null) {
            for (UUID n : vg.routing().table().copies(meta.segmentsCache(), id)) {
                ClusterNode node = ignite.cluster().node(n);
                if (node != null && !node.isLocal())
                    res.add(node);
            }
        }
        for (ClusterNode node : ignite.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(slot)) {
            if (!node.isLocal())
                res.add(node);
        }
        for (ClusterNode node : ignite.cluster().forServers().nodes()) {
            if (!node.isLocal())
                res.add(node);
        }
        return res;
    }

    private static byte[] piece(Ignite ignite, ClusterNode node, CollectionMeta meta, long id, long off, int len) {
        String name = meta.name();
        String uid = meta.uid();
        try {
            return NodeCall.callOn(ignite, node, ig -> remotePiece(ig, name, uid, id, off, len));
        }
        catch (RuntimeException e) {
            return null; // The node left or failed: ask the next.
        }
    }

    /** Runs on the node asked. @return bytes [off, off + len) of its copy's image, or {@code null} without a copy. */
    private static byte[] remotePiece(Ignite ig, String collection, String uid, long id, long off, int len) {
        LoadedSegment seg = SegmentStore.imageFor(ig, collection, uid, id);
        if (seg == null || !seg.acquire())
            return null;
        try {
            byte[] res = new byte[len];
            seg.segment().image().get((int)off, res);
            return res;
        }
        finally {
            seg.release();
        }
    }
}
