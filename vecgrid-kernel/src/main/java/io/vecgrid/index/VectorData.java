package io.vecgrid.index;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The floats an index searches: either a {@code float[]} or a little-endian {@link ByteBuffer} (direct or heap), float
 * {@code i} at byte {@code 4 * i}. Immutable; thread-safe (nothing here moves a buffer's position: every read is
 * absolute).
 *
 * <p>This is the one abstraction over the two storage kinds. It is a final class with both fields rather than an
 * interface with two implementations, so the kernels' hot loops stay monomorphic: they read the two fields into locals
 * once per call and choose the load on a loop-invariant {@code null} test ({@link PanamaVectorKernel}).
 *
 * <p>A buffer must start 4-byte aligned (checked where vectors enter the package, {@link #ofVectors}); a direct
 * buffer whose rows start on 64-byte boundaries reads a row in the fewest cache lines (a 784-d row is 49 lines
 * exactly then, 50 otherwise).
 */
final class VectorData {
    /** Backing array, or {@code null} when the floats are in {@link #buffer}. */
    final float[] array;
    /** Little-endian buffer whose index 0 is float 0, or {@code null} when the floats are in {@link #array}. */
    final ByteBuffer buffer;
    /**
     * On JDK 19 and later (no {@code FloatVector.fromByteBuffer} there) a {@code java.lang.foreign.MemorySegment}
     * over {@link #buffer}, for {@code FloatVector.fromMemorySegment}; else {@code null}.
     */
    final Object segment;
    /** Number of floats. */
    final long length;
    /** {@link #buffer} as floats (little-endian, index 0 = float 0) for bulk copies, or {@code null}. */
    private final FloatBuffer floats;

    /**
     * {@code MemorySegment.ofBuffer(ByteBuffer)} typed {@code (ByteBuffer)Object}; {@code null} before JDK 19 or where
     * it cannot be used.
     */
    static final MethodHandle SEGMENT_OF_BUFFER = segmentOfBuffer();

    private VectorData(float[] array, ByteBuffer buffer, long length) {
        this.array = array;
        this.buffer = buffer;
        this.segment = buffer == null || SEGMENT_OF_BUFFER == null ? null : segmentOf(buffer);
        this.length = length;
        this.floats = buffer == null ? null : buffer.asFloatBuffer();
    }

    /** Wraps an array: no checks, no copy (the kernels' public float[] entry points wrap per call). */
    static VectorData of(float[] array) {
        return new VectorData(array, null, array.length);
    }

    /**
     * Views the first {@code floats} floats of {@code buf} from its position on (its position, limit and order are
     * left alone), without copying.
     *
     * @throws IllegalArgumentException if {@code buf} is null, holds fewer than {@code 4 * floats} bytes from its
     *      position, or does not start 4-byte aligned.
     */
    static VectorData of(ByteBuffer buf, long floats, String what) {
        if (buf == null)
            throw new IllegalArgumentException(what + " buffer must not be null");
        long need = 4L * floats;
        if (buf.remaining() < need)
            throw new IllegalArgumentException(what + " buffer holds " + buf.remaining() + " bytes, expected at least " + need);
        if (need > Integer.MAX_VALUE)
            throw new IllegalArgumentException(what + " need " + need + " bytes, more than one ByteBuffer holds");
        ByteBuffer view = buf.slice().limit((int)need).slice().order(ByteOrder.LITTLE_ENDIAN);
        int misaligned = misalignment(view);
        if (need > 0 && misaligned != 0)
            throw new IllegalArgumentException(what + " buffer is not 4-byte aligned (" + misaligned + " bytes past a multiple of 4); "
                + need + " bytes of little-endian floats must start at a multiple of 4");
        return new VectorData(null, view, floats);
    }

    /**
     * @return bytes past a 4-byte boundary where {@code b} starts: of its address for a direct buffer, of its offset
     *      in the backing array for a heap one (whose array the JVM keeps 8-byte aligned; JDK 25 refuses
     *      {@code alignmentOffset(0, 4)} on heap buffers), 0 for a read-only heap buffer (nothing to ask).
     */
    private static int misalignment(ByteBuffer b) {
        if (b.isDirect())
            return b.alignmentOffset(0, 4);
        return b.hasArray() ? b.arrayOffset() & 3 : 0;
    }

    /** The rows of a segment: {@link #of(ByteBuffer, long, String)} of {@code rows * dim} floats. */
    static VectorData ofVectors(ByteBuffer vectors, int rows, int dim) {
        if (vectors == null)
            throw new IllegalArgumentException("vectors must not be null");
        long floats = (long)rows * dim;
        if (vectors.remaining() < 4 * floats)
            throw new IllegalArgumentException("vectors buffer holds " + vectors.remaining() + " bytes, " + rows + " rows of dimension "
                + dim + " need " + 4 * floats + " (rows * dim * 4)");
        return of(vectors, floats, "vectors");
    }

    /** @return float {@code i}. */
    float get(long i) {
        return array != null ? array[(int)i] : buffer.getFloat((int)(i << 2));
    }

    /** Copies floats {@code [from, from + n)} into {@code dst[dstOff..]}. */
    void copy(long from, float[] dst, int dstOff, int n) {
        if (array != null)
            System.arraycopy(array, (int)from, dst, dstOff, n);
        else
            floats.get((int)from, dst, dstOff, n); // Absolute bulk get: one memory copy, position untouched.
    }

    /** @return true when the floats live outside the Java heap (a direct buffer). */
    boolean isDirect() {
        return buffer != null && buffer.isDirect();
    }

    /** @return bytes of the floats. */
    long bytes() {
        return 4L * length;
    }

    private static MethodHandle segmentOfBuffer() {
        if (Runtime.version().feature() < 19)
            return null;
        try {
            Class<?> ms = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandle mh = MethodHandles.publicLookup().findStatic(ms, "ofBuffer", MethodType.methodType(ms, java.nio.Buffer.class))
                .asType(MethodType.methodType(Object.class, ByteBuffer.class));
            // Tried once: where the API is a preview that is not enabled (JDK 19-21) this fails, and the kernel then
            // refuses to load (DistanceKernel falls back to the scalar kernel, which reads buffers with getFloat).
            Object probe = (Object)mh.invokeExact(ByteBuffer.allocateDirect(64));
            return probe == null ? null : mh;
        }
        catch (Throwable e) {
            return null;
        }
    }

    private static Object segmentOf(ByteBuffer buf) {
        try {
            return (Object)SEGMENT_OF_BUFFER.invokeExact(buf);
        }
        catch (Throwable t) {
            throw new IllegalStateException("cannot view the vectors buffer as a memory segment", t);
        }
    }
}
