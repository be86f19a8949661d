package io.vecgrid.process;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sqlline as an operator runs it: {@code scripts/sqlline.sh} against a node started by {@code scripts/start-node.sh}.
 * The collection is created through the SQL function {@code VECGRID_CREATE_COLLECTION}, then the statements of
 * {@code sql/dml-sqlline.sql} insert, upsert, update (a field and the vector) and delete through vecgrid's write path,
 * a top-k finds the nearest row, and a wrong-dimension insert is refused with the API's message. The collection must
 * then hold exactly what the statements say, read through the Java API.
 */
class SqllineScriptIT {
    private static final File ROOT = new File("..").getAbsoluteFile();

    @Test
    void writesAndSearchesThroughTheScript() throws Exception {
        try (NodeProcesses nodes = new NodeProcesses("vecgrid-sqlline", "")) {
            nodes.start("sq0");
            Ignite client = nodes.startClient("sqlline-check", 1);
            File sql = Files.createTempFile("vecgrid-sqlline", ".sql").toFile();
            try {
                String dml = Files.readString(new File(ROOT, "ignite-plugin/src/test/resources/sql/dml-sqlline.sql")
                    .toPath(), StandardCharsets.UTF_8);
                Files.writeString(sql.toPath(), "!set outputformat csv\n!set showHeader true\nSELECT VECGRID_CREATE_COLLECTION('notes', 2, 'L2', 'FLAT', 'tag:LONG', " +
                    "1, 1) AS CREATED;\n" + dml, StandardCharsets.UTF_8);
                ProcessBuilder pb = new ProcessBuilder(new File(ROOT, "scripts/sqlline.sh").getPath(), "-f", sql.getPath());
                pb.environment().put("VECGRID_JDBC_URL", "jdbc:ignite:thin://" + nodes.clientAddresses() + "/VECGRID");
                pb.redirectErrorStream(true);
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sqlline returns");
                assertTrue(out.contains("'CREATED'") && out.contains("notes"), "created through SQL:\n" + out);
                assertTrue(out.contains("row 0 (pk 6): vector field 'vector' has dimension 3, collection 'notes' expects 2"),
                    "the refused insert's message reaches sqlline:\n" + out);
                assertTrue(out.contains("'3','30','0.0'"), "the top-k finds pk 3 with its tag:\n" + out);

                VectorGrid vg = Vecgrid.of(client);
                assertEquals(4, vg.count("notes"), out);
                List<VectorRow> got = vg.get("notes", new long[] {1, 2, 3, 4, 5, 6}, null);
                assertEquals(List.of(2L, 3L, 4L, 5L), got.stream().map(VectorRow::pk).toList(), out);
                assertEquals(List.of(21L, 30L, 41L, 51L), got.stream().map(x -> x.field("tag")).toList(), out);
                assertArrayEquals(new float[] {9, 9}, got.get(1).vector());
                assertEquals(List.of(3L, 5L), vg.search(SearchRequest.builder("notes", new float[][] {{9, 9}}, 2).build())
                    .hits(0).stream().map(SearchHit::pk).toList());
            }
            finally {
                sql.delete();
            }
        }
    }
}
