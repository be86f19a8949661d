package io.vecgrid.collection;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The desired state of one shard of a collection: the sealed segments it serves (its part of the target), the layout
 * operations in progress, and the segments that left it but are still forwarded to their replacement. One entry per
 * shard in the collection's state cache, so that seals and merges of different shards never wait for each other.
 * Immutable; every change is a new value with a higher {@link #version()}, written in a transaction.
 *
 * <p>Writers read it (in an optimistic serializable transaction, so a change committed meanwhile makes them retry)
 * to learn which segments a delete mark must reach: {@link #markTargets(long)}.
 */
public final class ShardState implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Segment ids are {@code seq * ID_STRIDE + shard}: unique per collection without a collection-wide counter. */
    public static final long ID_STRIDE = 64;

    private final int shard;
    private final long version;
    private final long nextSeq;
    private final ArrayList<SegmentRef> segments;
    private final ArrayList<LayoutOp> ops;
    /** Segments that left the shard, by id, with the segment now holding their rows. */
    private final HashMap<Long, Long> forwards;
    /**
     * Segments that left the shard: those of {@link #forwards}, kept for their slots until no location names them any
     * more, then those waiting to be dropped ({@link #dropAt}).
     */
    private final ArrayList<SegmentRef> retired;
    /**
     * Retired segments no location names any more, by id, with the time (ms) their chunks and marks may be dropped:
     * kept here, not in the memory of the node that replaced them, so that the coordinator drops them even if that
     * node dies first. {@code null} in states written before it existed.
     */
    private final HashMap<Long, Long> dropAt;

    private ShardState(int shard, long version, long nextSeq, List<SegmentRef> segments, List<LayoutOp> ops,
        Map<Long, Long> forwards, List<SegmentRef> retired, Map<Long, Long> dropAt) {
        this.shard = shard;
        this.version = version;
        this.nextSeq = nextSeq;
        this.segments = new ArrayList<>(segments);
        this.ops = new ArrayList<>(ops);
        this.forwards = new HashMap<>(forwards);
        this.retired = new ArrayList<>(retired);
        this.dropAt = new HashMap<>(dropAt);
    }

    /** @return the state of a new shard: no segment, nothing in progress. */
    public static ShardState empty(int shard) {
        return new ShardState(shard, 1, 1, List.of(), List.of(), Map.of(), List.of(), Map.of());
    }

    public int shard() {
        return shard;
    }

    /** @return a number that grows with every change of this shard's state. */
    public long version() {
        return version;
    }

    /** @return the sealed segments the shard serves. */
    public List<SegmentRef> segments() {
        return Collections.unmodifiableList(segments);
    }

    /** @return layout operations in progress. */
    public List<LayoutOp> ops() {
        return Collections.unmodifiableList(ops);
    }

    /** @return retired segment id → the segment now holding its rows. */
    public Map<Long, Long> forwards() {
        return Collections.unmodifiableMap(forwards);
    }

    /** @return segments that left the shard and are still forwarded. */
    public List<SegmentRef> retired() {
        return Collections.unmodifiableList(retired);
    }

    /** @return whether a layout change of the shard is under way: an operation, a forward or a retired segment. */
    public boolean changing() {
        return !ops.isEmpty() || !forwards.isEmpty() || !retired.isEmpty();
    }

    /** @return the id the next new segment of this shard gets. */
    public long nextSegmentId() {
        return nextSeq * ID_STRIDE + shard;
    }

    /** @return the served segment with that id, or {@code null}. */
    public SegmentRef segment(long id) {
        for (SegmentRef s : segments) {
            if (s.id() == id)
                return s;
        }
        return null;
    }

    /** @return the operation making segment {@code id}, or {@code null}. */
    public LayoutOp op(long id) {
        for (LayoutOp o : ops) {
            if (o.segment() == id)
                return o;
        }
        return null;
    }

    /** @return whether a segment is the source of an operation in progress. */
    public boolean busy(long id) {
        for (LayoutOp o : ops) {
            if (o.sources().contains(id))
                return true;
        }
        return false;
    }

    /** @return affinity slot of a segment this state knows (served, being made or retired), or -1. */
    public int slotOf(long id) {
        SegmentRef s = segment(id);
        if (s != null)
            return s.slot();
        LayoutOp o = op(id);
        if (o != null)
            return o.slot();
        for (SegmentRef r : retired) {
            if (r.id() == id)
                return r.slot();
        }
        return -1;
    }

    /**
     * @param located the segment a row's location entry names.
     * @return every segment a delete mark for that row must reach: the segment itself, the segments it is forwarded
     *      to, and the segments operations in progress are making from any of those. Nothing is left out: a search of
     *      any target that may hold the row finds it marked.
     */
    public Set<Long> markTargets(long located) {
        Set<Long> res = new LinkedHashSet<>();
        List<Long> todo = new ArrayList<>();
        todo.add(located);
        while (!todo.isEmpty()) {
            long id = todo.remove(todo.size() - 1);
            if (!res.add(id))
                continue;
            Long fwd = forwards.get(id);
            if (fwd != null)
                todo.add(fwd);
            for (LayoutOp o : ops) {
                if (o.sources().contains(id))
                    todo.add(o.segment());
            }
        }
        return res;
    }

    /** @return the segment that holds rows located in {@code id} now (following forwards), or {@code id}. */
    public long current(long id) {
        Set<Long> seen = new HashSet<>();
        Long cur = id;
        while (forwards.containsKey(cur) && seen.add(cur))
            cur = forwards.get(cur);
        return cur;
    }

    /** @return a copy with operation {@code op} started and one more segment id taken. */
    public ShardState withOp(LayoutOp op) {
        List<LayoutOp> next = new ArrayList<>(ops);
        next.add(op);
        return new ShardState(shard, version + 1, nextSeq + 1, segments, next, forwards, retired, dropAt());
    }

    /** @return a copy without the operation making segment {@code id}. */
    public ShardState withoutOp(long id) {
        List<LayoutOp> next = new ArrayList<>(ops);
        next.removeIf(o -> o.segment() == id);
        return new ShardState(shard, version + 1, nextSeq, segments, next, forwards, retired, dropAt());
    }

    /**
     * @return a copy in which {@code made} (if it has rows) replaces the sources of its operation among the served
     *      segments, the sources are forwarded to it, and the operation is {@link LayoutOp.Phase#PUBLISHED} (a seal,
     *      which has no sources, is simply over).
     */
    public ShardState published(SegmentRef made, LayoutOp op) {
        List<SegmentRef> segs = new ArrayList<>();
        List<SegmentRef> gone = new ArrayList<>(retired);
        Map<Long, Long> fwd = new HashMap<>(forwards);
        for (SegmentRef s : segments) {
            if (op.sources().contains(s.id())) {
                gone.add(s);
                fwd.put(s.id(), made.id());
            }
            else
                segs.add(s);
        }
        if (made.rows() > 0)
            segs.add(made);
        List<LayoutOp> next = new ArrayList<>(ops);
        next.removeIf(o -> o.segment() == op.segment());
        if (!op.sources().isEmpty())
            next.add(op.with(LayoutOp.Phase.PUBLISHED, op.driver()));
        return new ShardState(shard, version + 1, nextSeq, segs, next, fwd, gone, dropAt());
    }

    /**
     * @return a copy in which the sources of the published operation making {@code id} are no longer forwarded (no
     *      location entry names them any more) and the operation is over.
     */
    public ShardState forwardsDone(long id, long dropAtMillis) {
        LayoutOp op = op(id);
        if (op == null)
            return this;
        Map<Long, Long> fwd = new HashMap<>(forwards);
        Map<Long, Long> drop = dropAt();
        for (long src : op.sources()) {
            fwd.remove(src);
            if (retired.stream().anyMatch(r -> r.id() == src))
                drop.put(src, dropAtMillis);
        }
        List<LayoutOp> next = new ArrayList<>(ops);
        next.removeIf(o -> o.segment() == id);
        return new ShardState(shard, version + 1, nextSeq, segments, next, fwd, retired, drop);
    }

    /** @return retired segments whose drop time has come ({@link #forwardsDone}). */
    public List<SegmentRef> droppable(long nowMillis) {
        List<SegmentRef> res = new ArrayList<>();
        Map<Long, Long> drop = dropAt();
        for (SegmentRef r : retired) {
            Long at = drop.get(r.id());
            if (at != null && at <= nowMillis)
                res.add(r);
        }
        return res;
    }

    /** @return a copy without the retired segments {@code ids} (their chunks and marks are dropped). */
    public ShardState dropped(Set<Long> ids) {
        List<SegmentRef> gone = new ArrayList<>(retired);
        gone.removeIf(r -> ids.contains(r.id()) && !forwards.containsKey(r.id()));
        Map<Long, Long> drop = dropAt();
        drop.keySet().removeAll(ids);
        return new ShardState(shard, version + 1, nextSeq, segments, ops, forwards, gone, drop);
    }

    /** @return a mutable copy of the drop times of retired segments. */
    private Map<Long, Long> dropAt() {
        return dropAt == null ? new HashMap<>() : new HashMap<>(dropAt);
    }

    /** @return a copy whose operation making {@code id} is driven by {@code driver} from now on. */
    public ShardState withDriver(long id, java.util.UUID driver) {
        List<LayoutOp> next = new ArrayList<>();
        for (LayoutOp o : ops)
            next.add(o.segment() == id ? o.with(o.phase(), driver) : o);
        return new ShardState(shard, version + 1, nextSeq, segments, next, forwards, retired, dropAt());
    }

    @Override public String toString() {
        return "ShardState[shard=" + shard + ", version=" + version + ", segments=" + segments + ", ops=" + ops +
            ", forwards=" + forwards + "]";
    }
}
