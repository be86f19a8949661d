package io.vecgrid.shard;

/**
 * One growing row as a shard owner holds it in memory. Immutable.
 *
 * <p>{@code segment} is 0 while the row is growing; once a sealer has marked it, it names the segment sealing it, and
 * the row is searched here only by searches whose shard state does not serve that segment yet. It leaves (the
 * hand-off) once the segment is served.
 */
public final class GrowingRow {
    final long pk;
    final long version;
    final long segment;
    final float[] vector;
    final Object[] scalars;

    GrowingRow(long pk, long version, long segment, float[] vector, Object[] scalars) {
        this.pk = pk;
        this.version = version;
        this.segment = segment;
        this.vector = vector;
        this.scalars = scalars;
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
