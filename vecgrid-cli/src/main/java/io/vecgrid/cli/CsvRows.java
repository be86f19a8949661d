package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VectorRow;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rows of a CSV file, read by Apache Commons CSV (RFC 4180: fields may be quoted, {@code ""} is a quote inside a
 * quoted field, and a quoted field may span lines). Record 1 is a header naming the columns with the collection's
 * field names (primary key and vector required, scalar fields optional, any order). The vector cell holds the
 * components separated by commas, semicolons or spaces, brackets optional; quote it when it contains the delimiter:
 * {@code 7,"[0.1, 0.2]",3}. An empty scalar cell is null. Blank lines are skipped. Messages name the line a record
 * starts on.
 */
final class CsvRows extends TextRows {
    private static final Pattern STARTLINE = Pattern.compile("^\\(startline \\d+\\)\\s*");

    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private int pkCol = -1;
    private int vectorCol = -1;
    /** Scalar field of each column, {@code null} for the primary key and vector columns. */
    private ScalarField[] cols;

    /** @param delimiter the character between fields ({@code ,} in RFC 4180). */
    CsvRows(Path file, CollectionSpec spec, char delimiter) throws IOException {
        super(file, spec);
        CSVFormat fmt = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false).get();
        parser = fmt.parse(in);
        records = parser.iterator();
    }

    /** @return the next record that is not a blank line, or {@code null} at the end; sets {@link #line}. */
    private CSVRecord nextRecord() {
        while (true) {
            line = parser.getCurrentLineNumber() + 1;
            CSVRecord r;
            try {
                if (!records.hasNext())
                    return null;
                r = records.next();
            }
            catch (UncheckedIOException e) {
                String msg = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
                // Commons CSV starts some messages with "(startline N)": the line is named already.
                throw schema.error(where(), "malformed CSV: " + STARTLINE.matcher(String.valueOf(msg)).replaceFirst(""));
            }
            if (r.size() > 1 || (r.size() == 1 && !r.get(0).isBlank()))
                return r;
        }
    }

    private void header() {
        CSVRecord names = nextRecord();
        if (names == null)
            throw schema.error(where(), "the file is empty; expected a header line naming the columns");
        CollectionSpec spec = schema.spec();
        cols = new ScalarField[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).trim();
            if (i == 0 && n.startsWith("\uFEFF"))
                n = n.substring(1);
            if (n.equals(spec.pkField()))
                pkCol = i;
            else if (n.equals(spec.vectorField()))
                vectorCol = i;
            else
                cols[i] = schema.field(n, where() + " (header)");
        }
        if (pkCol < 0)
            throw schema.error(where() + " (header)", "no column '" + spec.pkField() + "' (the primary key)");
        if (vectorCol < 0)
            throw schema.error(where() + " (header)", "no column '" + spec.vectorField() + "' (the vector)");
    }

    @Override public VectorRow next() {
        if (cols == null)
            header();
        CSVRecord cells = nextRecord();
        if (cells == null)
            return null;
        if (cells.size() != cols.length)
            throw schema.error(where(), "has " + cells.size() + " fields, the header has " + cols.length);
        long pk = schema.pkText(cells.get(pkCol), where());
        float[] vector = schema.vectorText(cells.get(vectorCol), where());
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < cols.length; i++) {
            if (cols[i] != null)
                fields.put(cols[i].name(), schema.scalarText(cols[i], cells.get(i), where()));
        }
        return new VectorRow(pk, vector, fields);
    }

    @Override public void close() throws IOException {
        parser.close();
        super.close();
    }
}
