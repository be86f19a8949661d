package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VectorRow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of a CSV file. Line 1 is a header naming the columns with the collection's field names (primary key and vector
 * required, scalar fields optional, any order). The vector cell holds the components separated by commas, semicolons
 * or spaces, brackets optional; quote it when it contains commas: {@code 7,"[0.1, 0.2]",3}. Fields are separated by
 * commas and may be quoted (RFC 4180, {@code ""} for a quote inside); a record is one line. An empty scalar cell is
 * null. Blank lines are skipped.
 */
final class CsvRows extends TextRows {
    private int pkCol = -1;
    private int vectorCol = -1;
    /** Scalar field of each column, {@code null} for the primary key and vector columns. */
    private ScalarField[] cols;

    CsvRows(Path file, CollectionSpec spec) throws IOException {
        super(file, spec);
    }

    private void header() throws IOException {
        String text = in.readLine();
        line++;
        if (text == null)
            throw schema.error(where(), "the file is empty; expected a header line naming the columns");
        if (text.startsWith("\uFEFF"))
            text = text.substring(1);
        List<String> names = split(text);
        CollectionSpec spec = schema.spec();
        cols = new ScalarField[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).trim();
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

    @Override public VectorRow next() throws IOException {
        if (cols == null)
            header();
        String text;
        do {
            text = in.readLine();
            if (text == null)
                return null;
            line++;
        }
        while (text.isBlank());
        List<String> cells = split(text);
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

    /** Splits one CSV record. */
    private List<String> split(String s) {
        List<String> res = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int i = 0;
        while (true) {
            cell.setLength(0);
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= s.length())
                        throw schema.error(where(), "unterminated quoted field");
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < s.length() && s.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        }
                        else
                            break;
                    }
                    else
                        cell.append(c);
                }
                if (i < s.length() && s.charAt(i) != ',')
                    throw schema.error(where(), "unexpected '" + s.charAt(i) + "' after a quoted field");
            }
            else {
                while (i < s.length() && s.charAt(i) != ',')
                    cell.append(s.charAt(i++));
            }
            res.add(cell.toString());
            if (i >= s.length())
                return res;
            i++; // the comma
        }
    }
}
