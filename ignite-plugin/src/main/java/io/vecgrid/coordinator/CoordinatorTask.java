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
        /** Rewrite small or delete-heavy segments of the shard into one. */
        COMPACT,
        /** Move a segment to another affinity slot for balance (a rewrite into the new slot). */
        RESLOT
    }

    private final Kind kind;
    private final String collection;
    private final String uid;
    private final int shard;
    private final List<Long> sources;
    private final Integer slot;
    private final String reason;

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

    /** @return segments to rewrite (COMPACT, RESLOT). */
    public List<Long> sources() {
        return sources;
    }

    /** @return target slot (RESLOT), or {@code null}. */
    public Integer slot() {
        return slot;
    }

    public String reason() {
        return reason;
    }

    /** @return key of the shard the task works on: at most one task runs per shard. */
    String shardKey() {
        return collection + '#' + shard;
    }

    @Override public String toString() {
        return kind + " " + collection + " shard " + shard + (sources.isEmpty() ? "" : " segments " + sources) +
            (slot == null ? "" : " to slot " + slot) + " (" + reason + ")";
    }
}
