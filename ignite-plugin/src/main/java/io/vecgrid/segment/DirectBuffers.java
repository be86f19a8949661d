package io.vecgrid.segment;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;

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
