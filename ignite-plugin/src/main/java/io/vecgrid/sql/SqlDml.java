package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.shard.LocKey;
import io.vecgrid.shard.RowValidator;
import org.apache.ignite.internal.processors.cache.query.IgniteQueryErrorCode;
import org.apache.ignite.internal.processors.query.IgniteSQLException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SQL DML on a collection's table, carried out through vecgrid's write path ({@code Vecgrid.insert}, {@code upsert},
 * {@code delete}): the same validation, acknowledgement and durability as the Java API, and the same messages. The
 * SQL engine only evaluates the statement (its values, and for {@code UPDATE}/{@code DELETE} which rows its
 * {@code WHERE} clause matches); it never writes the table itself.
 * <ul>
 *   <li>{@code INSERT}: one {@code insert} call of every row of the statement; an existing primary key fails it and
 *   nothing is written.</li>
 *   <li>{@code MERGE}: one {@code upsert} call: a row replaces the whole row of its key (fields left out become
 *   NULL), as upsert does.</li>
 *   <li>{@code UPDATE}: the matched rows are read whole ({@code get}, vector included, sealed or growing), the
 *   {@code SET} values applied, every row validated, then written back with {@code upsert}.</li>
 *   <li>{@code DELETE}: the matched primary keys are deleted with {@code delete}.</li>
 * </ul>
 * {@code UPDATE} and {@code DELETE} write in batches of at most {@code maxBatchRows} keys; {@code INSERT} and
 * {@code MERGE} of more rows than that are refused, as the API refuses such a batch.
 *
 * <p>Stateless apart from the collection it targets; one instance per statement.
 */
final class SqlDml {
    /** Columns SQL may not write. */
    private static final String KEY_COLUMN = "_KEY";
    private static final String VAL_COLUMN = "_VAL";

    private final Vecgrid vg;
    private final CollectionSpec spec;
    private final String collection;
    private final String pkColumn;
    private final String vectorColumn;
    /** Scalar field name by its column name (fields SQL shows). */
    private final Map<String, String> fieldByColumn = new HashMap<>();
    private final int maxBatchRows;

    private SqlDml(Vecgrid vg, CollectionMeta meta) {
        this.vg = vg;
        this.spec = meta.spec();
        this.collection = meta.name();
        this.pkColumn = upper(spec.pkField());
        this.vectorColumn = upper(spec.vectorField());
        for (ScalarField f : spec.scalarFields()) {
            String col = upper(f.name());
            if (f.name().equals(CollectionTables.KEY_PK) || f.name().equals(CollectionTables.KEY_SHARD) ||
                col.equals(pkColumn) || col.equals(vectorColumn) || col.equals(CollectionTables.SHARD_COLUMN) ||
                fieldByColumn.containsKey(col))
                continue;
            fieldByColumn.put(col, f.name());
        }
        this.maxBatchRows = vg.configuration().getMaxBatchRows();
    }

    /**
     * @param table the SQL table's name.
     * @return the DML handler of the collection whose table is {@code table}.
     */
    static SqlDml forTable(Vecgrid vg, String table) {
        for (String name : vg.listCollections()) {
            if (CollectionTables.tableName(name).equals(table)) {
                CollectionMeta meta = vg.metaStore().meta(name);
                if (meta != null)
                    return new SqlDml(vg, meta);
            }
        }
        throw new CollectionNotFoundException(table.toLowerCase(Locale.ROOT));
    }

    String collection() {
        return collection;
    }

    /** @return a message that lists the columns a statement may write. */
    String columnsHint() {
        List<String> scalars = new ArrayList<>();
        for (ScalarField f : spec.scalarFields()) {
            if (fieldByColumn.containsValue(f.name()))
                scalars.add(upper(f.name()) + " " + f.type());
        }
        return "collection '" + collection + "' has the primary key " + pkColumn + ", the vector " + vectorColumn +
            " and scalar fields " + scalars;
    }

