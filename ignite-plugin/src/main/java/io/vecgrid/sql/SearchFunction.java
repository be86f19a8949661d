package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.query.annotations.QuerySqlFunction;
import org.h2.tools.SimpleResultSet;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The short top-k statement: {@code SELECT * FROM VECGRID_SEARCH('docs', ?, 10)}, the query vector and k given
 * once. A table function (H2 engine; a statement sent to Calcite that calls it runs under H2, see
 * {@link SqlEngines}) whose rows are the k nearest rows as the replica router finds them, nearest first: the primary
 * key column, {@code DISTANCE} (smaller is closer, {@link SqlDistances}) and the table's scalar columns, read by key
 * for the hits only. The search is the {@code TOPK_*} functions' ({@link TopKSearches}): one router search per
 * statement. {@code VECGRID_SEARCH(collection, vector, k, filter, ef)} adds a filter expression and the HNSW beam.
 *
 * <p>The collection must be a literal: its columns are the result's, and H2 asks for them before parameters are
 * bound. A scalar field whose column would be named {@code DISTANCE} is left out (read it through the table).
 */
public final class SearchFunction {
    /** Name of the distance column. */
    public static final String DISTANCE = "DISTANCE";

    private SearchFunction() {
    }

    /** @return the k nearest rows of {@code collection} to {@code vector}. */
    @QuerySqlFunction(alias = "VECGRID_SEARCH")
    public static ResultSet vecgridSearch(Connection conn, String collection, String vector, Integer k) throws SQLException {
        return vecgridSearch(conn, collection, vector, k, null, 0);
    }

    /** @return the k nearest rows of {@code collection} to {@code vector} that pass {@code filter}. */
    @QuerySqlFunction(alias = "VECGRID_SEARCH")
    public static ResultSet vecgridSearch(Connection conn, String collection, String vector, Integer k, String filter,
        Integer ef) throws SQLException {
        boolean columnsOnly = conn.getMetaData().getURL().startsWith("jdbc:columnlist:");
        if (collection == null) {
            throw new InvalidRequestException("VECGRID_SEARCH: the collection must be a literal, not NULL or a " +
                "parameter (its fields are the result's columns)");
        }
        Ignite ignite = SqlNodes.localIgnite();
        Vecgrid vg = Vecgrid.local(ignite);
        CollectionMeta meta = vg.metaStore().meta(collection);
        if (meta == null)
            throw new CollectionNotFoundException(collection);
        String pkColumn = meta.spec().pkField().toUpperCase(Locale.ROOT);
        Map<String, ScalarField> columns = new LinkedHashMap<>();
        for (Map.Entry<String, ScalarField> e : CollectionTables.scalarColumns(meta.spec()).entrySet()) {
            if (!e.getKey().equals(DISTANCE))
                columns.put(e.getKey(), e.getValue());
        }
        SimpleResultSet rs = new SimpleResultSet();
        rs.addColumn(pkColumn, Types.BIGINT, 19, 0);
        rs.addColumn(DISTANCE, Types.DOUBLE, 17, 0);
        for (Map.Entry<String, ScalarField> e : columns.entrySet())
            rs.addColumn(e.getKey(), sqlType(e.getValue()), 0, 0);
        if (columnsOnly)
            return rs;
        if (vector == null)
            throw new InvalidRequestException("VECGRID_SEARCH: the query vector must not be NULL; expected '[x1, x2, ...]'");
        if (k == null || k < 1)
            throw new InvalidRequestException("VECGRID_SEARCH: k must be at least 1, got " + k);
        VectorLiteral.parseCached(vector);
        TopKResult hits = TopKSearches.of(ignite).get(new TopKKey(collection, vector, k, filter, ef == null ? 0 : ef));
        List<String> names = new ArrayList<>();
        for (ScalarField f : columns.values())
            names.add(f.name());
        Map<Long, VectorRow> rows = new HashMap<>();
        if (hits.size() > 0 && !names.isEmpty()) {
            for (VectorRow r : vg.get(collection, hits.ids, names))
                rows.put(r.pk(), r);
        }
        for (int i = 0; i < hits.size(); i++) {
            VectorRow r = rows.get(hits.ids[i]);
            if (r == null && !names.isEmpty())
                continue; // Deleted after the search.
            Object[] row = new Object[2 + names.size()];
            row[0] = hits.ids[i];
            row[1] = (double)hits.distances[i];
            for (int c = 0; c < names.size(); c++)
                row[2 + c] = r.field(names.get(c));
            rs.addRow(row);
        }
        return rs;
    }

    private static int sqlType(ScalarField f) {
        switch (f.type()) {
            case LONG: return Types.BIGINT;
            case DOUBLE: return Types.DOUBLE;
            case BOOLEAN: return Types.BOOLEAN;
            default: return Types.VARCHAR;
        }
    }
}
