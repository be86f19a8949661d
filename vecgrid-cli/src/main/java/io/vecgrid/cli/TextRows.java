package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A line-oriented import file (CSV, JSON lines): the reader, the byte count for progress, and the line number that
 * every message names. Subclasses parse lines. Not thread-safe.
 */
abstract class TextRows implements RowSource {
    final RowSchema schema;
    final BufferedReader in;
    private final CountingInput counted;
    private final long size;
    /** Number of the line last read, from 1. */
    long line;

    TextRows(Path file, CollectionSpec spec) throws IOException {
        this.schema = new RowSchema(spec, file);
        this.size = Files.size(file);
        this.counted = new CountingInput(Files.newInputStream(file));
        this.in = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override public String where() {
        return "line " + line;
    }

    @Override public long bytesRead() {
        return counted.count();
    }

    @Override public long totalBytes() {
        return size;
    }

    @Override public long totalRows() {
        return -1;
    }

    @Override public void close() throws IOException {
        in.close();
    }
}
