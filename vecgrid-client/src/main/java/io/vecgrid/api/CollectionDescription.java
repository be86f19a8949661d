package io.vecgrid.api;

import java.io.Serializable;

/** What {@code describe} reports of a collection. Immutable snapshot. */
public final class CollectionDescription implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CollectionSpec spec;
    private final CollectionState state;
    private final long version;
    private final long rowCount;
    private final int segmentCount;
    private final long targetVersion;
    private final boolean underReplicated;

    public CollectionDescription(CollectionSpec spec, CollectionState state, long version, long rowCount,
        int segmentCount, long targetVersion, boolean underReplicated) {
        this.spec = spec;
        this.state = state;
        this.version = version;
        this.rowCount = rowCount;
        this.segmentCount = segmentCount;
        this.targetVersion = targetVersion;
        this.underReplicated = underReplicated;
    }

    public CollectionSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public CollectionState state() {
        return state;
    }

    /** @return version of the collection's metadata (grows on every change of it). */
    public long version() {
        return version;
    }

    public long rowCount() {
        return rowCount;
    }

    /** @return sealed segments in the current target. */
    public int segmentCount() {
        return segmentCount;
    }

    public long targetVersion() {
        return targetVersion;
    }

    public int replicaNumber() {
        return spec.replicas();
    }

    /** @return {@code true} when some replica group has no node, so some data has fewer copies than replicaNumber. */
    public boolean underReplicated() {
        return underReplicated;
    }

    @Override public String toString() {
        return "CollectionDescription[" + spec + ", state=" + state + ", version=" + version + ", rows=" + rowCount +
            ", segments=" + segmentCount + ", targetVersion=" + targetVersion + ", underReplicated=" + underReplicated + "]";
    }
}
