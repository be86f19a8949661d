package io.vecgrid.shard;

/**
 * One row as a shard owner holds it in memory. Immutable.
 *
 * <p>{@code segment} is 0 while the row is growing; once a sealer has marked it, it names the sealed segment that
 * holds it, and the row is searched here only by searches whose target does not contain that segment yet.
 */
public final class GrowingRow {
    final long pk;
    final long version;
    final long segment;
    final int slot;
    final float[] vector;
    final Object[] scalars;
    /** {@link System#nanoTime()} when the row was seen marked sealed, 0 while growing. */
    final long sealedAtNanos;

    GrowingRow(long pk, long version, long segment, int slot, float[] vector, Object[] scalars, long sealedAtNanos) {
        this.pk = pk;
        this.version = version;
        this.segment = segment;
        this.slot = slot;
        this.vector = vector;
        this.scalars = scalars;
        this.sealedAtNanos = sealedAtNanos;
    }

    public long pk() {
        return pk;
    }

    public long version() {
        return version;
    }

    public long segment() {
        return segment;
    }

    public float[] vector() {
        return vector;
    }

    public Object[] scalars() {
        return scalars;
    }
}
