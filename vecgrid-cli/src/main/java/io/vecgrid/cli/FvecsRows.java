package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VectorRow;
import io.vecgrid.dataset.Fvecs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Rows of an fvecs file: vector #i gets primary key {@code firstPk + i}; no scalar fields. */
final class FvecsRows implements RowSource {
    private final Path file;
    private final RowSchema schema;
    private final Fvecs.Reader reader;
    private final long firstPk;
    private final long size;
    private long index = -1;
    private long bytes;

    FvecsRows(Path file, CollectionSpec spec, long firstPk) throws IOException {
        this.file = file;
        this.schema = new RowSchema(spec, file);
        this.firstPk = firstPk;
        this.size = Files.size(file);
        this.reader = Fvecs.openReader(file);
    }

    @Override public VectorRow next() throws IOException {
        float[] v = reader.next();
        if (v == null)
            return null;
        index++;
        bytes += 4L + 4L * v.length;
        schema.checkVector(v, where());
        return new VectorRow(firstPk + index, v);
    }

    @Override public String where() {
        return "vector #" + index;
    }

    @Override public long bytesRead() {
        return bytes;
    }

    @Override public long totalBytes() {
        return size;
    }

    /** From the size and the collection's dimension; a file that disagrees fails at the vector concerned. */
    @Override public long totalRows() {
        return size / (4L + 4L * schema.spec().dimension());
    }

    @Override public void close() throws IOException {
        reader.close();
    }

    @Override public String toString() {
        return file.toString();
    }
}
