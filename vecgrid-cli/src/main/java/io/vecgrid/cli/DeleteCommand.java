package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.ClusterUnavailableException;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.filter.ScalarColumns;
import io.vecgrid.filter.ScalarFilter;
import io.vecgrid.sql.CollectionTables;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.IgniteException;
import org.apache.ignite.client.ClientConnectionException;
import org.apache.ignite.client.ClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vecgrid delete NAME --ids 1,2,3} or {@code vecgrid delete NAME --filter EXPR}.
 *
 * <p>By filter: the API deletes by primary key only, and a filtered search is no way to find every match (an HNSW
 * search is approximate and returns at most {@code maxTopK} rows). So the CLI finds the matches exactly, through paths
 * the thin client already offers, with no server operation of its own: it lists the collection's primary keys from its
 * SQL table ({@code SELECT <pk> FROM VECGRID.<NAME>}, the table of live rows, sealed and growing), reads their scalar
 * fields with {@code get} in batches, evaluates the filter with the server's own parser and evaluator
 * ({@link ScalarFilter}: the language and semantics of search filters, nulls included), and deletes the matches by key
 * once the listing is done. Rows written while it runs may or may not be seen; a row deleted meanwhile is skipped.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = {"Delete rows by primary key, or every row a filter matches.",
        "--filter takes a search filter over scalar fields; the CLI reads every row's scalar fields to find the matches "
            + "(rows written meanwhile may or may not be seen)."},
    footerHeading = "%nExamples:%n",
    footer = {"  vecgrid delete docs --ids 1,2,3",
        "  vecgrid delete docs --filter \"category == 3 and price < 10\"",
        "  vecgrid delete docs --filter \"title is null\" --json"})
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    VecgridCli root;

    @Parameters(paramLabel = "NAME", description = "Collection.")
    String name;

    @Option(names = "--ids", split = ",", paramLabel = "PK",
        description = "Primary keys, comma-separated or repeated; keys with no row are ignored.")
    List<String> ids;

    @Option(names = "--filter", paramLabel = "EXPR",
        description = "Delete every row this filter over scalar fields matches, e.g. \"tag == 3 and price < 10\".")
    String filter;

    @Option(names = "--json", description = "One JSON document with stable field names.")
    boolean json;

    @Override public Integer call() {
        if ((ids == null) == (filter == null))
            throw new BadInputException("delete: give either --ids or --filter" + (ids == null ? "" : ", not both"));
        long[] pks = ids == null ? null : Pks.parse(ids, "--ids");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("collection", name);
        long deleted;
        try (VecgridClient c = root.connect()) {
            if (pks != null) {
                deleted = delete(c, pks);
                doc.put("requested", (long)pks.length);
                doc.put("deleted", deleted);
                if (!json) {
                    root.out().println("deleted " + deleted + " row(s) from '" + name + "' (" + pks.length +
                        " primary key(s) given)");
                }
            }
            else {
                CollectionSpec spec = c.describeCollection(name).spec();
                ScalarFilter f = ScalarFilter.parse(filter, spec.scalarFields());
                long[] scanned = new long[1];
                long[] matches = matches(c, spec, f, scanned);
                deleted = delete(c, matches);
                doc.put("filter", filter);
                doc.put("scanned", scanned[0]);
                doc.put("matched", (long)matches.length);
                doc.put("deleted", deleted);
                if (!json) {
                    root.out().println("deleted " + deleted + " row(s) from '" + name + "' matching " + filter + " (" +
                        scanned[0] + " row(s) read, " + matches.length + " matched)");
                }
            }
        }
        if (json)
            root.printJson(doc);
        return VecgridCli.EXIT_OK;
    }

    /** @return rows deleted. */
    private long delete(VecgridClient c, long[] pks) {
        long n = 0;
        for (int from = 0; from < pks.length; from += Pks.BATCH)
            n += c.delete(name, Pks.slice(pks, from, from + Pks.BATCH));
        return n;
    }

    /**
     * @param scanned set to the number of rows whose fields were read.
     * @return the primary keys of the rows {@code f} matches.
     */
    private long[] matches(VecgridClient c, CollectionSpec spec, ScalarFilter f, long[] scanned) {
        List<String> fields = new ArrayList<>();
        for (ScalarField sf : spec.scalarFields())
            fields.add(sf.name());
        String table = CollectionTables.tableName(name);
        // Quoted: the names are letters, digits and '_' in upper case already, and a name may be an SQL keyword.
        String sql = "SELECT \"" + spec.pkField().toUpperCase(Locale.ROOT) + "\" FROM \"" + CollectionTables.SCHEMA +
            "\".\"" + table + "\"";
        long[] res = new long[64];
        int n = 0;
        long[] batch = new long[Pks.BATCH];
        int b = 0;
        FieldsQueryCursor<List<?>> cur;
        Iterator<List<?>> it;
        try {
            cur = c.igniteClient().query(new SqlFieldsQuery(sql).setSchema(CollectionTables.SCHEMA)
                .setPageSize(Pks.BATCH));
            it = cur.iterator();
        }
        catch (ClientException | IgniteException e) {
            throw sqlFailure(e, table);
        }
        try {
            while (true) {
                boolean more;
                try {
                    more = it.hasNext();
                    if (more)
                        batch[b++] = ((Number)it.next().get(0)).longValue();
                }
                catch (ClientException | IgniteException e) {
                    throw sqlFailure(e, table);
                }
                if (b == batch.length || (!more && b > 0)) {
                    List<VectorRow> rows = c.get(name, Arrays.copyOf(batch, b), fields);
                    scanned[0] += rows.size();
                    Columns cols = new Columns(spec, rows);
                    for (int i = 0; i < rows.size(); i++) {
                        if (f.test(cols, i)) {
                            if (n == res.length)
                                res = Arrays.copyOf(res, n * 2);
                            res[n++] = rows.get(i).pk();
                        }
                    }
                    b = 0;
                }
                if (!more)
                    return Arrays.copyOf(res, n);
            }
        }
        finally {
            cur.close();
        }
    }

    /** @return a failure of the SQL listing in vecgrid's terms (exit code 2). */
    private VecgridException sqlFailure(RuntimeException e, String table) {
        String msg = "cannot list the rows of collection '" + name + "' through its SQL table " + CollectionTables.SCHEMA +
            "." + table + ": " + e.getMessage() + "; nothing was deleted";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClientConnectionException)
                return new ClusterUnavailableException(msg);
        }
        return new VecgridException(msg);
    }

    /** The scalar fields of rows read by {@code get}, as a filter reads them. */
    private static final class Columns implements ScalarColumns {
        private final List<String> names = new ArrayList<>();
        private final List<VectorRow> rows;

        Columns(CollectionSpec spec, List<VectorRow> rows) {
            for (ScalarField f : spec.scalarFields())
                names.add(f.name());
            this.rows = rows;
        }

        private Object value(int col, int row) {
            return rows.get(row).fields().get(names.get(col));
        }

        @Override public long longValue(int col, int row) {
            return ((Number)value(col, row)).longValue();
        }

        @Override public double doubleValue(int col, int row) {
            return ((Number)value(col, row)).doubleValue();
        }

        @Override public boolean booleanValue(int col, int row) {
            return (Boolean)value(col, row);
        }

        @Override public String stringValue(int col, int row) {
            return (String)value(col, row);
        }

        @Override public boolean isNull(int col, int row) {
            return value(col, row) == null;
        }
    }
}
