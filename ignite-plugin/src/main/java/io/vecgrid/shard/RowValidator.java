package io.vecgrid.shard;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.DimensionMismatchException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VectorRow;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a batch of rows against a collection's spec before anything is written, and normalises scalar values to
 * their field's Java type. Every message names the row, its primary key, the field and what was expected.
 */
public final class RowValidator {
    private RowValidator() {
    }

    /**
     * @param rows batch.
     * @param maxBatchRows largest batch allowed.
     * @return scalar values per row in the spec's field order, normalised ({@code Integer} to {@code Long}, any
     *      {@code Number} to {@code Double} for DOUBLE fields).
     * @throws InvalidRequestException on the first problem found.
     */
    public static Object[][] validate(CollectionSpec spec, List<VectorRow> rows, int maxBatchRows) {
        checkBatchSize(rows == null ? 0 : rows.size(), maxBatchRows, "rows");
        List<ScalarField> fields = spec.scalarFields();
        Object[][] scalars = new Object[rows.size()][];
        Map<Long, Integer> seen = new HashMap<>(rows.size() * 2);
        for (int i = 0; i < rows.size(); i++) {
            VectorRow row = rows.get(i);
            if (row == null)
                throw new InvalidRequestException("row " + i + " is null");
            Integer prev = seen.put(row.pk(), i);
            if (prev != null) {
                throw new InvalidRequestException("primary key " + row.pk() + " appears twice in the batch (rows " +
                    prev + " and " + i + ")");
            }
            checkVector(spec, row.vector(), "row " + i + " (pk " + row.pk() + ")");
            Object[] vals = new Object[fields.size()];
            for (Map.Entry<String, Object> e : row.fields().entrySet()) {
                int idx = spec.scalarIndex(e.getKey());
                if (idx < 0) {
                    throw new InvalidRequestException("row " + i + " (pk " + row.pk() + "): unknown field '" + e.getKey() +
                        "'; collection '" + spec.name() + "' has scalar fields " + fields);
                }
                vals[idx] = normalise(fields.get(idx), e.getValue(), "row " + i + " (pk " + row.pk() + ")");
            }
            scalars[i] = vals;
        }
        return scalars;
    }

    /** @throws InvalidRequestException unless {@code 1 <= size <= max}. */
    public static void checkBatchSize(int size, int max, String what) {
        if (size == 0)
            throw new InvalidRequestException(what + " must not be empty");
        if (size > max)
            throw new InvalidRequestException("batch has " + size + " " + what + ", at most maxBatchRows=" + max + " are allowed");
    }

    /**
     * Checks one vector: not null, not empty, the collection's dimension, every component finite.
     *
     * @param where where the vector comes from, for the message.
     */
    public static void checkVector(CollectionSpec spec, float[] v, String where) {
        String field = "vector field '" + spec.vectorField() + "'";
        if (v == null)
            throw new InvalidRequestException(where + ": " + field + " must not be null");
        if (v.length == 0)
            throw new DimensionMismatchException(where + ": " + field + " must not be empty; collection '" + spec.name() +
                "' expects dimension " + spec.dimension());
        if (v.length != spec.dimension()) {
            throw new DimensionMismatchException(where + ": " + field + " has dimension " + v.length + ", collection '" +
                spec.name() + "' expects " + spec.dimension());
        }
        for (int j = 0; j < v.length; j++) {
            if (!Float.isFinite(v[j]))
                throw new InvalidRequestException(where + ": " + field + " has " + v[j] + " at position " + j +
                    "; every component must be a finite number");
        }
    }

    private static Object normalise(ScalarField f, Object v, String where) {
        if (v == null)
            return null;
        switch (f.type()) {
            case LONG:
                if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
                    return ((Number)v).longValue();
                break;
            case DOUBLE:
                if (v instanceof Number) {
                    double d = ((Number)v).doubleValue();
                    if (!Double.isFinite(d))
                        throw new InvalidRequestException(where + ": field '" + f.name() + "' must be finite, got " + d);
                    return d;
                }
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
        throw new InvalidRequestException(where + ": field '" + f.name() + "' is " + f.type() + ", got " +
            v.getClass().getSimpleName() + " '" + v + "'");
    }
}
