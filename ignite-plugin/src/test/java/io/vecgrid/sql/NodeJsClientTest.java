package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Node.js thin client ({@code apache-ignite-client} from npm, installed by this test into
 * {@code target/nodejs}) runs the example {@code examples/nodejs/topk.js} against two real nodes: both top-k shapes
 * under H2, the portable one under Calcite (chosen by a hint), with a filter; the hits must be the router's.
 */
class NodeJsClientTest {
    private static final String CLIENT = "apache-ignite-client@1.0.0";
    private static final Pattern HIT = Pattern.compile("\\{\"id\":(\\d+),\"dist\":([-0-9.eE+]+)}");

    private static SqlCluster cluster;
    private static File modules;
    private static final Random rnd = new Random(5);

    @BeforeAll
    static void start() throws Exception {
        assertTrue(works("node", "--version") && works("npm", "--version"),
            "node and npm must be on the PATH (Debian: apt-get install nodejs npm): this test runs the Node.js thin client");
        File prefix = new File("target/nodejs").getAbsoluteFile();
        modules = new File(prefix, "node_modules");
        if (!new File(modules, "apache-ignite-client/package.json").isFile()) {
            Result r = exec(List.of("npm", "install", "--prefix", prefix.getPath(), "--no-audit", "--no-fund", "--no-save",
                "--loglevel=error", CLIENT), null, 300);
            assertEquals(0, r.exit, "npm install " + CLIENT + ":\n" + r.out);
        }
        cluster = new SqlCluster(2);
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        vg.createCollection(CollectionSpec.builder("docs").dimension(4).index(IndexSpec.flat())
            .scalarField("cat", ScalarType.LONG).scalarField("title", ScalarType.STRING).build());
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = 0; pk < 200; pk++)
            rows.add(new VectorRow(pk, vector(), Map.of("cat", pk % 3, "title", "doc " + pk)));
        vg.insert("docs", rows);
        vg.flush("docs");
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void bothShapesUnderH2ReturnTheRoutersHits() throws Exception {
        float[] q = vector();
        long s0 = cluster.routerSearches();
        List<String> lines = runExample(q, "--k", "5");
        long searches = cluster.routerSearches() - s0;
        assertTrue(searches >= 1 && searches <= 2, "two statements, equal arguments: one search, two at most: " + searches);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("\"shape\":\"h2-array\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"shape\":\"h2-portable\""), lines.get(1));
        for (String line : lines)
            assertHits(line, q, null, 5);
    }

    @Test
    void portableShapeUnderCalciteWithFilter() throws Exception {
        float[] q = vector();
        List<String> lines = runExample(q, "--k", "7", "--engine", "calcite", "--filter", "cat == 1");
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("\"shape\":\"calcite-portable\""), lines.get(0));
        assertHits(lines.get(0), q, "cat == 1", 7);
    }

    @Test
    void errorsReachTheScript() throws Exception {
        Result r = exec(command("--vector", "[1, 2, 3]"), modules, 120);
        assertEquals(2, r.exit, r.out);
        assertTrue(r.out.contains("has dimension 3, collection 'docs' expects 4"), r.out);
    }

    /**
     * {@code examples/nodejs/write.js}: insert, merge, update of a field and of the vector, delete through the
     * Node.js client's SQL, then the rows and a top-k; a refused insert with the API's message. The collection must
     * then hold exactly what the statements say.
     */
    @Test
    void writesThroughSql() throws Exception {
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        vg.createCollection(CollectionSpec.builder("notes").dimension(2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).build());
        File script = new File("../examples/nodejs/write.js").getAbsoluteFile();
        Result r = exec(List.of("node", script.getPath(), "--collection", "notes", "--endpoints",
            "127.0.0.1:" + cluster.cluster.clientPort() + ",127.0.0.1:" + (cluster.cluster.clientPort() + 1)), modules, 120);
        assertEquals(0, r.exit, r.out);
        for (String s : List.of("{\"statement\":\"INSERT\",\"updated\":4}", "{\"statement\":\"MERGE\",\"updated\":2}",
            "{\"statement\":\"UPDATE\",\"updated\":2}", "{\"statement\":\"UPDATE\",\"updated\":1}",
            "{\"statement\":\"DELETE\",\"updated\":1}",
            "{\"rows\":[{\"id\":2,\"tag\":21,\"vector\":\"[2.0, 1.0]\"},{\"id\":3,\"tag\":30,\"vector\":\"[9.0, 9.0]\"}," +
                "{\"id\":4,\"tag\":41,\"vector\":\"[4.0, 0.0]\"},{\"id\":5,\"tag\":51,\"vector\":\"[5.0, 0.0]\"}]}",
            "{\"nearest\":[3]}"))
            assertTrue(r.out.contains(s), s + " in:\n" + r.out);
        assertTrue(r.out.contains("row 0 (pk 6): vector field 'vector' has dimension 3, collection 'notes' expects 2"), r.out);
        assertEquals(4, vg.count("notes"));
        List<VectorRow> got = vg.get("notes", new long[] {1, 2, 3, 4, 5, 6}, null);
        assertEquals(List.of(2L, 3L, 4L, 5L), got.stream().map(VectorRow::pk).toList());
        assertEquals(List.of(21L, 30L, 41L, 51L), got.stream().map(x -> x.field("tag")).toList());
        assertEquals(List.of(3L, 5L), vg.search(SearchRequest.builder("notes", new float[][] {{9, 9}}, 2).build())
            .hits(0).stream().map(SearchHit::pk).toList());
    }

    /**
     * {@code examples/nodejs/quickstart.js}: the statements of {@code examples/python/quickstart.py} (pyignite cannot
     * be installed here) — a collection created, searched and dropped through SQL functions, rows inserted by SQL.
     */
    @Test
    void collectionManagedThroughSqlAsInThePythonExample() throws Exception {
        File script = new File("../examples/nodejs/quickstart.js").getAbsoluteFile();
        Result r = exec(List.of("node", script.getPath(), "--collection", "jsdocs", "--endpoints",
            "127.0.0.1:" + cluster.cluster.clientPort() + ",127.0.0.1:" + (cluster.cluster.clientPort() + 1)), modules, 120);
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("\"name\":\"jsdocs\""), r.out);
        assertTrue(r.out.contains("{\"inserted\":3}"), r.out);
        int first = r.out.indexOf("{\"ID\":3,"), second = r.out.indexOf("{\"ID\":2,");
        assertTrue(first >= 0 && second > first, "pk 3, then pk 2, nearest first:\n" + r.out);
        assertTrue(r.out.contains("\"TAG\":30"), r.out);
        assertTrue(Vecgrid.local(cluster.node(0)).metaStore().meta("jsdocs") == null, "dropped");
    }

    private static void assertHits(String line, float[] q, String filter, int k) {
        SearchRequest.Builder req = SearchRequest.builder("docs", new float[][] {q}, k);
        if (filter != null)
            req.filter(filter);
        List<SearchHit> hits = Vecgrid.of(cluster.node(1)).search(req.build()).hits(0);
        Matcher m = HIT.matcher(line);
        int i = 0;
        while (m.find()) {
            assertEquals(hits.get(i).pk(), Long.parseLong(m.group(1)), line);
            assertEquals(hits.get(i).distance(), Double.parseDouble(m.group(2)), 1e-6, line);
            i++;
        }
        assertEquals(hits.size(), i, line);
    }

    private List<String> runExample(float[] q, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--vector", VectorLiteral.format(q), "--json"));
        args.addAll(List.of(extra));
        Result r = exec(command(args.toArray(new String[0])), modules, 120);
        assertEquals(0, r.exit, r.out);
        List<String> lines = new ArrayList<>();
        for (String l : r.out.split("\n")) {
            if (l.startsWith("{"))
                lines.add(l);
        }
        return lines;
    }

    private static List<String> command(String... args) {
        File script = new File("../examples/nodejs/topk.js").getAbsoluteFile();
        List<String> cmd = new ArrayList<>(List.of("node", script.getPath(), "--collection", "docs",
            "--endpoints", "127.0.0.1:" + cluster.cluster.clientPort() + ",127.0.0.1:" + (cluster.cluster.clientPort() + 1)));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static float[] vector() {
        float[] v = new float[4];
        for (int j = 0; j < v.length; j++)
            v[j] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    private static boolean works(String... cmd) {
        try {
            return exec(List.of(cmd), null, 30).exit == 0;
        }
        catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static final class Result {
        final int exit;
        final String out;

        Result(int exit, String out) {
            this.exit = exit;
            this.out = out;
        }
    }

    /** Runs a process (NODE_PATH = {@code nodeModules} if given), bounded in time; output and error merged. */
    private static Result exec(List<String> cmd, File nodeModules, long timeoutSec) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (nodeModules != null)
            pb.environment().put("NODE_PATH", nodeModules.getPath());
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            }
            catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            return new Result(-1, "timed out after " + timeoutSec + " s: " + cmd);
        }
        reader.join(5000);
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}
