package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ScalarField;

import java.nio.file.Path;
import java.util.List;

/**
 * A collection's schema as import files see it: turns parsed values (JSON values, or CSV text) into a primary key,
 * a vector and typed scalar values, and throws {@link BadInputException} naming the file, the line and the field for
 * any value that does not fit. The server checks every row again; this only lets the CLI stop at the right line
 * before it sends the batch.
 */
final class RowSchema {
    private final CollectionSpec spec;
    private final Path file;

    RowSchema(CollectionSpec spec, Path file) {
        this.spec = spec;
        this.file = file;
    }

    CollectionSpec spec() {
        return spec;
    }

    BadInputException error(String where, String msg) {
        return new BadInputException(file + " " + where + ": " + msg);
    }

    /** @return the scalar field named {@code name}. @throws BadInputException if there is none. */
    ScalarField field(String name, String where) {
        int i = spec.scalarIndex(name);
        if (i < 0) {
            throw error(where, "unknown field '" + name + "'; collection '" + spec.name() + "' has fields " +
                spec.pkField() + ", " + spec.vectorField() + (spec.scalarFields().isEmpty() ? "" : ", " +
                String.join(", ", spec.scalarFields().stream().map(ScalarField::name).toArray(String[]::new))));
        }
        return spec.scalarFields().get(i);
    }

    void checkVector(float[] v, String where) {
        if (v.length != spec.dimension()) {
            throw error(where, "vector field '" + spec.vectorField() + "' has dimension " + v.length + ", collection '" +
                spec.name() + "' expects " + spec.dimension());
        }
        for (int j = 0; j < v.length; j++) {
            if (!Float.isFinite(v[j])) {
                throw error(where, "vector field '" + spec.vectorField() + "' has " + v[j] + " at position " + j +
                    "; every component must be a finite float");
            }
        }
    }

    /** @param v a JSON value. */
    long pk(Object v, String where) {
        if (v instanceof Long)
            return (Long)v;
        throw error(where, "primary key field '" + spec.pkField() + "' must be an integer, got " + describe(v));
    }

    /** @param v a JSON value: an array of numbers. */
    float[] vector(Object v, String where) {
        if (!(v instanceof List))
            throw error(where, "vector field '" + spec.vectorField() + "' must be an array of numbers, got " + describe(v));
        List<?> l = (List<?>)v;
        float[] res = new float[l.size()];
        for (int i = 0; i < res.length; i++) {
            Object x = l.get(i);
            if (!(x instanceof Number)) {
                throw error(where, "vector field '" + spec.vectorField() + "' has " + describe(x) + " at position " + i +
                    "; expected a number");
            }
            res[i] = ((Number)x).floatValue();
        }
        checkVector(res, where);
        return res;
    }

    /** @param v a JSON value; {@code null} stays {@code null}. */
    Object scalar(ScalarField f, Object v, String where) {
        if (v == null)
            return null;
        switch (f.type()) {
            case LONG:
                if (v instanceof Long)
                    return v;
                break;
            case DOUBLE:
                if (v instanceof Number)
                    return ((Number)v).doubleValue();
                break;
            case BOOLEAN:
                if (v instanceof Boolean)
                    return v;
                break;
            case STRING:
                if (v instanceof String)
                    return v;
                break;
            default:
                break;
        }
        throw error(where, "field '" + f.name() + "' is " + f.type() + ", got " + describe(v));
    }

    /** @return primary key from CSV text. */
    long pkText(String s, String where) {
        try {
            return Long.parseLong(s.trim());
        }
        catch (NumberFormatException e) {
            throw error(where, "primary key field '" + spec.pkField() + "' must be an integer, got '" + s + "'");
        }
    }

    /** @return vector from CSV text: numbers separated by commas, semicolons or spaces, brackets optional. */
    float[] vectorText(String s, String where) {
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]"))
            t = t.substring(1, t.length() - 1).trim();
        if (t.isEmpty())
            throw error(where, "vector field '" + spec.vectorField() + "' is empty");
        String[] parts = t.split("[,;\\s]+");
        float[] res = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                res[i] = Float.parseFloat(parts[i]);
            }
            catch (NumberFormatException e) {
                throw error(where, "vector field '" + spec.vectorField() + "' has '" + parts[i] + "' at position " + i +
                    "; expected a number");
            }
        }
        checkVector(res, where);
        return res;
    }

    /** @return scalar from CSV text; an empty cell is {@code null}. */
    Object scalarText(ScalarField f, String s, String where) {
        if (s.isEmpty())
            return null;
        try {
            switch (f.type()) {
                case LONG: return Long.parseLong(s.trim());
                case DOUBLE: return Double.parseDouble(s.trim());
                case BOOLEAN:
                    if (s.trim().equalsIgnoreCase("true"))
                        return Boolean.TRUE;
                    if (s.trim().equalsIgnoreCase("false"))
                        return Boolean.FALSE;
                    break;
                case STRING: return s;
                default: break;
            }
        }
        catch (NumberFormatException e) {
            // Reported below.
        }
        throw error(where, "field '" + f.name() + "' is " + f.type() + ", got '" + s + "'");
    }

    private static String describe(Object v) {
        if (v == null)
            return "null";
        if (v instanceof String)
            return "string \"" + v + "\"";
        if (v instanceof List)
            return "an array";
        if (v instanceof java.util.Map)
            return "an object";
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + v;
    }
}