    /**
     * {@code INSERT} or {@code MERGE} of evaluated rows.
     *
     * @param columns the statement's columns.
     * @param rows values per row, in column order.
     * @return rows written.
     */
    long insert(String[] columns, List<List<?>> rows, boolean upsert) {
        checkWritableColumns(columns, true);
        List<VectorRow> batch = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++)
            batch.add(toRow(columns, rows.get(i), i));
        if (batch.isEmpty())
            return 0;
        if (batch.size() > maxBatchRows) {
            throw new InvalidRequestException("batch has " + batch.size() + " rows, at most maxBatchRows=" +
                maxBatchRows + " are allowed; nothing was written; split the statement");
        }
        return upsert ? vg.upsert(collection, batch) : vg.insert(collection, batch);
    }

    /**
     * {@code UPDATE}: the rows with primary keys {@code pks} get the values {@code newValues.get(i)} (in the order of
     * {@code columns}). Every row is read and validated before any is written.
     *
     * @return rows written (a matched row deleted meanwhile is not counted).
     */
    long update(String[] columns, List<Long> pks, List<List<?>> newValues) {
        checkWritableColumns(columns, false);
        for (String c : columns) {
            if (c.equals(pkColumn)) {
                throw new InvalidRequestException("UPDATE cannot change the primary key " + pkColumn + " of " +
                    "collection '" + collection + "': DELETE the row and INSERT it under the new key");
            }
        }
        List<List<VectorRow>> batches = new ArrayList<>();
        int done = 0;
        for (int from = 0; from < pks.size(); from += maxBatchRows) {
            int to = Math.min(pks.size(), from + maxBatchRows);
            long[] keys = new long[to - from];
            Map<Long, List<?>> values = new HashMap<>();
            for (int i = from; i < to; i++) {
                keys[i - from] = pks.get(i);
                values.put(pks.get(i), newValues.get(i));
            }
            List<VectorRow> cur = vg.get(collection, keys, null);
            List<VectorRow> next = new ArrayList<>(cur.size());
            for (VectorRow r : cur) {
                List<?> vals = values.get(r.pk());
                float[] vec = r.vector();
                LinkedHashMap<String, Object> fields = new LinkedHashMap<>(r.fields());
                for (int c = 0; c < columns.length; c++) {
                    Object v = vals.get(c);
                    if (columns[c].equals(vectorColumn))
                        vec = toVector(v, "row " + (done + next.size()) + " (pk " + r.pk() + ")");
                    else
                        fields.put(fieldByColumn.get(columns[c]), v);
                }
                next.add(new VectorRow(r.pk(), vec, fields));
            }
            // The same checks upsert makes, for every batch before the first is written: bad input changes nothing.
            if (!next.isEmpty())
                RowValidator.validate(spec, next, maxBatchRows);
            batches.add(next);
            done += next.size();
        }
        long written = 0;
        for (List<VectorRow> b : batches) {
            if (!b.isEmpty())
                written += writeBatch(b, written, done);
        }
        return written;
    }

    private long writeBatch(List<VectorRow> batch, long writtenBefore, long total) {
        try {
            return vg.upsert(collection, batch);
        }
        catch (VecgridException e) {
            if (writtenBefore == 0)
                throw e;
            throw new VecgridException(e.getMessage() + " (UPDATE of collection '" + collection + "': " + writtenBefore +
                " of " + total + " rows were written before this batch failed)", e);
        }
    }

    /** {@code DELETE} of the matched primary keys. @return rows deleted. */
    long delete(List<Long> pks) {
        long deleted = 0;
        for (int from = 0; from < pks.size(); from += maxBatchRows) {
            int to = Math.min(pks.size(), from + maxBatchRows);
            long[] keys = new long[to - from];
            for (int i = from; i < to; i++)
                keys[i - from] = pks.get(i);
            try {
                deleted += vg.delete(collection, keys);
            }
            catch (VecgridException e) {
                if (deleted == 0)
                    throw e;
                throw new VecgridException(e.getMessage() + " (DELETE from collection '" + collection + "': " + deleted +
                    " rows were deleted before this batch failed)", e);
            }
        }
        return deleted;
    }

    /** @return the primary key of a table key ({@code _KEY}, a binary {@code LocKey}). */
    static long pkOfKey(Object key) {
        return LocKey.from(key).pk();
    }

    private void checkWritableColumns(String[] columns, boolean insert) {
        for (String c : columns) {
            if (c.equals(CollectionTables.SHARD_COLUMN)) {
                throw new InvalidRequestException("column " + CollectionTables.SHARD_COLUMN + " of collection '" +
                    collection + "' is derived from the primary key and cannot be written; leave it out");
            }
            if (c.equals(KEY_COLUMN) || c.equals(VAL_COLUMN)) {
                throw new InvalidRequestException("column " + c + " of collection '" + collection + "' cannot be " +
                    "written; name the columns: " + columnsHint());
            }
            if (!c.equals(pkColumn) && !c.equals(vectorColumn) && !fieldByColumn.containsKey(c))
                throw new InvalidRequestException("unknown field '" + c + "'; " + columnsHint());
        }
        if (insert && !Arrays.asList(columns).contains(pkColumn)) {
            throw new InvalidRequestException("INSERT and MERGE into collection '" + collection + "' must give the " +
                "primary key column " + pkColumn);
        }
    }

    private VectorRow toRow(String[] columns, List<?> vals, int rowNo) {
        Long pk = null;
        for (int c = 0; c < columns.length; c++) {
            if (columns[c].equals(pkColumn))
                pk = toPk(vals.get(c), rowNo);
        }
        String where = "row " + rowNo + " (pk " + pk + ")";
        float[] vec = null;
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) {
            Object v = vals.get(c);
            if (columns[c].equals(vectorColumn))
                vec = toVector(v, where);
            else if (!columns[c].equals(pkColumn))
                fields.put(fieldByColumn.get(columns[c]), v);
        }
        return new VectorRow(pk, vec, fields);
    }

    private long toPk(Object v, int rowNo) {
        String where = "row " + rowNo + ": primary key " + pkColumn;
        if (v == null)
            throw new InvalidRequestException(where + " must not be NULL");
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
            return ((Number)v).longValue();
        if (v instanceof BigDecimal || v instanceof BigInteger) {
            try {
                return v instanceof BigDecimal ? ((BigDecimal)v).longValueExact() : ((BigInteger)v).longValueExact();
            }
            catch (ArithmeticException e) {
                // Falls through to the error.
            }
        }
        throw new InvalidRequestException(where + " is BIGINT, got " + v.getClass().getSimpleName() + " '" + v + "'");
    }

    /**
     * @return the vector of a column value: a literal {@code '[x1, x2, ...]'}, or an array of numbers (a JDBC
     *      {@code setObject} of a {@code float[]}); {@code null} for {@code NULL} (the validator refuses it).
     */
    private float[] toVector(Object v, String where) {
        if (v == null)
            return null;
        if (v instanceof String) {
            try {
                return VectorLiteral.parse((String)v);
            }
            catch (InvalidRequestException e) {
                throw new InvalidRequestException(where + ": vector field '" + spec.vectorField() + "': " + e.getMessage());
            }
        }
        if (v instanceof float[])
            return ((float[])v).clone();
        if (v instanceof double[]) {
            double[] d = (double[])v;
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++)
                f[i] = (float)d[i];
            return f;
        }
        if (v instanceof Object[]) {
            Object[] a = (Object[])v;
            float[] f = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                if (!(a[i] instanceof Number)) {
                    throw new InvalidRequestException(where + ": vector field '" + spec.vectorField() + "' has " +
                        (a[i] == null ? "NULL" : a[i].getClass().getSimpleName() + " '" + a[i] + "'") + " at position " +
                        i + "; every component must be a number");
                }
                f[i] = ((Number)a[i]).floatValue();
            }
            return f;
        }
        throw new InvalidRequestException(where + ": vector field '" + spec.vectorField() + "' must be a vector " +
            "literal '[x1, x2, ...]' or an array of numbers, got " + v.getClass().getSimpleName() + " '" + v + "'");
    }

    /** @return {@code e} as the SQL error the client sees: vecgrid's message, and a fitting SQL error code. */
    static IgniteSQLException sqlError(RuntimeException e) {
        if (e instanceof IgniteSQLException)
            return (IgniteSQLException)e;
        String msg = e.getMessage();
        int code = IgniteQueryErrorCode.UNKNOWN;
        if (e instanceof InvalidRequestException) {
            if (msg != null && msg.contains("already exists in collection"))
                code = IgniteQueryErrorCode.DUPLICATE_KEY;
            else if (msg != null && msg.contains("unknown field"))
                code = IgniteQueryErrorCode.COLUMN_NOT_FOUND;
            else
                code = IgniteQueryErrorCode.CONVERSION_FAILED;
        }
        else if (e instanceof CollectionNotFoundException)
            code = IgniteQueryErrorCode.TABLE_NOT_FOUND;
        return new IgniteSQLException(msg == null ? e.toString() : msg, code, e);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
