package io.vecgrid.cli;

import io.vecgrid.Oracle;
import io.vecgrid.TestRows;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import sqlline.SqlLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What the login and TLS tests check a client can do once it is let in, written once for both. Stateless. */
public final class ClientChecks {
    private ClientChecks() {
    }

    /**
     * Into an existing, empty collection of dimension {@code dim} (L2): inserts 300 rows, 200 of them flushed into
     * sealed segments before the last 100 (growing), counts them and checks 5 searches against the exact oracle.
     *
     * @return the rows written, by primary key.
     */
    public static Map<Long, float[]> writeFlushSearch(VecgridClient vg, String coll, int dim) {
        Map<Long, float[]> expected = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 300, dim);
        rows.forEach(r -> expected.put(r.pk(), r.vector()));
        assertEquals(200, vg.insert(coll, rows.subList(0, 200)));
        vg.flush(coll);
        assertEquals(100, vg.insert(coll, rows.subList(200, 300)));
        assertEquals(300, vg.count(coll));
        Oracle oracle = new Oracle(Metric.L2, expected);
        for (int q = 0; q < 5; q++) {
            float[] query = TestRows.vector(1_000 + q, dim);
            SearchResult r = vg.search(coll, new float[][] {query}, 10);
            assertFalse(r.partial());
            oracle.assertExact(query, 10, r.hits(0), null, "query " + q);
        }
        return expected;
    }

    /**
     * Runs {@code sql} with sqlline in this JVM over the thin JDBC driver, as {@code scripts/sqlline.sh} does.
     *
     * @param dir where the script file is written.
     * @return everything sqlline printed.
     */
    public static String sqlline(File dir, String url, String user, String password, String sql) throws IOException {
        File script = new File(dir, "q" + System.nanoTime() + ".sql");
        Files.writeString(script.toPath(), sql + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SqlLine sqlline = new SqlLine();
        sqlline.setOutputStream(out);
        sqlline.setErrorStream(out);
        sqlline.begin(new String[] {"-d", "org.apache.ignite.IgniteJdbcThinDriver", "-u", url, "-n", user,
            "-p", password, "--color=false", "--fastConnect=true", "-f", script.getAbsolutePath()},
            new ByteArrayInputStream(new byte[0]), false);
        return out.toString(StandardCharsets.UTF_8);
    }
}
