package io.vecgrid.cli;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.dataset.Fvecs;
import io.vecgrid.dataset.Ivecs;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code vecgrid} CLI run in-process through its picocli entry point against two real server nodes, reaching
 * them over the thin client as a user's shell would: exit codes, {@code --json} documents parsed back, imports of
 * fvecs, JSON-lines and CSV files written by the test, a bad line stopping the import with its line number and
 * nothing of its batch written, and search output read back from ivecs and compared with the exact neighbours.
 */
class VecgridCliTest {
    private static TestCluster cluster;
    private static String hosts;
    /** Checks what the CLI did, through the thin client. */
    private static VecgridClient vg;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(2);
        hosts = "127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 1);
        vg = VecgridClient.connect(hosts);
    }

    @AfterAll
    static void stop() {
        if (vg != null)
            vg.close();
        cluster.close();
    }

    /** Runs {@code vecgrid --host <the test cluster> args...}. */
    private static CliRun cli(String... args) {
        return CliRun.onHosts(hosts, args);
    }

    private static CliRun ok(String... args) {
        return CliRun.ok(hosts, args);
    }

    /** Runs and expects exit code 1 with {@code msg} in the error output. */
    private static CliRun badInput(String msg, String... args) {
        return CliRun.fails(hosts, 1, msg, args);
    }

    private static Map<String, Object> json(CliRun r) {
        return r.json();
    }

    @Test
    @SuppressWarnings("unchecked")
    void createDescribeReplicasListStatusDrop() {
        CliRun created = ok("create", "c1", "--dim", "8", "--metric", "COSINE", "--index", "FLAT", "--shards", "3",
            "--replicas", "2", "--field", "tag:LONG,name:STRING", "--field", "price:DOUBLE");
        assertTrue(created.out.contains("created 'c1'"), created.toString());

        badInput("collection 'c1' already exists", "create", "c1", "--dim", "8", "--metric", "L2");
        badInput("dimension must be in [1, 32768], got 0", "create", "c2", "--dim", "0", "--metric", "L2");
        badInput("metric must be one of L2, IP, COSINE, got 'XX'", "create", "c2", "--dim", "8", "--metric", "XX");
        badInput("--index must be FLAT or HNSW, got 'IVF'", "create", "c2", "--dim", "8", "--metric", "L2", "--index", "IVF");
        badInput("--field type must be LONG, DOUBLE, BOOLEAN or STRING, got 'DATE'", "create", "c2", "--dim", "8",
            "--metric", "L2", "--field", "d:DATE");
        badInput("Missing required option: '--metric", "create", "c2", "--dim", "8");
        badInput("replicaNumber must be at most the number of server nodes (2), got 5", "create", "c2", "--dim", "8",
            "--metric", "L2", "--replicas", "5");

        Map<String, Object> d = json(ok("describe", "c1", "--json"));
        assertEquals("c1", d.get("name"));
        assertEquals("READY", d.get("state"));
        Map<String, Object> schema = (Map<String, Object>)d.get("schema");
        assertEquals("id", schema.get("pkField"));
        assertEquals("vector", schema.get("vectorField"));
        assertEquals(8L, schema.get("dimension"));
        assertEquals("COSINE", schema.get("metric"));
        assertEquals(3L, schema.get("shards"));
        assertEquals("FLAT", ((Map<String, Object>)schema.get("index")).get("type"));
        assertEquals(List.of(Map.of("name", "tag", "type", "LONG"), Map.of("name", "name", "type", "STRING"),
            Map.of("name", "price", "type", "DOUBLE")), schema.get("scalarFields"));
        assertEquals(0L, d.get("rowCount"));
        assertEquals(0L, d.get("segmentCount"));
        assertEquals(2L, d.get("replicaNumber"));
        assertEquals(false, d.get("underReplicated"));
        assertTrue(ok("describe", "c1").out.lines().anyMatch(l -> l.matches("replicas\\s+2")));

        Map<String, Object> rep = json(ok("replicas", "c1", "--json"));
        assertEquals("c1", rep.get("collection"));
        assertEquals(2L, rep.get("replicaNumber"));
        List<Object> groups = (List<Object>)rep.get("groups");
        assertEquals(2, groups.size());
        Set<Object> nodes = new HashSet<>();
        for (Object g : groups) {
            Map<String, Object> gm = (Map<String, Object>)g;
            assertTrue(gm.containsKey("id"));
            List<Object> gn = (List<Object>)gm.get("nodes");
            assertEquals(1, gn.size(), "two nodes, two groups: one node each");
            nodes.addAll(gn);
            assertEquals(Set.of("0", "1", "2"), ((Map<String, Object>)gm.get("shardLeaders")).keySet());
            assertTrue(gm.get("segments") instanceof Map);
        }
        assertEquals(serverIds(), nodes);
        assertTrue(ok("replicas", "c1").out.contains("group 1"));

        assertTrue(((List<Object>)json(ok("list", "--json")).get("collections")).contains("c1"));
        assertTrue(ok("list").out.lines().anyMatch("c1"::equals));

        Map<String, Object> st = json(ok("status", "--json"));
        assertEquals(2L, st.get("serverNodes"));
        Set<Object> statusIds = new HashSet<>();
        for (Object n : (List<Object>)st.get("nodes"))
            statusIds.add(((Map<String, Object>)n).get("id"));
        assertEquals(serverIds(), statusIds);
        assertTrue(((List<Object>)st.get("collections")).stream()
            .anyMatch(c -> "c1".equals(((Map<String, Object>)c).get("name"))));
        assertTrue(ok("status").out.contains("2 server node(s)"));

        badInput("collection 'nope' does not exist", "describe", "nope");
        badInput("collection 'nope' does not exist", "replicas", "nope", "--json");
        ok("drop", "c1", "--yes");
        assertFalse(((List<Object>)json(ok("list", "--json")).get("collections")).contains("c1"));
        badInput("collection 'c1' does not exist", "drop", "c1", "--yes");
    }

    private static Set<Object> serverIds() {
        Set<Object> ids = new HashSet<>();
        for (Ignite ig : cluster.servers())
            ids.add(ig.cluster().localNode().id().toString());
        return ids;
    }

    private static float[] randomVectors(Random rnd, int n, int dim) {
        float[] v = new float[n * dim];
        for (int i = 0; i < v.length; i++)
            v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    @Test
    @SuppressWarnings("unchecked")
    void importFvecsThenSearchToIvecs() throws IOException {
        int dim = 16;
        int n = 600;
        int nq = 20;
        int k = 10;
        Random rnd = new Random(42);
        float[] base = randomVectors(rnd, n, dim);
        float[] queries = randomVectors(rnd, nq, dim);
        Path baseFile = dir.resolve("base.fvecs");
        Path queryFile = dir.resolve("queries.fvecs");
        Fvecs.write(baseFile, base, n, dim);
        Fvecs.write(queryFile, queries, nq, dim);

        ok("create", "vecs", "--dim", "16", "--metric", "L2", "--index", "FLAT");
        CliRun imp = ok("import", "vecs", baseFile.toString(), "--batch", "128", "--progress", "lines");
        assertTrue(imp.out.contains("imported 600 rows into 'vecs'"), imp.toString());
        assertEquals(n, vg.count("vecs"));
        VectorRow r7 = vg.get("vecs", new long[] {7}, null).get(0);
        float[] v7 = new float[dim];
        System.arraycopy(base, 7 * dim, v7, 0, dim);
        assertArrayEquals(v7, r7.vector(), "fvecs vector #7 has pk 7");

        Map<Long, float[]> rows = new HashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            System.arraycopy(base, i * dim, v, 0, dim);
            rows.put((long)i, v);
        }
        int[][] exact = new int[nq][k];
        Oracle oracle = new Oracle(Metric.L2, rows);
        for (int q = 0; q < nq; q++) {
            float[] qv = new float[dim];
            System.arraycopy(queries, q * dim, qv, 0, dim);
            List<Oracle.Hit> hits = oracle.topK(qv, k, null);
            for (int i = 0; i < k; i++)
                exact[q][i] = (int)hits.get(i).pk;
        }

        // Growing rows only, then sealed segments only: the same exact neighbours.
        Path out = dir.resolve("result.ivecs");
        CliRun s = ok("search", "vecs", "--queries", queryFile.toString(), "--top-k", "10", "--output", out.toString(),
            "--batch", "7");
        assertTrue(s.out.contains("wrote 20 result rows of 10 ids"), s.toString());
        assertEquals(nq, Ivecs.count(out));
        assertArrayEquals(exact, Ivecs.readRows(out, nq, k), "growing rows: the exact neighbours, nearest first");

        assertTrue(ok("flush", "vecs").out.contains("flushed 'vecs'"));
        assertTrue((Long)json(ok("describe", "vecs", "--json")).get("segmentCount") > 0);
        ok("search", "vecs", "--queries", queryFile.toString(), "--top-k", "10", "--output", out.toString());
        assertArrayEquals(exact, Ivecs.readRows(out, nq, k), "sealed segments: the exact neighbours, nearest first");

        CliRun table = ok("search", "vecs", "--queries", queryFile.toString(), "--top-k", "3");
        List<String> lines = table.out.lines().toList();
        assertTrue(lines.get(0).startsWith("query"), table.toString());
        assertEquals(1 + nq * 3, lines.size(), table.toString());
        String[] first = lines.get(1).trim().split("\\s+");
        assertEquals("0", first[0]);
        assertEquals("1", first[1]);
        assertEquals(String.valueOf(exact[0][0]), first[2]);

        Path wrongDim = dir.resolve("wrong.fvecs");
        Fvecs.write(wrongDim, new float[8], 1, 8);
        badInput("vector #0 has dimension 8, collection 'vecs' expects 16", "search", "vecs", "--queries",
            wrongDim.toString(), "--top-k", "3");
        badInput("--top-k must be at least 1, got 0", "search", "vecs", "--queries", queryFile.toString(), "--top-k", "0");
        badInput("does not exist", "search", "vecs", "--queries", dir.resolve("none.fvecs").toString(), "--top-k", "3");
        badInput("collection 'nope' does not exist", "search", "nope", "--queries", queryFile.toString(), "--top-k", "3");

        // A wrong-dimension fvecs import stops at the vector before anything of it is written.
        badInput("vector #0: vector field 'vector' has dimension 8, collection 'vecs' expects 16", "import", "vecs",
            wrongDim.toString(), "--first-pk", "5000", "--progress", "none");
        assertEquals(n, vg.count("vecs"));
        ok("drop", "vecs", "--yes");
    }

    private static String jsonLine(long pk, float[] v, long tag, String name) {
        StringBuilder sb = new StringBuilder("{\"id\": ").append(pk).append(", \"vector\": [");
        for (int i = 0; i < v.length; i++)
            sb.append(i == 0 ? "" : ", ").append(v[i]);
        return sb.append("], \"tag\": ").append(tag).append(", \"name\": \"").append(name).append("\"}").toString();
    }

    private static float[] vec(long pk) {
        return new float[] {pk, pk * 0.5f, -pk, 1};
    }

    @Test
    void jsonlImportStopsAtABadLineWithNothingOfItsBatch() throws IOException {
        ok("create", "j", "--dim", "4", "--metric", "L2", "--index", "FLAT", "--field", "tag:LONG,name:STRING");
        List<String> lines = new ArrayList<>();
        for (long pk = 0; pk < 25; pk++)
            lines.add(pk == 14 ? "{\"id\": 14, \"vector\": [1, 2, 3, 4, 5], \"tag\": 1}" : jsonLine(pk, vec(pk), pk % 3, "n" + pk));
        Path f = dir.resolve("rows.jsonl");
        Files.write(f, lines);

        // Line 15 (pk 14) has dimension 5: batches of 10 → lines 1..10 written, nothing of lines 11..15.
        CliRun r = badInput("line 15: vector field 'vector' has dimension 5, collection 'j' expects 4", "import", "j",
            f.toString(), "--batch", "10", "--progress", "lines");
        assertTrue(r.err.contains("10 row(s) before the batch starting at line 11 were written"), r.toString());
        assertEquals(10, vg.count("j"));
        assertEquals(10, vg.get("j", pks(0, 10), null).size());
        assertEquals(0, vg.get("j", pks(10, 15), null).size(), "nothing of the failing batch");

        // Rows the server rejects: line 7 repeats pk 3 (already imported); the server refuses the whole batch, the CLI
        // names the line.
        List<String> dup = new ArrayList<>();
        for (long pk = 100; pk < 110; pk++)
            dup.add(pk == 106 ? jsonLine(3, vec(3), 0, "dup") : jsonLine(pk, vec(pk), 0, "n" + pk));
        Path f2 = dir.resolve("dup.jsonl");
        Files.write(f2, dup);
        CliRun r2 = badInput("line 7: primary key 3 already exists in collection 'j'", "import", "j", f2.toString(),
            "--batch", "5");
        assertTrue(r2.err.contains("5 row(s) before the batch starting at line 6 were written"), r2.toString());
        assertEquals(15, vg.count("j"));
        assertEquals(5, vg.get("j", pks(100, 110), null).size(), "lines 1..5 only");
        assertEquals("n3", vg.get("j", new long[] {3}, null).get(0).field("name"), "the existing row is untouched");

        // Type and syntax errors name the line and the field.
        Path f3 = dir.resolve("types.jsonl");
        Files.write(f3, List.of(jsonLine(200, vec(200), 1, "a"), "", "{\"id\": 201, \"vector\": [1,2,3,4], \"tag\": \"x\"}"));
        badInput("line 3: field 'tag' is LONG, got string \"x\"", "import", "j", f3.toString());
        Files.write(f3, List.of("{\"id\": 202, \"vector\": [1,2,3,4], \"colour\": 1}"));
        badInput("line 1: unknown field 'colour'", "import", "j", f3.toString());
        Files.write(f3, List.of("{\"id\": 203, \"vector\": [1,2,3,4]", "x"));
        badInput("line 1: invalid JSON", "import", "j", f3.toString());
        assertEquals(15, vg.count("j"));

        // --upsert replaces.
        Files.write(f3, List.of(jsonLine(3, vec(3), 2, "replaced")));
        ok("import", "j", f3.toString(), "--upsert");
        assertEquals("replaced", vg.get("j", new long[] {3}, null).get(0).field("name"));
        ok("drop", "j", "--yes");
    }

    private static long[] pks(long from, long to) {
        long[] res = new long[(int)(to - from)];
        for (int i = 0; i < res.length; i++)
            res[i] = from + i;
        return res;
    }

    @Test
    void csvImport() throws IOException {
        ok("create", "c", "--dim", "3", "--metric", "IP", "--index", "FLAT", "--field", "tag:LONG,name:STRING,ok:BOOLEAN");
        Path f = dir.resolve("rows.csv");
        Files.write(f, List.of("name,id,vector,tag,ok",
            "\"first, with comma\",1,\"[0.5, 1.5, -2]\",7,true",
            "second,2,0.25;0.5;0.75,,false",
            "\"say \"\"hi\"\"\",3,1 2 3,9,"));
        CliRun r = ok("import", "c", f.toString(), "--flush");
        assertTrue(r.out.contains("imported 3 rows"), r.toString());
        List<VectorRow> rows = vg.get("c", new long[] {1, 2, 3}, null);
        assertEquals(3, rows.size());
        assertArrayEquals(new float[] {0.5f, 1.5f, -2f}, rows.get(0).vector());
        assertEquals("first, with comma", rows.get(0).field("name"));
        assertEquals(7L, rows.get(0).field("tag"));
        assertEquals(true, rows.get(0).field("ok"));
        assertEquals(null, rows.get(1).field("tag"));
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, rows.get(1).vector());
        assertEquals("say \"hi\"", rows.get(2).field("name"));

        Files.write(f, List.of("id,vector", "4,\"[1,2,3]\"", "5,\"[1,2]\""));
        badInput("line 3: vector field 'vector' has dimension 2, collection 'c' expects 3", "import", "c", f.toString());
        Files.write(f, List.of("id,vector,colour", "4,\"[1,2,3]\",red"));
        badInput("line 1 (header): unknown field 'colour'", "import", "c", f.toString());
        Files.write(f, List.of("id,tag", "4,1"));
        badInput("no column 'vector'", "import", "c", f.toString());
        assertEquals(3, vg.count("c"));

        // A quoted field may span lines; messages name the line a record starts on.
        Files.writeString(f, "id,vector,name\n10,\"[1,2,3]\",\"two\nlines, and \"\"quotes\"\"\"\n\n" +
            "11,\"[4,5,6]\",\"three\n\nlines\"\n12,\"[7,8]\",short\n");
        CliRun bad = badInput("line 8: vector field 'vector' has dimension 2, collection 'c' expects 3", "import", "c",
            f.toString());
        assertTrue(bad.err.contains("0 row(s) before the batch starting at line 2 were written"), bad.toString());
        Files.writeString(f, "id,vector,name\n10,\"[1,2,3]\",\"two\nlines, and \"\"quotes\"\"\"\n\n" +
            "11,\"[4,5,6]\",\"three\n\nlines\"\n");
        ok("import", "c", f.toString());
        List<VectorRow> multi = vg.get("c", new long[] {10, 11}, null);
        assertEquals("two\nlines, and \"quotes\"", multi.get(0).field("name"));
        assertEquals("three\n\nlines", multi.get(1).field("name"));
        assertArrayEquals(new float[] {4, 5, 6}, multi.get(1).vector());

        // Broken quoting is reported with its line, nothing of its batch written.
        Files.writeString(f, "id,vector\n20,\"[1,2,3]\"\n21,\"[1,2,3]\"x\n");
        badInput("line 3: malformed CSV: Invalid character between encapsulated token and delimiter", "import", "c",
            f.toString());
        Files.writeString(f, "id,vector\n20,\"[1,2,3]\"\n21,\"[1,2,3]\n");
        badInput("line 3: malformed CSV: EOF reached before encapsulated token finished", "import", "c", f.toString());
        assertEquals(5, vg.count("c"));

        // --delimiter: semicolons, and tabs ('tab' or \t), the vector cell keeping its commas unquoted.
        Path semi = dir.resolve("rows.txt");
        Files.write(semi, List.of("id;vector;name;tag", "30;[1, 2, 3];a, b;4", "31;\"[3;2;1]\";\"x;y\";"));
        ok("import", "c", semi.toString(), "--format", "csv", "--delimiter", ";");
        List<VectorRow> semis = vg.get("c", new long[] {30, 31}, null);
        assertArrayEquals(new float[] {1, 2, 3}, semis.get(0).vector());
        assertEquals("a, b", semis.get(0).field("name"));
        assertEquals(4L, semis.get(0).field("tag"));
        assertArrayEquals(new float[] {3, 2, 1}, semis.get(1).vector());
        assertEquals("x;y", semis.get(1).field("name"));
        assertEquals(null, semis.get(1).field("tag"));
        Path tsv = dir.resolve("rows.tsv");
        Files.write(tsv, List.of("id\tvector\tname", "40\t1,2,3\tfour zero", "41\t[1 2 3]\tfour one"));
        ok("import", "c", tsv.toString(), "--format", "csv", "--delimiter", "tab");
        Files.write(tsv, List.of("id\tvector\tname", "42\t1,2,3\tfour two"));
        ok("import", "c", tsv.toString(), "--format", "csv", "--delimiter", "\\t");
        assertEquals(List.of("four zero", "four one", "four two"), vg.get("c", new long[] {40, 41, 42}, null).stream()
            .map(row -> row.field("name")).toList());
        badInput("--delimiter must be one character other than a double quote or a line break ('tab' or '\\t' for a " +
            "tab), got ';;'", "import", "c", semi.toString(), "--format", "csv", "--delimiter", ";;");
        badInput("got '\"'", "import", "c", semi.toString(), "--format", "csv", "--delimiter", "\"");
        Path empty = Files.writeString(dir.resolve("x.jsonl"), "");
        badInput("--delimiter applies to CSV files only", "import", "c", empty.toString(), "--delimiter", ";");
        assertEquals(10, vg.count("c"));
        ok("drop", "c", "--yes");
    }

    @Test
    void exitCodesAndHosts() throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        CliRun down = CliRun.run(Map.of(), "--host", "127.0.0.1:" + dead, "status");
        assertEquals(2, down.code, down.toString());
        assertTrue(down.err.contains("cluster unavailable"), down.toString());

        // A dead address in the list does not matter while another answers (also after the command).
        CliRun list = CliRun.run(Map.of(), "list", "--host", "127.0.0.1:" + dead + ",127.0.0.1:" + cluster.clientPort());
        assertEquals(0, list.code, list.toString());

        // A cluster without authentication ignores credentials (a user may export VECGRID_USER for another cluster).
        StringWriter out = new StringWriter();
        int withCredentials = VecgridCli.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
            Map.of("VECGRID_USER", "someone", "VECGRID_PASSWORD", "anything"), "--host", hosts, "list");
        assertEquals(0, withCredentials, out.toString());

        CliRun badHost = CliRun.run(Map.of(), "--host", "127.0.0.1:99999", "list");
        assertEquals(1, badHost.code, badHost.toString());
        assertTrue(badHost.err.contains("--host: bad port range in '127.0.0.1:99999'"), badHost.toString());

        assertEquals(1, CliRun.run(Map.of()).code, "no command");
        assertEquals(1, CliRun.run(Map.of(), "frobnicate").code, "unknown command");
        CliRun help = CliRun.run(Map.of(), "--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("import"), help.toString());
        CliRun createHelp = CliRun.run(Map.of(), "create", "--help");
        assertEquals(0, createHelp.code);
        assertTrue(createHelp.out.contains("--ef-construction"), createHelp.toString());
        Path some = Files.writeString(dir.resolve("some.data"), "id,vector\n1,2\n");
        badInput("--format must be fvecs, jsonl or csv, got 'parquet'", "import", "x", some.toString(), "--format", "parquet");
        badInput("cannot tell the format of", "import", "x", some.toString());
        badInput("--batch must be at least 1, got 0", "import", "x", some.toString(), "--batch", "0");
    }
}
