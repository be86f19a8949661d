package io.vecgrid.segment;

import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VecgridException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * An immutable block of rows of one shard: primary keys (ascending), vectors ({@code rows * dim} little-endian
 * floats, one contiguous section), scalar columns in the spec's field order, and the serialized index (a header alone
 * for FLAT).
 *
 * <p>A segment IS its stored form: one little-endian image, sections 64-byte aligned, held in a direct buffer (never
 * on the Java heap: a segment may be hundreds of MB). The vectors and the index are read in place from it; the keys
 * too (binary search over the section: no second copy of them anywhere); only the scalar columns are decoded onto
 * the heap, because string columns are variable-length (reading them in place would need an offset table per
 * column) and filters read them row by row; they are a few bytes a row against kilobytes of vector.
 * <pre>
 *   0  int  magic "VGS3"      4  int  header bytes (128)   8  long id          16 int shard     20 int rows
 *  24  int  dim              28  int  metric              32  int index type  36 int M          40 int efConstruction
 *  44  int  ef               48  int  scalar columns      52  int chunk bytes
 *  56  long keys offset      64  long vectors offset      72  long scalars offset   80 long scalars length
 *  88  long index offset     96  long index length       104  long total bytes
 * </pre>
 * The image is stored in chunks of the segments cache ({@link ChunkKey}); {@link #decode(ByteBuffer)} views the
 * concatenated chunks without copying or rebuilding anything. Delete marks are kept apart (deletes cache).
 *
 * <p>Memory: a segment made by {@link #assemble} or read by {@link SegmentStorage} owns its direct memory, freed by
 * {@link #free()} (else by the garbage collector, whenever it collects the buffer); one from {@link #decode} views a
 * buffer its caller owns. Nothing may read a segment after its memory was freed (a loaded copy guards that with a
 * reference count, {@link LoadedSegment#acquire()}).
 *
 * <p>Thread-safety: immutable; safe to share (every read is absolute).
 */
public final class SealedSegment {
    static final int MAGIC = 0x33534756; // "VGS3" little-endian
    /**
     * Magic of a released chunk 0: the image's header alone, standing in for a segment whose chunks were dropped
     * because every owner holds a loaded copy ({@link SegmentStorage#release}); the image is read from a copy.
     */
    static final int RELEASED_MAGIC = 0x52534756; // "VGSR" little-endian
    static final int HEADER_BYTES = 128;
    private static final int ALIGN = 64;

    /** The whole image, little-endian, position 0, limit = its size. */
    private final ByteBuffer image;
    /** The buffer that owns the image's memory (to free), or {@code null} when the caller owns it. */
    private final ByteBuffer owner;
    private final long id;
    private final int shard;
    private final int rows;
    private final int dim;
    private final Metric metric;
    private final IndexSpec index;
    private final int chunkBytes;
    private final LongBuffer keys;
    /** The vectors section, little-endian, position 0. */
    private final ByteBuffer vectors;
    private final FloatBuffer floats;
    /** The index section, position 0. */
    private final ByteBuffer indexBytes;
    private final ScalarColumn[] scalars;

    private SealedSegment(ByteBuffer all, ByteBuffer owner) {
        ByteBuffer buf = all.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (buf.limit() < HEADER_BYTES || buf.getInt(0) != MAGIC)
            throw new VecgridException("not a vecgrid segment (bad magic or short header)");
        long total = buf.getLong(104);
        if (total > buf.limit())
            throw new VecgridException("segment image truncated: " + buf.limit() + " of " + total + " bytes");
        this.image = buf.limit((int)total).slice().order(ByteOrder.LITTLE_ENDIAN);
        this.owner = owner;
        id = image.getLong(8);
        shard = image.getInt(16);
        rows = image.getInt(20);
        dim = image.getInt(24);
        metric = Metric.values()[image.getInt(28)];
        index = new IndexSpec(IndexType.values()[image.getInt(32)], image.getInt(36), image.getInt(40), image.getInt(44));
        chunkBytes = image.getInt(52);
        int keysOff = (int)image.getLong(56);
        int vecOff = (int)image.getLong(64);
        int scalOff = (int)image.getLong(72);
        int idxOff = (int)image.getLong(88);
        int idxLen = (int)image.getLong(96);
        keys = image.slice(keysOff, 8 * rows).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        vectors = image.slice(vecOff, 4 * rows * dim).order(ByteOrder.LITTLE_ENDIAN);
        floats = vectors.asFloatBuffer();
        indexBytes = image.slice(idxOff, idxLen);
        ByteBuffer sc = image.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(scalOff);
        scalars = new ScalarColumn[sc.getInt()];
        for (int i = 0; i < scalars.length; i++)
            scalars[i] = ScalarColumn.decode(sc, rows);
    }

    /**
     * Writes a new segment's image into direct memory the segment owns (free it with {@link #free()} once written).
     *
     * @param pks primary keys, strictly ascending.
     * @param vectors {@code pks.length * dim} little-endian floats from index 0 (its position is ignored).
     * @param indexBytes the serialized index over these vectors.
     * @param chunkBytes the chunk size the image will be stored in (recorded in its header).
     */
    public static SealedSegment assemble(long id, int shard, int dim, Metric metric, IndexSpec index, long[] pks,
        ByteBuffer vectors, ScalarColumn[] scalars, byte[] indexBytes, int chunkBytes) {
        long vecBytes = 4L * pks.length * dim;
        if (vectors.limit() < vecBytes)
            throw new IllegalArgumentException("vectors hold " + vectors.limit() + " bytes, rows " + pks.length +
                " * dim " + dim + " need " + vecBytes);
        for (int i = 1; i < pks.length; i++) {
            if (pks[i - 1] >= pks[i])
                throw new IllegalArgumentException("primary keys must be strictly ascending at row " + i);
        }
        long keysOff = align(HEADER_BYTES);
        long vecOff = align(keysOff + 8L * pks.length);
        long scalOff = vecOff + vecBytes;
        long scalLen = 4;
        for (ScalarColumn c : scalars)
            scalLen += c.encodedSize();
        long idxOff = align(scalOff + scalLen);
        long total = idxOff + indexBytes.length;
        if (total > Integer.MAX_VALUE - 2 * ALIGN)
            throw new VecgridException("segment " + id + " would take " + total + " bytes, more than 2 GB; lower segmentMaxBytes or sealRows");
        ByteBuffer owner = DirectBuffers.allocateAligned(total);
        try {
            ByteBuffer buf = DirectBuffers.aligned(owner, total);
            buf.putInt(0, MAGIC).putInt(4, HEADER_BYTES).putLong(8, id).putInt(16, shard).putInt(20, pks.length)
                .putInt(24, dim).putInt(28, metric.ordinal()).putInt(32, index.type().ordinal()).putInt(36, index.m())
                .putInt(40, index.efConstruction()).putInt(44, index.ef()).putInt(48, scalars.length).putInt(52, chunkBytes)
                .putLong(56, keysOff).putLong(64, vecOff).putLong(72, scalOff).putLong(80, scalLen).putLong(88, idxOff)
                .putLong(96, indexBytes.length).putLong(104, total);
            buf.slice((int)keysOff, 8 * pks.length).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(pks);
            buf.put((int)vecOff, vectors, 0, (int)vecBytes);
            buf.position((int)scalOff);
            buf.putInt(scalars.length);
            for (ScalarColumn c : scalars)
                c.encode(buf);
            buf.put((int)idxOff, indexBytes);
            buf.clear();
            return new SealedSegment(buf, owner);
        }
        catch (RuntimeException | Error e) {
            DirectBuffers.free(owner);
            throw e;
        }
    }

    /**
     * @return the segment whose image starts at 64-byte boundary of {@code owner} ({@link DirectBuffers#aligned});
     *      the segment owns {@code owner} and frees it in {@link #free()}.
     */
    static SealedSegment owning(ByteBuffer owner, long total) {
        try {
            return new SealedSegment(DirectBuffers.aligned(owner, total), owner);
        }
        catch (RuntimeException e) {
            DirectBuffers.free(owner);
            throw e;
        }
    }

    /**
     * @return the segment {@link #assemble} wrote, viewed in the concatenated chunks from {@code all}'s position (not
     *      copied: the caller keeps {@code all} alive and unchanged while the segment is used).
     */
    public static SealedSegment decode(ByteBuffer all) {
        return new SealedSegment(all, null);
    }

    /** Frees the image's direct memory, if this segment owns it. Nothing may read the segment afterwards. */
    public void free() {
        DirectBuffers.free(owner);
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
        return rows;
    }

    /** @return the chunk size the image is stored in. */
    public int chunkBytes() {
        return chunkBytes;
    }

    public long pk(int ordinal) {
        return keys.get(ordinal);
    }

    /** @return a copy of the primary keys, ascending. */
    public long[] pks() {
        long[] res = new long[rows];
        keys.get(0, res);
        return res;
    }

    /** @return the vectors section: {@code rows * dim} little-endian floats from position 0 (a view; do not write). */
    public ByteBuffer vectors() {
        return vectors.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public ScalarColumn[] scalars() {
        return scalars;
    }

    /** @return the serialized index from position 0 (a view; do not write). */
    public ByteBuffer indexBytes() {
        return indexBytes.duplicate();
    }

    /** @return the whole image from position 0 (a view; do not write), as it is stored. */
    ByteBuffer image() {
        return image.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return ordinal of {@code pk}, or -1. */
    public int ordinalOf(long pk) {
        // Binary search over the keys section in place (Arrays.binarySearch needs an array: a heap copy of the keys).
        int lo = 0;
        int hi = rows - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = keys.get(mid);
            if (v < pk)
                lo = mid + 1;
            else if (v > pk)
                hi = mid - 1;
            else
                return mid;
        }
        return -1;
    }

    /** @return a copy of the vector at {@code ordinal}. */
    public float[] vector(int ordinal) {
        float[] res = new float[dim];
        floats.get(ordinal * dim, res);
        return res;
    }

    /** Copies the vector at {@code ordinal} into {@code dst} from byte {@code dstOffset} (its position unchanged). */
    void copyVector(int ordinal, ByteBuffer dst, int dstOffset) {
        dst.put(dstOffset, vectors, 4 * ordinal * dim, 4 * dim);
    }

    /** @return direct memory this segment owns (0 for a view). */
    public long offHeapBytes() {
        return owner == null ? 0 : owner.capacity();
    }

    /** @return heap bytes the decoded scalar columns hold (estimate). */
    long scalarHeapBytes() {
        long n = 0;
        for (ScalarColumn c : scalars)
            n += c.heapBytes();
        return n;
    }

    private static long align(long off) {
        return (off + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** @return the encoded size of the segment stored with chunk 0 {@code first} (its header). */
    static long totalBytes(byte[] first) {
        ByteBuffer b = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
        if (first.length < HEADER_BYTES || (b.getInt(0) != MAGIC && b.getInt(0) != RELEASED_MAGIC))
            throw new VecgridException("not a vecgrid segment (bad magic or short header)");
        return b.getLong(104);
    }

    /** @return whether chunk 0 {@code first} is a released segment's header ({@link #releasedHeader}), not its image. */
    static boolean released(byte[] first) {
        return first.length >= 4 && ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == RELEASED_MAGIC;
    }

    /** @return the header of this image, marked released: what chunk 0 holds once the other chunks are dropped. */
    byte[] releasedHeader() {
        byte[] res = new byte[HEADER_BYTES];
        image.get(0, res);
        ByteBuffer.wrap(res).order(ByteOrder.LITTLE_ENDIAN).putInt(0, RELEASED_MAGIC);
        return res;
    }

    /** @return the chunk size the segment stored with chunk 0 {@code first} was cut into. */
    static int chunkBytes(byte[] first) {
        return ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt(52);
    }

    /** @return how many chunks a segment of {@code total} bytes takes. */
    public static int chunks(long total, int chunkBytes) {
        return (int)((total + chunkBytes - 1) / chunkBytes);
    }
}
