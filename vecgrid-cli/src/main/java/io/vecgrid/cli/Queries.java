package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.dataset.Fvecs;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Query vectors of {@code search}: given on the command line ({@code --vector '[0.1, 0.2]'}), or read from an fvecs
 * file or a JSON-lines file (one query per line: an array of numbers, or an object whose vector field holds one, such
 * as a line of an import file). Each is checked against the collection's dimension, and every component must be a
 * finite number; messages name the option or the file's line (fvecs: the vector number).
 */
final class Queries {
    private Queries() {
    }

    /**
     * Parses {@code --vector} values; {@link #check(float[][], CollectionSpec)} checks them against the collection.
     * Done before connecting, so a malformed vector is bad input whether or not a cluster answers.
     *
     * @param texts {@code --vector} values: numbers separated by commas, semicolons or spaces, brackets optional.
     * @return the vectors.
     */
    static float[][] parse(List<String> texts) {
        float[][] res = new float[texts.size()][];
        for (int i = 0; i < res.length; i++)
            res[i] = text(texts.get(i), where(i, res.length));
        return res;
    }

    /** @return {@code vs}, parsed from {@code --vector} values, if each has the dimension and only finite components. */
    static float[][] check(float[][] vs, CollectionSpec spec) {
        for (int i = 0; i < vs.length; i++)
            check(vs[i], spec, where(i, vs.length));
        return vs;
    }

    private static String where(int i, int n) {
        return n == 1 ? "--vector" : "--vector #" + (i + 1) + " (of " + n + ")";
    }

    /** @return the vector in {@code s}: numbers separated by commas, semicolons or white space, brackets optional. */
    static float[] text(String s, String where) {
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]"))
            t = t.substring(1, t.length() - 1).trim();
        if (t.isEmpty())
            throw new BadInputException(where + ": the vector is empty; give its components, e.g. '[0.1, 0.2, 0.3]'");
        String[] parts = t.split("[,;\\s]+");
        float[] v = new float[parts.length];
        for (int j = 0; j < parts.length; j++) {
            try {
                v[j] = Float.parseFloat(parts[j]);
            }
            catch (NumberFormatException e) {
                throw new BadInputException(where + ": '" + parts[j] + "' at position " + j + " is not a number; give " +
                    "the components as '[0.1, 0.2, 0.3]'");
            }
        }
        return finite(v, where);
    }

    /** @return {@code v} if it has the collection's dimension and only finite components. */
    private static float[] check(float[] v, CollectionSpec spec, String where) {
        if (v.length != spec.dimension()) {
            throw new BadInputException(where + " has dimension " + v.length + ", collection '" + spec.name() +
                "' expects " + spec.dimension());
        }
        return finite(v, where);
    }

    /** @return {@code v} if its components are finite. */
    private static float[] finite(float[] v, String where) {
        for (int j = 0; j < v.length; j++) {
            if (!Float.isFinite(v[j])) {
                throw new BadInputException(where + " has " + v[j] + " at position " + j + "; every component must be " +
                    "a finite float");
            }
        }
        return v;
    }

    /**
     * @param format {@code --query-format}, or {@code null} to tell from the extension.
     * @return {@code fvecs} or {@code jsonl}.
     */
    static String format(Path file, String format) {
        String fmt = format;
        if (fmt == null) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".fvecs"))
                fmt = "fvecs";
            else if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json"))
                fmt = "jsonl";
            else {
                throw new BadInputException("cannot tell the format of --queries '" + file + "' from its name; give " +
                    "--query-format fvecs or jsonl");
            }
        }
        fmt = fmt.toLowerCase(Locale.ROOT);
        if (!fmt.equals("fvecs") && !fmt.equals("jsonl"))
            throw new BadInputException("--query-format must be fvecs or jsonl, got '" + format + "'");
        return fmt;
    }

    /** @return the query vectors of {@code file}, at least one. */
    static float[][] read(Path file, String format, CollectionSpec spec) throws IOException {
        if (!Files.isRegularFile(file))
            throw new BadInputException("--queries '" + file + "' does not exist or is not a regular file");
        List<float[]> res = format.equals("fvecs") ? fvecs(file, spec) : jsonl(file, spec);
        if (res.isEmpty())
            throw new BadInputException("--queries " + file + " holds no vector");
        return res.toArray(new float[0][]);
    }

    private static List<float[]> fvecs(Path file, CollectionSpec spec) throws IOException {
        List<float[]> res = new ArrayList<>();
        try (Fvecs.Reader r = Fvecs.openReader(file)) {
            float[] v;
            while ((v = r.next()) != null)
                res.add(check(v, spec, "--queries " + file + " vector #" + res.size()));
        }
        return res;
    }

    private static List<float[]> jsonl(Path file, CollectionSpec spec) throws IOException {
        List<float[]> res = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF"))
                    text = text.substring(1);
                if (text.isBlank())
                    continue;
                String where = "--queries " + file + " line " + line;
                Object v;
                try {
                    v = Json.parse(text);
                }
                catch (IllegalArgumentException e) {
                    throw new BadInputException(where + ": " + e.getMessage());
                }
                if (v instanceof Map) {
                    Map<?, ?> m = (Map<?, ?>)v;
                    if (!m.containsKey(spec.vectorField())) {
                        throw new BadInputException(where + ": the object has no field '" + spec.vectorField() +
                            "' (the collection's vector field)");
                    }
                    v = m.get(spec.vectorField());
                }
                if (!(v instanceof List)) {
                    throw new BadInputException(where + ": expected an array of numbers, or an object with the vector " +
                        "field '" + spec.vectorField() + "'");
                }
                List<?> l = (List<?>)v;
                float[] vec = new float[l.size()];
                for (int j = 0; j < vec.length; j++) {
                    if (!(l.get(j) instanceof Number))
                        throw new BadInputException(where + ": " + Json.line(l.get(j)) + " at position " + j + " is not a " +
                            "number");
                    vec[j] = ((Number)l.get(j)).floatValue();
                }
                res.add(check(vec, spec, where));
            }
        }
        return res;
    }
}
