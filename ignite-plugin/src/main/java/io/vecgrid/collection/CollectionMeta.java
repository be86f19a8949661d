package io.vecgrid.collection;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;

/**
 * What the cluster knows of a collection: its spec, life-cycle state, the generation of caches that hold its data and
 * a version that grows on every change. Immutable: a change writes a new value (see {@link MetaStore}).
 *
 * <p>Cache names carry a random {@code uid}, so a dropped and re-created collection never meets a stale cache of its
 * predecessor.
 */
public final class CollectionMeta {
    /** Layout version of the collection's stored data; a backup of another layout cannot be restored. */
    public static final int LAYOUT = 3;

    private final CollectionSpec spec;
    /** Id of the collection, fixed at creation (names its state cache); {@link #uid} changes with each generation. */
    private final String cid;
    private final String uid;
    private final CollectionState state;
    private final long version;
    private final int segmentSlots;
    private final int rowPartitions;
    /** The previous generation of caches, still serving searches that began before a replica change; or null. */
    private final CollectionMeta retired;
    /** The generation of caches a replica change is building (state RESHAPING), or null. */
    private final CollectionMeta pending;
    /** When the retired generation stopped being the current one, ms; 0 without one. */
    private final long retiredAtMillis;

    private final int layout;

    /** A new collection: its id is also the uid of its first generation of caches. */
    public CollectionMeta(CollectionSpec spec, String uid, CollectionState state, long version, int segmentSlots,
        int rowPartitions) {
        this(spec, uid, uid, state, version, segmentSlots, rowPartitions, null, null, 0);
    }

    private CollectionMeta(CollectionSpec spec, String cid, String uid, CollectionState state, long version,
        int segmentSlots, int rowPartitions, CollectionMeta retired, CollectionMeta pending, long retiredAtMillis) {
        this.retiredAtMillis = retiredAtMillis;
        this.rowPartitions = rowPartitions;
        this.spec = spec;
        this.cid = cid;
        this.layout = LAYOUT;
        this.uid = uid;
        this.state = state;
        this.version = version;
        this.segmentSlots = segmentSlots;
        this.retired = retired;
        this.pending = pending;
    }

    /** @return the generation a replica change is building, or {@code null}. */
    public CollectionMeta pending() {
        return pending;
    }

    /**
     * @return this generation, RESHAPING towards {@code next}: searches and writes go on against this generation
     *      (writes also reach {@code next}), layout operations wait.
     */
    public CollectionMeta reshapingTo(CollectionMeta next) {
        return new CollectionMeta(spec, cid, uid, CollectionState.RESHAPING, version + 1, segmentSlots, rowPartitions,
            retired, next, retiredAtMillis);
    }

    /**
     * @return the generation a replica change built, now current and READY, with this one retired as of {@code now}
     *      (it keeps serving searches planned before the switch until it is dropped).
     */
    public CollectionMeta switched(long now) {
        CollectionMeta old = new CollectionMeta(spec, cid, uid, CollectionState.READY, version, segmentSlots,
            rowPartitions, null, null, 0);
        return new CollectionMeta(pending.spec, cid, pending.uid, CollectionState.READY, version + 1, segmentSlots,
            rowPartitions, old, null, now);
    }

    /** @return when the retired generation was replaced, ms (0 without one). */
    public long retiredAtMillis() {
        return retiredAtMillis;
    }

    /** @return the previous generation still being retired after a replica change, or {@code null}. */
    public CollectionMeta retired() {
        return retired;
    }

    /**
     * @return this collection's metadata for the caches generation {@code uid}: itself, its retired generation, or
     *      {@code null} if neither.
     */
    public CollectionMeta generation(String uid) {
        if (this.uid.equals(uid))
            return this;
        if (pending != null && pending.uid.equals(uid))
            return pending;
        return retired != null && retired.uid.equals(uid) ? retired : null;
    }

