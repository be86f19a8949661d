package io.vecgrid.sql;

import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sqlline.SqlLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sqlline, the console {@code scripts/sqlline.sh} starts, runs the SQL file {@code sql/topk-sqlline.sql} against a
 * real node through the JDBC thin driver (in-process, through sqlline's own entry point): table, exact distance and
 * router-backed top-k.
 */
class SqllineTest {
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(1);
        Vecgrid vg = Vecgrid.local(cluster.any());
        vg.createCollection(CollectionSpec.builder("docs").dimension(4).index(IndexSpec.flat())
            .scalarField("cat", ScalarType.LONG).build());
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = 0; pk < 20; pk++)
            rows.add(new VectorRow(pk, new float[] {pk, 0, 0, 0}, Map.of("cat", pk % 3)));
        vg.insert("docs", rows);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    /**
     * The DML file: insert, upsert, update of a field and of the vector, delete, then a read and a top-k; a refused
     * insert last. The collection must then hold exactly what the statements say, for get, count and search.
     */
    @Test
    void writesThroughTheDmlFile() throws Exception {
        Vecgrid vg = Vecgrid.local(cluster.any());
        vg.createCollection(CollectionSpec.builder("notes").dimension(2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).build());
        String text = run("/sql/dml-sqlline.sql");
        assertTrue(text.contains("'ID','TAG','V'"), text);
        assertTrue(text.contains("'2','21','[2.0, 1.0]'") && text.contains("'3','30','[9.0, 9.0]'") &&
            text.contains("'4','41','[4.0, 0.0]'") && text.contains("'5','51','[5.0, 0.0]'"), text);
        assertTrue(!text.contains("'1','10'"), "pk 1 deleted: " + text);
        assertTrue(text.contains("'ID','TAG','DIST'") && text.contains("'3','30','0.0'"), text);
        assertTrue(text.contains("row 0 (pk 6): vector field 'vector' has dimension 3, collection 'notes' expects 2"), text);
        assertEquals(4, vg.count("notes"));
        List<VectorRow> got = vg.get("notes", new long[] {1, 2, 3, 4, 5, 6}, null);
        assertEquals(List.of(2L, 3L, 4L, 5L), got.stream().map(VectorRow::pk).toList());
        assertEquals(List.of(21L, 30L, 41L, 51L), got.stream().map(r -> r.field("tag")).toList());
        assertEquals(List.of(3L, 5L), vg.search(io.vecgrid.api.SearchRequest.builder("notes", new float[][] {{9, 9}}, 2)
            .build()).hits(0).stream().map(io.vecgrid.api.SearchHit::pk).toList());
    }

    private static String run(String resource) throws Exception {
        File script = new File(SqllineTest.class.getResource(resource).toURI());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SqlLine sqlline = new SqlLine();
        sqlline.setOutputStream(out);
        sqlline.setErrorStream(out);
        sqlline.begin(new String[] {
            "-d", "org.apache.ignite.IgniteJdbcThinDriver",
            "-u", "jdbc:ignite:thin://127.0.0.1:" + cluster.clientPort() + "/VECGRID",
            "-n", "", "-p", "", "--fastConnect=true", "--color=false", "--showNestedErrs=true",
            "-f", script.getAbsolutePath()}, new ByteArrayInputStream(new byte[0]), false);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsTheSqlFile() throws Exception {
        File script = new File(SqllineTest.class.getResource("/sql/topk-sqlline.sql").toURI());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SqlLine sqlline = new SqlLine();
        sqlline.setOutputStream(out);
        sqlline.setErrorStream(out);
        SqlLine.Status status = sqlline.begin(new String[] {
            "-d", "org.apache.ignite.IgniteJdbcThinDriver",
            "-u", "jdbc:ignite:thin://127.0.0.1:" + cluster.clientPort() + "/VECGRID",
            "-n", "", "-p", "", "--fastConnect=true", "--color=false",
            "-f", script.getAbsolutePath()}, new ByteArrayInputStream(new byte[0]), false);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(SqlLine.Status.OK, status, text);
        // The row, with its vector as text.
        assertTrue(text.contains("'3','0','[3.0, 0.0, 0.0, 0.0]'"), text);
        // Exact distances: 3, then 2 and 4 (distance 1), in the order of the ORDER BY.
        assertTrue(text.contains("'3','0.0'"), text);
        // Router top-k: pk 3 first at distance 0, then its neighbours at distance 1.
        assertTrue(text.contains("'ID','CAT','DIST'"), text);
        assertTrue(text.contains("'3','0','0.0'"), text);
        assertTrue(text.contains("'2','2','1.0'") && text.contains("'4','1','1.0'"), text);
        assertTrue(!text.contains("Error"), text);
    }
}
