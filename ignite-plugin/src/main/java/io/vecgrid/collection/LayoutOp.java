package io.vecgrid.collection;

import java.io.Serializable;
import java.util.List;
import java.util.UUID;

/**
 * A change of a shard's layout in progress, recorded in the shard's {@link ShardState} before it touches any row, so
 * that writers keep delete marks exact while it runs and the coordinator can finish or roll it back if its driver
 * dies. Immutable.
 * <ul>
 *   <li>{@link Kind#SEAL}: growing rows become segment {@link #segment()}; rows are marked with it, then it is
 *   published.</li>
 *   <li>{@link Kind#MERGE}: the live rows of {@link #sources()} are rewritten into one new segment (compaction of
 *   small or delete-heavy segments, and merging into large ones).</li>
 *   <li>{@link Kind#MOVE}: one source is copied, bytes and index as they are, into a segment in another slot
 *   (balance).</li>
 * </ul>
 * While a MERGE or MOVE is {@link Phase#BUILDING}, a delete or upsert of a row held by a source also marks the row
 * in the new segment; once {@link Phase#PUBLISHED}, the sources have left the shard's segments and are forwarded to
 * the new one until every location entry names it (then the operation is over).
 */
public final class LayoutOp implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What the operation makes. */
    public enum Kind {
        SEAL, MERGE, MOVE
    }

    /** Where it is. */
    public enum Phase {
        /** The new segment is being built, written and loaded; nothing published. Rolled back if the driver dies. */
        BUILDING,
        /** Published: the sources are forwarded to the new segment while location entries are re-pointed. */
        PUBLISHED
    }

    private final Kind kind;
    private final long segment;
    private final int slot;
    private final List<Long> sources;
    private final Phase phase;
    private final UUID driver;
    private final long startedAtMillis;

    public LayoutOp(Kind kind, long segment, int slot, List<Long> sources, Phase phase, UUID driver, long startedAtMillis) {
        this.kind = kind;
        this.segment = segment;
        this.slot = slot;
        this.sources = List.copyOf(sources);
        this.phase = phase;
        this.driver = driver;
        this.startedAtMillis = startedAtMillis;
    }

    public Kind kind() {
        return kind;
    }

    /** @return id of the segment the operation makes. */
    public long segment() {
        return segment;
    }

    /** @return affinity slot of that segment. */
    public int slot() {
        return slot;
    }

    /** @return segments the operation replaces (none for a seal). */
    public List<Long> sources() {
        return sources;
    }

    public Phase phase() {
        return phase;
    }

    /** @return the node carrying the operation out (its id changes when it restarts). */
    public UUID driver() {
        return driver;
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** @return this operation in {@code next} phase, driven by {@code driver}. */
    public LayoutOp with(Phase next, UUID driver) {
        return new LayoutOp(kind, segment, slot, sources, next, driver, startedAtMillis);
    }

    @Override public String toString() {
        return kind + " -> segment " + segment + " (slot " + slot + (sources.isEmpty() ? "" : ", from " + sources) + ", " +
            phase + ", driver " + driver + ")";
    }
}
