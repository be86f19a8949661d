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
