package io.vecgrid.index;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bulk int arrays through {@link DataOutput}/{@link DataInput}, big-endian like {@code writeInt}, in 64 KB chunks:
 * one {@code write(byte[])} per chunk instead of four single-byte writes per int. Stateless, thread-safe.
 */
final class IntIO {
    private static final int CHUNK_INTS = 16 * 1024;

    private IntIO() {
    }

    static void write(DataOutput out, int[] a, int n) throws IOException {
        byte[] buf = new byte[Math.min(n, CHUNK_INTS) * 4];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < n; ) {
            int c = Math.min(CHUNK_INTS, n - i);
            bb.clear();
            bb.asIntBuffer().put(a, i, c);
            out.write(buf, 0, c * 4);
            i += c;
        }
    }

    static int[] read(DataInput in, int n) throws IOException {
        if (n < 0)
            throw new IOException("corrupt index: negative array length " + n);
        int[] a = new int[n];
        byte[] buf = new byte[Math.min(n, CHUNK_INTS) * 4];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < n; ) {
            int c = Math.min(CHUNK_INTS, n - i);
            in.readFully(buf, 0, c * 4);
            bb.clear();
            bb.asIntBuffer().get(a, i, c);
            i += c;
        }
        return a;
    }
}
