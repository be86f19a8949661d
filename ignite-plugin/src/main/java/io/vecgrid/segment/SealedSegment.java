package io.vecgrid.segment;

import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VecgridException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable block of rows of one shard: primary keys (ascending), vectors as one contiguous {@code float[]}
 * ({@code rows * dim}), scalar columns in the spec's field order, and the serialized index (empty for FLAT).
 *
 * <p>{@link #encode()} gives the value stored in the segments cache; {@link #decode(byte[])} reads it back without
 * rebuilding anything. Delete marks are kept apart (deletes cache), never inside this value.
 *
 * <p>Thread-safety: immutable; safe to share.
 */
public final class SealedSegment {
    private static final int MAGIC = 0x56475331; // "VGS1"
    /** magic, id, shard, rows, dim, metric, index type, m, efConstruction, ef. */
    private static final int HEADER_BYTES = 4 + 8 + 8 * 4;

    private final long id;
    private final int shard;
    private final int dim;
    private final Metric metric;
    private final IndexSpec index;
    private final long[] pks;
    private final float[] vectors;
    private final ScalarColumn[] scalars;
    private final byte[] indexBytes;

    public SealedSegment(long id, int shard, int dim, Metric metric, IndexSpec index, long[] pks, float[] vectors,
        ScalarColumn[] scalars, byte[] indexBytes) {
        if (vectors.length != (long)pks.length * dim)
            throw new IllegalArgumentException("vectors length " + vectors.length + " != rows " + pks.length + " * dim " + dim);
        for (int i = 1; i < pks.length; i++) {
            if (pks[i - 1] >= pks[i])
                throw new IllegalArgumentException("primary keys must be strictly ascending at row " + i);
        }
        this.id = id;
        this.shard = shard;
        this.dim = dim;
        this.metric = metric;
        this.index = index;
        this.pks = pks;
        this.vectors = vectors;
        this.scalars = scalars;
        this.indexBytes = indexBytes;
    }

    public long id() {
        return id;
    }

    public int shard() {
        return shard;
    }

    public int dim() {
        return dim;
    }

    public Metric metric() {
        return metric;
    }

    public IndexSpec index() {
        return index;
    }

    public int rows() {
        return pks.length;
    }

    public long pk(int ordinal) {
        return pks[ordinal];
    }

    /** @return primary keys, ascending (not copied: do not modify). */
    public long[] pks() {
        return pks;
    }

    /** @return vectors, {@code rows * dim} (not copied: do not modify). */
    public float[] vectors() {
        return vectors;
    }

    public ScalarColumn[] scalars() {
        return scalars;
    }

    /** @return the serialized index (empty for FLAT). */
    public byte[] indexBytes() {
        return indexBytes;
    }

    /** @return ordinal of {@code pk}, or -1. */
    public int ordinalOf(long pk) {
        int i = Arrays.binarySearch(pks, pk);
        return i >= 0 ? i : -1;
    }

    /** @return the bytes stored in the segments cache. */
    public byte[] encode() {
        long size = HEADER_BYTES + 8L * pks.length + 4L * vectors.length + 4 + indexBytes.length + 4;
        for (ScalarColumn c : scalars)
            size += c.encodedSize();
        if (size > Integer.MAX_VALUE - 16)
            throw new VecgridException("segment " + id + " would take " + size + " bytes, more than a cache entry holds; lower sealRows");
        ByteBuffer buf = ByteBuffer.allocate((int)size).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(MAGIC).putLong(id).putInt(shard).putInt(pks.length).putInt(dim).putInt(metric.ordinal())
            .putInt(index.type().ordinal()).putInt(index.m()).putInt(index.efConstruction()).putInt(index.ef());
        buf.asLongBuffer().put(pks);
        buf.position(buf.position() + 8 * pks.length);
        buf.asFloatBuffer().put(vectors);
        buf.position(buf.position() + 4 * vectors.length);
        buf.putInt(scalars.length);
        for (ScalarColumn c : scalars)
            c.encode(buf);
        buf.putInt(indexBytes.length);
        buf.put(indexBytes);
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** @return the segment {@link #encode()} wrote. */
    public static SealedSegment decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt() != MAGIC)
            throw new VecgridException("not a vecgrid segment (bad magic)");
        long id = buf.getLong();
        int shard = buf.getInt();
        int rows = buf.getInt();
        int dim = buf.getInt();
        Metric metric = Metric.values()[buf.getInt()];
        IndexSpec index = new IndexSpec(IndexType.values()[buf.getInt()], buf.getInt(), buf.getInt(), buf.getInt());
        long[] pks = new long[rows];
        buf.asLongBuffer().get(pks);
        buf.position(buf.position() + 8 * rows);
        float[] vectors = new float[rows * dim];
        buf.asFloatBuffer().get(vectors);
        buf.position(buf.position() + 4 * vectors.length);
        ScalarColumn[] scalars = new ScalarColumn[buf.getInt()];
        for (int i = 0; i < scalars.length; i++)
            scalars[i] = ScalarColumn.decode(buf, rows);
        byte[] idx = new byte[buf.getInt()];
        buf.get(idx);
        return new SealedSegment(id, shard, dim, metric, index, pks, vectors, scalars, idx);
    }
}
