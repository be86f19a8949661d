package io.vecgrid.coordinator;

import java.io.Serializable;
import java.util.List;

/** Something a checker wants done to one shard of a collection. Immutable. */
public final class CoordinatorTask implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What to do. */
    public enum Kind {
        /** Seal the shard's growing rows (while they are past the threshold). */
        SEAL,
        /** Merge small or delete-heavy segments of the shard into one (compaction). */
        MERGE,
        /** Copy a segment, bytes and index as they are, into another affinity slot (balance). */
        MOVE,
        /** Undo or finish a layout operation whose node died (the source is the operation's segment). */
        RECOVER,
        /** Drop the chunks and marks of the shard's replaced segments whose grace period is over. */
        DROP,
        /** Copy a collection into the generation of caches a replica change is building, and switch to it. */
        RESHAPE,
        /** Drop the generation of caches a replica change replaced. */
        RETIRE
    }

    private final Kind kind;
    private final String collection;
    private final String uid;
    private final int shard;
    private final List<Long> sources;
    private final Integer slot;
    private final String reason;
    /** The node to run on, or {@code null} for the shard's primary. */
    private java.util.UUID node;

    public CoordinatorTask(Kind kind, String collection, String uid, int shard, List<Long> sources, Integer slot,
        String reason) {
        this.kind = kind;
        this.collection = collection;
        this.uid = uid;
        this.shard = shard;
        this.sources = List.copyOf(sources);
        this.slot = slot;
        this.reason = reason;
    }

    public Kind kind() {
        return kind;
    }

    public String collection() {
        return collection;
    }

    /** @return caches generation the task was decided for. */
    public String uid() {
        return uid;
    }

    public int shard() {
        return shard;
    }

    /** @return segments to rewrite (MERGE, MOVE), or the operation's segment (RECOVER). */
    public List<Long> sources() {
        return sources;
    }

    /** @return target slot (MOVE), or {@code null}. */
    public Integer slot() {
        return slot;
    }

    /** @return this task, to run on {@code node} instead of the shard's primary (a RECOVER of a live driver's operation). */
    CoordinatorTask on(java.util.UUID node) {
        this.node = node;
        return this;
    }

    /** @return the node to run on, or {@code null} for the shard's primary. */
    java.util.UUID node() {
        return node;
    }

    public String reason() {
        return reason;
    }

    /**
     * @return what the task occupies: at most one task runs per key. Seals of a shard go on while a merge or move of
     *      it runs; a recovery occupies its operation only.
     */
    String shardKey() {
        switch (kind) {
            case SEAL: return "seal:" + collection + '#' + shard;
            case RECOVER: return "recover:" + collection + '#' + shard + '#' + sources;
            case DROP: return "drop:" + collection + '#' + shard;
            case RESHAPE:
            case RETIRE: return "reshape:" + collection;
            default: return "rewrite:" + collection + '#' + shard;
        }
    }

    @Override public String toString() {
        return kind + " " + collection + " shard " + shard + (sources.isEmpty() ? "" : " segments " + sources) +
            (slot == null ? "" : " to slot " + slot) + " (" + reason + ")";
    }
}
