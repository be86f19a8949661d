package io.vecgrid.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Streaming writer shared by {@link Fvecs} and {@link Ivecs}: fixed dimension, little-endian records. */
abstract class VecsWriter implements Closeable {
    private static final int BUF_BYTES = 1 << 20;

    final Path file;

    final int dim;

    private final FileChannel ch;

    final ByteBuffer buf = ByteBuffer.allocateDirect(BUF_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private long count;

    private boolean closed;

    VecsWriter(Path file, int dim) throws IOException {
        if (dim <= 0 || dim > VecsReader.MAX_DIM)
            throw new IllegalArgumentException("dimension must be 1.." + VecsReader.MAX_DIM + ", got " + dim);
        this.file = file;
        this.dim = dim;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
            Files.createDirectories(parent);
        ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Ensures room for {@code bytes} (≤ buffer size) in the buffer. */
    final void room(int bytes) throws IOException {
        if (buf.remaining() < bytes)
            flush();
    }

    /** Starts a record: checks state and writes the header. */
    final void header(int len) throws IOException {
        if (closed)
            throw new IOException(file + ": writer is closed");
        if (len != dim)
            throw new IllegalArgumentException(file + ": vector #" + count + " has " + len
                + " elements, the file's dimension is " + dim);
        room(4);
        buf.putInt(dim);
        count++;
    }

    /** Elements that fit in the buffer now, at most {@code elems}, flushing first if none fit. */
    final int chunk(int elems) throws IOException {
        if (buf.remaining() < 4)
            flush();
        return Math.min(elems, buf.remaining() / 4);
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining())
            ch.write(buf);
        buf.clear();
    }

    /** @return vectors written so far. */
    public long count() {
        return count;
    }

    /** @return the file's dimension. */
    public int dim() {
        return dim;
    }

    /** Flushes, forces to disk and closes. */
    @Override public void close() throws IOException {
        if (closed)
            return;
        closed = true;
        try {
            flush();
            ch.force(false);
        }
        finally {
            ch.close();
        }
    }
}
