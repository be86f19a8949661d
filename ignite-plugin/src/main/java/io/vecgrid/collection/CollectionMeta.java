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
    private final CollectionSpec spec;
    private final String uid;
    private final CollectionState state;
    private final long version;
    private final int segmentSlots;

    public CollectionMeta(CollectionSpec spec, String uid, CollectionState state, long version, int segmentSlots) {
        this.spec = spec;
        this.uid = uid;
        this.state = state;
        this.version = version;
        this.segmentSlots = segmentSlots;
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
        return new CollectionMeta(spec, uid, newState, version + 1, segmentSlots);
    }

    /** @return name of the cache holding the rows (partition = shard). */
    public String rowsCache() {
        return "vecgrid_rows_" + spec.name() + "_" + uid;
    }

    /** @return name of the cache holding serialized sealed segments (partition = slot). */
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
        return "CollectionMeta[" + spec.name() + ", uid=" + uid + ", state=" + state + ", version=" + version + "]";
    }
}
