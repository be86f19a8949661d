package io.vecgrid.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;

/**
 * What {@code get replicas} reports of a collection: its replica groups (node-disjoint sets of nodes that together
 * hold one full copy), each with its nodes, shard leaders and the segments each node holds with their serviceable
 * flags. Immutable snapshot.
 */
public final class ReplicaInfo implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String collection;
    private final int replicaNumber;
    private final boolean underReplicated;
    private final long targetVersion;
    private final List<ReplicaGroupInfo> groups;

    public ReplicaInfo(String collection, int replicaNumber, boolean underReplicated, long targetVersion,
        List<ReplicaGroupInfo> groups) {
        this.collection = collection;
        this.replicaNumber = replicaNumber;
        this.underReplicated = underReplicated;
        this.targetVersion = targetVersion;
        this.groups = groups;
    }

    public String collection() {
        return collection;
    }

    public int replicaNumber() {
        return replicaNumber;
    }

    /** @return {@code true} if some group has no node or some copy is missing. */
    public boolean underReplicated() {
        return underReplicated;
    }

    public long targetVersion() {
        return targetVersion;
    }

    public List<ReplicaGroupInfo> groups() {
        return Collections.unmodifiableList(groups);
    }

    @Override public String toString() {
        return "ReplicaInfo[collection=" + collection + ", replicaNumber=" + replicaNumber + ", underReplicated=" +
            underReplicated + ", groups=" + groups + "]";
    }
}
