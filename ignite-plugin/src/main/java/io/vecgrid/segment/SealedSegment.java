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
 * <p>Stored form ({@link #encode()}, little-endian), sections 64-byte aligned so that a loaded copy can read them in
 * place:
 * <pre>
 *   0  int  magic "VGS3"      4  int  header bytes (128)   8  long id          16 int shard     20 int rows
 *  24  int  dim              28  int  metric              32  int index type  36 int M          40 int efConstruction
 *  44  int  ef               48  int  scalar columns      52  int chunk bytes
 *  56  long keys offset      64  long vectors offset      72  long scalars offset   80 long scalars length
 *  88  long index offset     96  long index length       104  long total bytes
 * </pre>
 * The encoded bytes are stored in chunks of the segments cache ({@link ChunkKey}); {@link #decode(ByteBuffer)} reads
 * the concatenated chunks back without rebuilding anything. Delete marks are kept apart (deletes cache).
 *
 * <p>Thread-safety: immutable; safe to share.
 */
public final class SealedSegment {
    static final int MAGIC = 0x33534756; // "VGS3" little-endian
    static final int HEADER_BYTES = 128;
    private static final int ALIGN = 64;

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

    /** @return a copy of the vector at {@code ordinal}. */
    public float[] vector(int ordinal) {
        return Arrays.copyOfRange(vectors, ordinal * dim, (ordinal + 1) * dim);
    }

    /** @return the same rows and index under another id (a move to another slot keeps the content). */
    public SealedSegment withId(long newId) {
        return new SealedSegment(newId, shard, dim, metric, index, pks, vectors, scalars, indexBytes);
    }

    private static long align(long off) {
        return (off + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * Encodes the segment into one direct buffer (off the heap: a segment may be hundreds of MB), to be cut into
     * chunks of {@code chunkBytes}.
     *
     * @return the buffer, position 0, limit = the encoded size.
     */
    public ByteBuffer encode(int chunkBytes) {
        long keysOff = align(HEADER_BYTES);
        long vecOff = align(keysOff + 8L * pks.length);
        long scalOff = vecOff + 4L * vectors.length;
        long scalLen = 4;
        for (ScalarColumn c : scalars)
            scalLen += c.encodedSize();
        long idxOff = align(scalOff + scalLen);
        long total = idxOff + indexBytes.length;
        if (total > Integer.MAX_VALUE - 64)
            throw new VecgridException("segment " + id + " would take " + total + " bytes, more than 2 GB; lower segmentMaxBytes or sealRows");
        ByteBuffer buf = ByteBuffer.allocateDirect((int)total).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, MAGIC).putInt(4, HEADER_BYTES).putLong(8, id).putInt(16, shard).putInt(20, pks.length)
            .putInt(24, dim).putInt(28, metric.ordinal()).putInt(32, index.type().ordinal()).putInt(36, index.m())
            .putInt(40, index.efConstruction()).putInt(44, index.ef()).putInt(48, scalars.length).putInt(52, chunkBytes)
            .putLong(56, keysOff).putLong(64, vecOff).putLong(72, scalOff).putLong(80, scalLen).putLong(88, idxOff)
            .putLong(96, indexBytes.length).putLong(104, total);
        buf.position((int)keysOff);
        buf.asLongBuffer().put(pks);
        buf.position((int)vecOff);
        buf.asFloatBuffer().put(vectors);
        buf.position((int)scalOff);
        buf.putInt(scalars.length);
        for (ScalarColumn c : scalars)
            c.encode(buf);
        buf.position((int)idxOff);
        buf.put(indexBytes);
        buf.clear();
        return buf;
    }

    /** @return the encoded size of the segment stored with chunk 0 {@code first} (its header). */
    static long totalBytes(byte[] first) {
        ByteBuffer b = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
        if (first.length < HEADER_BYTES || b.getInt(0) != MAGIC)
            throw new VecgridException("not a vecgrid segment (bad magic or short header)");
        return b.getLong(104);
    }

    /** @return the chunk size the segment stored with chunk 0 {@code first} was cut into. */
    static int chunkBytes(byte[] first) {
        return ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt(52);
    }

    /** @return how many chunks a segment of {@code total} bytes takes. */
    public static int chunks(long total, int chunkBytes) {
        return (int)((total + chunkBytes - 1) / chunkBytes);
    }

    /** @return the segment {@link #encode} wrote, read from the concatenated chunks. */
    public static SealedSegment decode(ByteBuffer all) {
        ByteBuffer buf = all.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != MAGIC)
            throw new VecgridException("not a vecgrid segment (bad magic)");
        long id = buf.getLong(8);
        int shard = buf.getInt(16);
        int rows = buf.getInt(20);
        int dim = buf.getInt(24);
        Metric metric = Metric.values()[buf.getInt(28)];
        IndexSpec index = new IndexSpec(IndexType.values()[buf.getInt(32)], buf.getInt(36), buf.getInt(40), buf.getInt(44));
        long keysOff = buf.getLong(56);
        long vecOff = buf.getLong(64);
        long scalOff = buf.getLong(72);
        long idxOff = buf.getLong(88);
        long idxLen = buf.getLong(96);
        long[] pks = new long[rows];
        buf.position((int)keysOff);
        buf.asLongBuffer().get(pks);
        float[] vectors = new float[rows * dim];
        buf.position((int)vecOff);
        buf.asFloatBuffer().get(vectors);
        buf.position((int)scalOff);
        ScalarColumn[] scalars = new ScalarColumn[buf.getInt()];
        for (int i = 0; i < scalars.length; i++)
            scalars[i] = ScalarColumn.decode(buf, rows);
        byte[] idx = new byte[(int)idxLen];
        buf.position((int)idxOff);
        buf.get(idx);
        return new SealedSegment(id, shard, dim, metric, index, pks, vectors, scalars, idx);
    }
}
