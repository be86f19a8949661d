package io.vecgrid.segment;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Frees direct buffers at once instead of when the garbage collector gets to them: segments are hundreds of MB,
 * and a retired copy's memory should come back when the copy is dropped, not after the next full GC. Uses
 * {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, public since JDK 9); if it is not reachable, the
 * buffer is left to the garbage collector. The caller guarantees no one reads the buffer afterwards.
 */
public final class DirectBuffers {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object u = null;
        Method m = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            u = null;
            m = null;
        }
        UNSAFE = u;
        INVOKE_CLEANER = m;
    }

    private DirectBuffers() {
    }

    /** Alignment of the memory {@link #allocateAligned} hands out: one cache line. */
    public static final int ALIGN = 64;

    /**
     * Allocates a direct buffer of at least {@code bytes} usable bytes starting on a 64-byte boundary: the owner, to
     * be passed to {@link #free}; {@link #aligned} gives the usable view. {@code ByteBuffer.allocateDirect} only
     * promises what {@code malloc} gives (16 bytes on Linux), and a 784-d row read from a 64-byte boundary is 49 cache
     * lines instead of 50.
     */
    public static ByteBuffer allocateAligned(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE - ALIGN)
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes in one direct buffer");
        return ByteBuffer.allocateDirect((int)bytes + ALIGN - 1);
    }

    /**
     * @return the view of {@code bytes} bytes, little-endian, position 0, starting at the first 64-byte boundary of
     *      {@code owner} (allocated by {@link #allocateAligned}); the same view every call.
     */
    public static ByteBuffer aligned(ByteBuffer owner, long bytes) {
        int skip = (ALIGN - owner.alignmentOffset(0, ALIGN)) % ALIGN;
        return owner.duplicate().clear().position(skip).limit(skip + (int)bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Frees {@code buf} if it is a direct buffer that owns its memory (not a slice or duplicate). */
    public static void free(ByteBuffer buf) {
        if (buf == null || !buf.isDirect() || INVOKE_CLEANER == null)
            return;
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buf);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            // A slice or duplicate (no cleaner of its own), or unreachable: the garbage collector frees it.
        }
    }
}
