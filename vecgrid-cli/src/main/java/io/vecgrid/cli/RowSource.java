package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VectorRow;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Rows of an import file, one at a time, each checked against the collection's schema as it is read (dimension,
 * finite components, field names and types): a bad row throws {@link BadInputException} naming the file and the line
 * (or, for fvecs, the vector number) before anything of its batch is sent. Not thread-safe.
 */
interface RowSource extends Closeable {
    /** @return the next row, or {@code null} at the end of the file. */
    VectorRow next() throws IOException;

    /** @return where the row last returned starts, for messages: {@code "line 15"} or {@code "vector #14"}. */
    String where();

    /** @return bytes of the file consumed so far (for progress). */
    long bytesRead();

    /** @return size of the file in bytes. */
    long totalBytes();

    /** @return number of rows in the file if known without reading it (fvecs), else -1. */
    long totalRows();

    /**
     * Opens {@code file} in {@code format} (see {@link #format(Path, String)}).
     *
     * @param firstPk primary key of the first fvecs vector (the others follow in file order).
     * @param delimiter CSV: the character between fields.
     */
    static RowSource open(Path file, String format, CollectionSpec spec, long firstPk, char delimiter)
        throws IOException {
        switch (format(file, format)) {
            case "fvecs": return new FvecsRows(file, spec, firstPk);
            case "jsonl": return new JsonRows(file, spec);
            default: return new CsvRows(file, spec, delimiter);
        }
    }

    /**
     * @param format {@code --format}, or {@code null} to tell from the file name's extension.
     * @return {@code fvecs}, {@code jsonl} or {@code csv}.
     * @throws BadInputException for any other format.
     */
    static String format(Path file, String format) {
        String fmt = format != null ? format.toLowerCase(Locale.ROOT) : extension(file);
        if (!fmt.equals("fvecs") && !fmt.equals("jsonl") && !fmt.equals("csv"))
            throw new BadInputException("--format must be fvecs, jsonl or csv, got '" + format + "'");
        return fmt;
    }

    private static String extension(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".fvecs"))
            return "fvecs";
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json"))
            return "jsonl";
        if (n.endsWith(".csv"))
            return "csv";
        throw new BadInputException("cannot tell the format of '" + file + "' from its name; give --format fvecs, jsonl " +
            "or csv");
    }
}