    /** @return a new generation of caches with {@code replicas} copies, READY, the current one kept as retired. */
    public CollectionMeta nextGeneration(String newUid, int replicas) {
        CollectionSpec next = spec.toBuilder().replicas(replicas).build();
        return new CollectionMeta(next, cid, newUid, CollectionState.READY, version + 2, segmentSlots,
            rowPartitions, new CollectionMeta(spec, cid, uid, CollectionState.READY, version, segmentSlots, rowPartitions,
            null, null, 0), null, 0);
    }

    /**
     * @return this metadata as read back from a backup, serving again: READY on its current generation of caches
     *      (the only one a restore brings back), without the retired generation or the one a replica change was
     *      building when the backup was taken.
     */
    public CollectionMeta restored() {
        return new CollectionMeta(spec, cid, uid, CollectionState.READY, version + 1, segmentSlots, rowPartitions, null, null, 0);
    }

    /** @return a copy without a retired generation. */
    public CollectionMeta withoutRetired() {
        return new CollectionMeta(spec, cid, uid, state, version + 1, segmentSlots, rowPartitions, null, null, 0);
    }

    public CollectionSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public String uid() {
        return uid;
    }

    public CollectionState state() {
        return state;
    }

    public long version() {
        return version;
    }

    /** @return partitions of the segments cache group (fixed at creation). */
    public int segmentSlots() {
        return segmentSlots;
    }

    public CollectionMeta withState(CollectionState newState) {
        return new CollectionMeta(spec, cid, uid, newState, version + 1, segmentSlots, rowPartitions, retired, null,
            retiredAtMillis);
    }

    /** @return the collection's id, fixed at creation (unlike {@link #uid()}, which names a generation of caches). */
    public String cid() {
        return cid;
    }

    /** @return layout version of the stored data this metadata describes. */
    public int layout() {
        return layout;
    }

    /**
     * @return name of the collection's state cache: a copy of this metadata and the target, kept apart from every
     *      other collection's so that a backup of the collection can be restored on its own.
     */
    public String stateCache() {
        return stateCacheName(spec.name(), cid);
    }

    /** @return name of the state cache of collection {@code name} with id {@code cid}. */
    public static String stateCacheName(String name, String cid) {
        return STATE_CACHE_PREFIX + name + "_" + cid;
    }

    /** Prefix of every collection's state cache name. */
    public static final String STATE_CACHE_PREFIX = "vecgrid_state_";

    /** @return partitions of the locations cache (fixed at creation). */
    public int rowPartitions() {
        return rowPartitions;
    }

    /**
     * @return name of the cache holding the growing rows, whole (partition = shard): rows stay here until the segment
     *      that seals them is served, then leave.
     */
    public String rowsCache() {
        return "vecgrid_rows_" + spec.name() + "_" + uid;
    }

    /**
     * @return name of the cache holding one small location entry per live row (version, segment, scalar fields), spread
     *      over {@link #rowPartitions()} partitions by primary key; it is also the collection's SQL table.
     */
    public String locsCache() {
        return "vecgrid_locs_" + spec.name() + "_" + uid;
    }

    /** @return type name of location values (binary objects: bookkeeping fields and the scalar fields). */
    public String locType() {
        return "vecgrid_loc_" + spec.name() + "_" + uid;
    }

    /** @return name of the cache holding sealed segments in chunks (partition = slot). */
    public String segmentsCache() {
        return "vecgrid_segments_" + spec.name() + "_" + uid;
    }

    /** @return name of the cache holding delete marks of sealed rows, co-located with their segments. */
    public String deletesCache() {
        return "vecgrid_deletes_" + spec.name() + "_" + uid;
    }

    /** @return cache group shared by the segments and deletes caches, so both have the same owners per slot. */
    public String segmentGroup() {
        return "vecgrid_seg_" + spec.name() + "_" + uid;
    }

    /** @return type name of row values (binary objects whose fields are the collection's fields). */
    public String rowType() {
        return "vecgrid_row_" + spec.name() + "_" + uid;
    }

    @Override public String toString() {
        return "CollectionMeta[" + spec.name() + ", cid=" + cid + ", uid=" + uid + ", state=" + state + ", version=" + version + "]";
    }
}
