package io.vecgrid.cli;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.dataset.Fvecs;
import io.vecgrid.dataset.Ivecs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands that complete the CLI — {@code count}, {@code get}, {@code delete} (by key and by filter),
 * {@code set-replicas}, {@code search} with {@code --vector} and JSON-lines queries, {@code --json} of
 * {@code create}, {@code import} and {@code search}, {@code drop}'s confirmation, {@code VECGRID_HOST} — run
 * in-process through the picocli entry point against two real server nodes, as a shell would. Every result is checked
 * exactly against what the test wrote (through the thin client) and an exact oracle; every bad input with its exit
 * code and message; an unreachable cluster exits 2 and an internal error (the CLI run from an installation that lacks
 * a library) 70.
 */
class CliCommandsTest {
    private static final int DIM = 4;

    private static TestCluster cluster;
    private static String hosts;
    /** Writes the rows the CLI reads, and checks what the CLI did, through the thin client. */
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

    /** Runs {@code args} as they are, with environment {@code env} and terminal input (null: no terminal). */
    private static CliRun raw(Map<String, String> env, String terminalInput, String... args) {
        return CliRun.withTerminal(env, terminalInput, args);
    }

    /** Runs {@code vecgrid --host <the test cluster> args...}, from a process without a terminal. */
    private static CliRun cli(String... args) {
        return CliRun.onHosts(hosts, args);
    }

    private static CliRun ok(String... args) {
        return CliRun.ok(hosts, args);
    }

    /** Runs and expects exit code {@code code} with {@code msg} in the error output. */
    private static CliRun fails(int code, String msg, String... args) {
        return CliRun.fails(hosts, code, msg, args);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String s) {
        return (Map<String, Object>)Json.parse(s);
    }

    private static float[] vec(long pk) {
        return new float[] {pk, pk * 0.5f, -pk, 1};
    }

    /** Row {@code pk}: tag = pk % 5 (null when pk % 7 == 0), name "n<pk>", price = pk. */
    private static VectorRow row(long pk) {
        Map<String, Object> f = new HashMap<>();
        if (pk % 7 != 0)
            f.put("tag", pk % 5);
        f.put("name", "n" + pk);
        f.put("price", (double)pk);
        return new VectorRow(pk, vec(pk), f);
    }

    private static void insert(String coll, long from, long to) {
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = from; pk < to; pk++)
            rows.add(row(pk));
        vg.insert(coll, rows);
    }

    private static void create(String coll) {
        ok("create", coll, "--dim", String.valueOf(DIM), "--metric", "L2", "--index", "FLAT", "--shards", "2",
            "--field", "tag:LONG,name:STRING,price:DOUBLE");
    }

    private static long[] range(long from, long to) {
        long[] res = new long[(int)(to - from)];
        for (int i = 0; i < res.length; i++)
            res[i] = from + i;
        return res;
    }

    /** @return the primary keys of the rows of {@code coll} among {@code 0..to-1}, through the thin client. */
    private static Set<Long> live(String coll, long to) {
        Set<Long> res = new TreeSet<>();
        for (VectorRow r : vg.get(coll, range(0, to), List.of()))
            res.add(r.pk());
        return res;
    }

    /** @return the pks of every hit of a {@code search --json} document, per query. */
    @SuppressWarnings("unchecked")
    private static List<List<Long>> hitPks(Map<String, Object> doc) {
        List<List<Long>> res = new ArrayList<>();
        for (Object q : (List<Object>)doc.get("results")) {
            List<Long> pks = new ArrayList<>();
            for (Object h : (List<Object>)((Map<String, Object>)q).get("hits"))
                pks.add((Long)((Map<String, Object>)h).get("pk"));
            res.add(pks);
        }
        return res;
    }

    /** @return the exact top-k pks of {@code q} among the rows {@code live} of the collection. */
    private static List<Long> exact(Set<Long> live, float[] q, int k, LongPredicate accept) {
        Map<Long, float[]> rows = new HashMap<>();
        for (long pk : live)
            rows.put(pk, vec(pk));
        List<Long> res = new ArrayList<>();
        for (Oracle.Hit h : new Oracle(Metric.L2, rows).topK(q, k, accept))
            res.add(h.pk);
        return res;
    }

    private static String text(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++)
            sb.append(i == 0 ? "" : ", ").append(v[i]);
        return sb.append(']').toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void countGetDeleteByIds() {
        create("g");
        insert("g", 0, 50);

        assertEquals("50\n", ok("count", "g").out);
        assertEquals(Map.of("collection", "g", "count", 50L), json(ok("count", "g", "--json").out));

        // get: exactly the rows asked for, in the order asked, in the JSON-lines format import reads.
        CliRun got = ok("get", "g", "--ids", "14,1", "--ids", "3");
        List<String> lines = got.out.lines().toList();
        assertEquals(3, lines.size(), got.toString());
        long[] order = {14, 1, 3};
        for (int i = 0; i < 3; i++) {
            Map<String, Object> r = json(lines.get(i));
            long pk = order[i];
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("id", pk);
            expected.put("vector", toDoubles(vec(pk)));
            expected.put("tag", pk % 7 != 0 ? (Object)(pk % 5) : null); // a field with no value prints as null
            expected.put("name", "n" + pk);
            expected.put("price", (double)pk);
            assertEquals(expected, r, lines.get(i));
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(r.keySet()), "schema order");
        }
        assertEquals("", got.err);

        // A repeated key is read once; a key with no row is left out and named on stderr; still success.
        CliRun some = ok("get", "g", "--ids", "1, 999 ,1");
        assertEquals(1, some.out.lines().count(), some.toString());
        assertEquals(1L, json(some.out.lines().findFirst().orElseThrow()).get("id"));
        assertTrue(some.err.contains("1 of 2 primary key(s) have no row in 'g': 999"), some.toString());

        Map<String, Object> doc = json(ok("get", "g", "--ids", "5,6,1000", "--output-fields", "name", "--json").out);
        assertEquals("g", doc.get("collection"));
        assertEquals(List.of(Map.of("id", 5L, "name", "n5"), Map.of("id", 6L, "name", "n6")), doc.get("rows"));
        assertEquals(List.of(1000L), doc.get("missing"));

        fails(1, "--ids: 'x' is not a primary key (a 64-bit integer)", "get", "g", "--ids", "1,x");
        fails(1, "--ids: '99999999999999999999' is not a primary key", "get", "g", "--ids", "99999999999999999999");
        fails(1, "Missing required option: '--ids=PK'", "get", "g");
        fails(1, "collection 'nope' does not exist", "get", "nope", "--ids", "1");
        fails(1, "unknown output field 'colour'", "get", "g", "--ids", "1", "--output-fields", "colour");

        // delete by key: unknown keys are ignored; exactly the others go.
        CliRun del = ok("delete", "g", "--ids", "1,2,999");
        assertTrue(del.out.contains("deleted 2 row(s) from 'g' (3 primary key(s) given)"), del.toString());
        assertEquals(Map.of("collection", "g", "requested", 1L, "deleted", 1L),
            json(ok("delete", "g", "--ids", "3,3", "--json").out), "a repeated key counts once");
        Set<Long> expected = new TreeSet<>();
        for (long pk = 4; pk < 50; pk++)
            expected.add(pk);
        expected.add(0L);
        assertEquals(expected, live("g", 60));
        assertEquals("47\n", ok("count", "g").out);
        assertEquals("", ok("get", "g", "--ids", "1,2,3").out);

        // A search never returns a deleted row: every live row, in exact order, and nothing else. (The query is
        // nearest to the deleted pk 2 and has no two rows at the same distance.)
        float[] q = {2.3f, 1f, -2.2f, 1f};
        Map<String, Object> s = json(ok("search", "g", "--vector", text(q), "--top-k", "100", "--json").out);
        assertEquals(List.of(exact(expected, q, 100, null)), hitPks(s));

        fails(1, "--ids: 'a' is not a primary key", "delete", "g", "--ids", "a");
        fails(1, "delete: give either --ids or --filter", "delete", "g");
        fails(1, "delete: give either --ids or --filter, not both", "delete", "g", "--ids", "4", "--filter", "tag == 1");
        fails(1, "collection 'nope' does not exist", "delete", "nope", "--ids", "1");
        fails(1, "collection 'nope' does not exist", "count", "nope");
        fails(1, "Missing required parameter: 'NAME'", "count");
        fails(1, "--ids: '' is not a primary key", "get", "g", "--ids", "");
        fails(1, "--ids: '' is not a primary key", "delete", "g", "--ids", "4,,5");
        fails(1, "Missing required parameter: 'NAME'", "delete", "--ids", "4");
        assertEquals(47, vg.count("g"));
        ok("drop", "g", "--yes");
    }

    private static List<Double> toDoubles(float[] v) {
        List<Double> res = new ArrayList<>();
        for (float x : v)
            res.add((double)x);
        return res;
    }

    @Test
    void deleteByFilterRemovesExactlyTheMatchesOfSealedAndGrowingRows() {
        create("f");
        insert("f", 0, 200);
        vg.flush("f");
        insert("f", 200, 300);

        // The filter's semantics are the search filters': a null tag matches neither 'tag == 2' nor its negation.
        String filter = "tag == 2 or (price >= 280 and name != 'n290')";
        LongPredicate matches = pk -> (pk % 7 != 0 && pk % 5 == 2) || (pk >= 280 && pk != 290);
        Set<Long> keep = new TreeSet<>();
        long matched = 0;
        for (long pk = 0; pk < 300; pk++) {
            if (matches.test(pk))
                matched++;
            else
                keep.add(pk);
        }

        Map<String, Object> doc = json(ok("delete", "f", "--filter", filter, "--json").out);
        Map<String, Object> expectedDoc = new LinkedHashMap<>();
        expectedDoc.put("collection", "f");
        expectedDoc.put("filter", filter);
        expectedDoc.put("scanned", 300L);
        expectedDoc.put("matched", matched);
        expectedDoc.put("deleted", matched);
        assertEquals(expectedDoc, doc);
        assertEquals(keep, live("f", 300));
        assertEquals(keep.size(), vg.count("f"));
        assertEquals(keep.size() + "\n", ok("count", "f").out);

        // Searches see exactly the rows kept: with the filter nothing, without it every kept row in exact order.
        float[] q = {150.3f, 75f, -150f, 1f};
        Map<String, Object> all = json(ok("search", "f", "--vector", text(q), "--top-k", "300", "--json").out);
        assertEquals(List.of(exact(keep, q, 300, null)), hitPks(all));
        Map<String, Object> none = json(ok("search", "f", "--vector", text(q), "--filter", filter, "--json").out);
        assertEquals(List.of(List.of()), hitPks(none));

        // is null: only the rows whose tag is null (sealed and growing alike).
        CliRun nulls = ok("delete", "f", "--filter", "tag is null");
        long nullCount = keep.stream().filter(pk -> pk % 7 == 0).count();
        assertTrue(nulls.out.contains("deleted " + nullCount + " row(s) from 'f' matching tag is null (" + keep.size() +
            " row(s) read, " + nullCount + " matched)"), nulls.toString());
        keep.removeIf(pk -> pk % 7 == 0);
        assertEquals(keep, live("f", 300));

        assertTrue(ok("delete", "f", "--filter", "tag == 999").out.contains("deleted 0 row(s)"));
        fails(1, "expected a literal after '=='", "delete", "f", "--filter", "tag ==");
        fails(1, "unknown field 'colour'", "delete", "f", "--filter", "colour == 1");
        fails(1, "field 'tag' is LONG and cannot be compared with", "delete", "f", "--filter", "tag == 'x'");
        fails(1, "filter expression is empty", "delete", "f", "--filter", " ");
        fails(1, "collection 'nope' does not exist", "delete", "nope", "--filter", "tag == 1");
        assertEquals(keep, live("f", 300), "a refused filter deletes nothing");
        ok("drop", "f", "--yes");
    }

    @Test
    @SuppressWarnings("unchecked")
    void searchWithVectorsAndJsonLinesQueries() throws IOException {
        create("s");
        insert("s", 0, 100);
        Set<Long> all = live("s", 100);
        float[] q1 = {10.2f, 5f, -10f, 1f};
        float[] q2 = {70f, 35.5f, -70f, 1f};

        Map<String, Object> one = json(ok("search", "s", "--vector", text(q1), "--top-k", "3", "--json").out);
        assertEquals("s", one.get("collection"));
        assertEquals(3L, one.get("topK"));
        assertEquals(1L, one.get("queries"));
        assertEquals(List.of(exact(all, q1, 3, null)), hitPks(one));
        Map<String, Object> hit = (Map<String, Object>)((List<Object>)((Map<String, Object>)
            ((List<Object>)one.get("results")).get(0)).get("hits")).get(0);
        assertEquals(0L, ((Map<String, Object>)((List<Object>)one.get("results")).get(0)).get("query"));
        assertEquals(Map.of(), hit.get("fields"));
        float[] v10 = vec(10);
        double d = 0;
        for (int i = 0; i < DIM; i++)
            d += (q1[i] - v10[i]) * (q1[i] - v10[i]);
        assertEquals(d, ((Number)hit.get("distance")).doubleValue(), 1e-4);

        // Two --vector options, brackets optional, spaces or commas; with a filter and output fields.
        Map<String, Object> two = json(ok("search", "s", "--vector", "10.2 5 -10 1", "--vector", text(q2), "--top-k",
            "4", "--filter", "tag == 2", "--output-fields", "tag,name", "--json").out);
        LongPredicate tag2 = pk -> pk % 7 != 0 && pk % 5 == 2;
        assertEquals(List.of(exact(all, q1, 4, tag2), exact(all, q2, 4, tag2)), hitPks(two));
        for (Object q : (List<Object>)two.get("results")) {
            for (Object h : (List<Object>)((Map<String, Object>)q).get("hits")) {
                long pk = (Long)((Map<String, Object>)h).get("pk");
                assertEquals(Map.of("tag", 2L, "name", "n" + pk), ((Map<String, Object>)h).get("fields"));
            }
        }

        // The table without --json.
        List<String> table = ok("search", "s", "--vector", text(q1), "--top-k", "2").out.lines().toList();
        assertEquals(3, table.size(), table.toString());
        assertEquals(String.valueOf(exact(all, q1, 1, null).get(0)), table.get(1).trim().split("\\s+")[2]);

        // JSON lines: an array per line, or an object with the vector field (an import file's line); blank lines skipped.
        Path jl = dir.resolve("q.jsonl");
        Files.write(jl, List.of(text(q1), "", "{\"id\": 5, \"vector\": " + text(q2) + ", \"tag\": 1}"));
        assertEquals(List.of(exact(all, q1, 5, null), exact(all, q2, 5, null)),
            hitPks(json(ok("search", "s", "--queries", jl.toString(), "--top-k", "5", "--json").out)));
        Path txt = Files.write(dir.resolve("q.txt"), List.of(text(q2)));
        assertEquals(List.of(exact(all, q2, 2, null)), hitPks(json(ok("search", "s", "--queries", txt.toString(),
            "--query-format", "jsonl", "--top-k", "2", "--json").out)));

        // fvecs queries with --output: the ivecs file, and --json a summary of it.
        Path fv = dir.resolve("q.fvecs");
        Fvecs.write(fv, new float[] {q1[0], q1[1], q1[2], q1[3], q2[0], q2[1], q2[2], q2[3]}, 2, DIM);
        Path out = dir.resolve("r.ivecs");
        Map<String, Object> summary = json(ok("search", "s", "--queries", fv.toString(), "--top-k", "3", "--output",
            out.toString(), "--json").out);
        assertEquals("s", summary.get("collection"));
        assertEquals(2L, summary.get("queries"));
        assertEquals(3L, summary.get("topK"));
        assertEquals(out.toString(), summary.get("output"));
        int[][] rows = Ivecs.readRows(out, 2, 3);
        for (int q = 0; q < 2; q++) {
            List<Long> e = exact(all, q == 0 ? q1 : q2, 3, null);
            for (int i = 0; i < 3; i++)
                assertEquals((long)e.get(i), rows[q][i]);
        }

        fails(1, "--vector: 'x' at position 1 is not a number", "search", "s", "--vector", "[1, x, 3, 4]");
        fails(1, "--vector has dimension 3, collection 's' expects 4", "search", "s", "--vector", "[1, 2, 3]");
        fails(1, "--vector #2 (of 2) has dimension 5, collection 's' expects 4", "search", "s", "--vector", "1,2,3,4",
            "--vector", "1,2,3,4,5");
        fails(1, "--vector: the vector is empty", "search", "s", "--vector", "[]");
        fails(1, "--vector has NaN at position 2; every component must be a finite float", "search", "s", "--vector",
            "[1, 2, NaN, 4]");
        fails(1, "search: give query vectors with --vector or --queries FILE", "search", "s");
        fails(1, "search: give query vectors with --vector or --queries FILE, not both", "search", "s", "--vector",
            "1,2,3,4", "--queries", jl.toString());
        fails(1, "collection 'nope' does not exist", "search", "nope", "--vector", "1,2,3,4");
        Path bad = Files.write(dir.resolve("bad.jsonl"), List.of(text(q1), "[1, 2,", "[1, 2, 3, 4]"));
        fails(1, "bad.jsonl line 2: invalid JSON", "search", "s", "--queries", bad.toString());
        Files.write(bad, List.of("{\"vec\": [1, 2, 3, 4]}"));
        fails(1, "bad.jsonl line 1: the object has no field 'vector'", "search", "s", "--queries", bad.toString());
        Files.write(bad, List.of("[1, 2, 3]"));
        fails(1, "bad.jsonl line 1 has dimension 3, collection 's' expects 4", "search", "s", "--queries",
            bad.toString());
        fails(1, "cannot tell the format of --queries", "search", "s", "--queries", Files.write(dir.resolve("q.bin"),
            new byte[4]).toString());
        fails(1, "--query-format must be fvecs or jsonl, got 'csv'", "search", "s", "--queries", jl.toString(),
            "--query-format", "csv");
        fails(1, "--vector has Infinity at position 2", "search", "s", "--vector", "[1, 2, Infinity, 4]");
        fails(1, "--vector has Infinity at position 0", "search", "s", "--vector", "1e39,0,0,0");
        fails(1, "--query-format applies to --queries only", "search", "s", "--vector", "1,2,3,4", "--query-format",
            "jsonl");
        fails(1, "--top-k must be at least 1, got 0", "search", "s", "--vector", "1,2,3,4", "--top-k", "0");
        fails(1, "--queries '" + dir.resolve("none.jsonl") + "' does not exist or is not a regular file", "search", "s",
            "--queries", dir.resolve("none.jsonl").toString());
        Files.write(bad, List.of("[1, \"a\", 3, 4]"));
        fails(1, "bad.jsonl line 1: \"a\" at position 1 is not a number", "search", "s", "--queries", bad.toString());
        Files.write(bad, List.of("[1, NaN, 3, 4]"));
        fails(1, "bad.jsonl line 1: invalid JSON", "search", "s", "--queries", bad.toString());
        Files.write(bad, List.of("\"text\""));
        fails(1, "bad.jsonl line 1: expected an array of numbers, or an object with the vector field 'vector'",
            "search", "s", "--queries", bad.toString());
        Files.write(bad, List.of("", " "));
        fails(1, "bad.jsonl holds no vector", "search", "s", "--queries", bad.toString());
        Path fvBad = dir.resolve("bad.fvecs");
        Fvecs.write(fvBad, new float[] {1, 2, 3}, 1, 3);
        fails(1, "bad.fvecs vector #0 has dimension 3, collection 's' expects 4", "search", "s", "--queries",
            fvBad.toString());
        Fvecs.write(fvBad, new float[] {1, 2, Float.NaN, 4}, 1, 4);
        fails(1, "bad.fvecs vector #0 has NaN at position 2", "search", "s", "--queries", fvBad.toString());
        ok("drop", "s", "--yes");
    }

    @Test
    @SuppressWarnings("unchecked")
    void createAndImportPrintJson() throws IOException {
        Map<String, Object> c = json(ok("create", "cj", "--dim", "4", "--metric", "IP", "--index", "FLAT", "--shards",
            "3", "--field", "tag:LONG", "--json").out);
        assertEquals("cj", c.get("name"));
        assertEquals("READY", c.get("state"));
        Map<String, Object> schema = (Map<String, Object>)c.get("schema");
        assertEquals(4L, schema.get("dimension"));
        assertEquals("IP", schema.get("metric"));
        assertEquals(3L, schema.get("shards"));
        assertEquals(List.of(Map.of("name", "tag", "type", "LONG")), schema.get("scalarFields"));
        assertEquals(0L, c.get("rowCount"));
        assertEquals(1L, c.get("replicaNumber"));

        Path f = dir.resolve("cj.jsonl");
        List<String> lines = new ArrayList<>();
        for (long pk = 0; pk < 30; pk++)
            lines.add("{\"id\": " + pk + ", \"vector\": " + text(vec(pk)) + ", \"tag\": " + pk % 3 + "}");
        Files.write(f, lines);
        Map<String, Object> imp = json(ok("import", "cj", f.toString(), "--batch", "7", "--flush", "--json",
            "--progress", "none").out);
        assertEquals("cj", imp.get("collection"));
        assertEquals(f.toString(), imp.get("file"));
        assertEquals("jsonl", imp.get("format"));
        assertEquals(30L, imp.get("rows"));
        assertEquals(true, imp.get("flushed"));
        assertTrue(imp.get("seconds") instanceof Number && imp.get("rowsPerSecond") instanceof Long, imp.toString());
        assertEquals(30, vg.count("cj"));

        // What get prints imports again as it is: the same rows in another collection.
        ok("create", "cj2", "--dim", "4", "--metric", "IP", "--index", "FLAT", "--field", "tag:LONG");
        Path back = dir.resolve("back.jsonl");
        Files.writeString(back, ok("get", "cj", "--ids", "0,7,29").out);
        ok("import", "cj2", back.toString(), "--progress", "none");
        List<VectorRow> copied = vg.get("cj2", new long[] {0, 7, 29}, null);
        List<VectorRow> orig = vg.get("cj", new long[] {0, 7, 29}, null);
        assertEquals(3, copied.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(orig.get(i).pk(), copied.get(i).pk());
            assertArrayEquals(orig.get(i).vector(), copied.get(i).vector());
            assertEquals(orig.get(i).fields(), copied.get(i).fields());
        }
        assertEquals(3, vg.count("cj2"));
        ok("drop", "cj", "--yes");
        ok("drop", "cj2", "--yes");
    }

    @Test
    void setReplicas() {
        create("r");
        insert("r", 0, 40);
        vg.flush("r");
        CliRun up = ok("set-replicas", "r", "2");
        assertEquals("'r' has 2 replica(s) (was 1)\n", up.out);
        assertEquals(2, vg.describeCollection("r").replicaNumber());
        assertEquals(2, vg.replicas("r").groups().size());

        Map<String, Object> down = json(ok("set-replicas", "r", "1", "--json").out);
        assertEquals("r", down.get("name"));
        assertEquals(1L, down.get("replicaNumber"));
        assertEquals(1, vg.describeCollection("r").replicaNumber());

        fails(1, "set-replicas: N must be at least 1, got 0", "set-replicas", "r", "0");
        fails(1, "set-replicas: N must be at least 1, got -1", "set-replicas", "r", "-1");
        fails(1, "replicaNumber must be in [1, 2] (the number of server nodes), got 3", "set-replicas", "r", "3");
        fails(1, "Invalid value for positional parameter at index 1 (N): 'two' is not an int", "set-replicas", "r",
            "two");
        fails(1, "Missing required parameter: 'N'", "set-replicas", "r");
        fails(1, "collection 'nope' does not exist", "set-replicas", "nope", "2");
        assertEquals(1, vg.describeCollection("r").replicaNumber());

        // The rows survived both changes: every one, exactly.
        assertEquals(Set.copyOf(toList(range(0, 40))), live("r", 40));
        ok("drop", "r", "--yes");
    }

    private static List<Long> toList(long[] a) {
        List<Long> res = new ArrayList<>();
        for (long x : a)
            res.add(x);
        return res;
    }

    /**
     * Every command's help ends with examples that run that command; the top-level help lists the commands in the
     * order of a collection's life, every exit code and every environment variable.
     */
    @Test
    void everyCommandsHelpShowsExamples() {
        String[][] commands = {
            {"create"}, {"import"}, {"search"}, {"get"}, {"delete"}, {"count"}, {"flush"}, {"describe"}, {"replicas"},
            {"set-replicas"}, {"drop"}, {"list"}, {"status"}, {"backup"}, {"backup", "create"}, {"backup", "list"},
            {"backup", "restore"}};
        for (String[] c : commands) {
            String[] args = new String[c.length + 1];
            System.arraycopy(c, 0, args, 0, c.length);
            args[c.length] = "--help";
            CliRun help = raw(Map.of(), null, args);
            assertEquals(0, help.code, help.toString());
            String examples = help.out.substring(Math.max(0, help.out.indexOf("Examples:")));
            String cmd = "vecgrid " + String.join(" ", c);
            assertTrue(help.out.contains("Examples:") &&
                (examples.contains(cmd + " ") || examples.contains(cmd + "\n")), () -> cmd + ": " + help);
        }

        CliRun top = raw(Map.of(), null, "--help");
        assertEquals(0, top.code, top.toString());
        int at = -1;
        for (String c : new String[] {"create", "import", "search", "get", "delete", "count", "flush", "describe",
            "replicas", "set-replicas", "drop", "list", "status", "backup", "help"}) {
            int i = top.out.indexOf("\n  " + c + " ");
            assertTrue(i > at, () -> c + " listed in order: " + top);
            at = i;
        }
        for (String s : new String[] {"0 +success", "1 +bad input", "2 +cluster unavailable", "3 +authentication " +
            "failed", "70 +internal error", "VECGRID_HOST ", "VECGRID_USER ", "VECGRID_PASSWORD ", "Examples:"})
            assertTrue(top.out.matches("(?s).*\\n *" + s + ".*"), () -> s + " in: " + top);
    }

    @Test
    void dropAsksUnlessYes() {
        create("d");
        insert("d", 0, 12);

        // This JVM (surefire's fork) has no terminal: drop refuses at once instead of waiting for an answer.
        CliRun refused = fails(1, "drop: refusing to drop collection 'd' without confirmation: standard input is not a " +
            "terminal to ask on; pass --yes to drop it", "drop", "d");
        assertEquals("", refused.out);
        assertTrue(vg.listCollections().contains("d"));

        // On a terminal it asks, and anything but y or yes keeps the collection.
        for (String answer : new String[] {"n\n", "\n", "", "maybe\n"}) {
            CliRun no = raw(Map.of(), answer, "--host", hosts, "drop", "d");
            assertEquals(1, no.code, no.toString());
            assertTrue(no.err.contains("Drop collection 'd' with its 12 row(s) and 0 sealed segment(s)? This cannot be " +
                "undone. [y/N] "), no.toString());
            assertTrue(no.err.contains("vecgrid: drop of collection 'd' not confirmed: nothing was dropped"), no.toString());
            assertTrue(vg.listCollections().contains("d"), answer);
        }
        CliRun unknown = raw(Map.of(), "y\n", "--host", hosts, "drop", "nope");
        assertEquals(1, unknown.code, unknown.toString());
        assertTrue(unknown.err.contains("collection 'nope' does not exist"), unknown.toString());
        assertFalse(unknown.err.contains("[y/N]"), "nothing to ask about");

        CliRun yes = raw(Map.of(), "YES\n", "--host", hosts, "drop", "d");
        assertEquals(0, yes.code, yes.toString());
        assertEquals("dropped 'd'\n", yes.out);
        assertFalse(vg.listCollections().contains("d"));

        create("d");
        assertEquals("dropped 'd'\n", ok("drop", "-y", "d").out);
        assertFalse(vg.listCollections().contains("d"));
        fails(1, "collection 'd' does not exist", "drop", "d", "--yes");
    }

    @Test
    void hostFromTheEnvironment() throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        create("h");
        CliRun env = raw(Map.of("VECGRID_HOST", hosts), null, "count", "h");
        assertEquals(0, env.code, env.toString());
        assertEquals("0\n", env.out);

        // The option wins over the variable.
        CliRun option = raw(Map.of("VECGRID_HOST", "127.0.0.1:" + dead), null, "count", "h", "--host", hosts);
        assertEquals(0, option.code, option.toString());

        CliRun down = raw(Map.of("VECGRID_HOST", "127.0.0.1:" + dead), null, "count", "h");
        assertEquals(2, down.code, down.toString());
        assertTrue(down.err.contains("vecgrid: cluster unavailable: no vecgrid node answered at [127.0.0.1:" + dead + "]"),
            down.toString());

        CliRun bad = raw(Map.of("VECGRID_HOST", "127.0.0.1:0"), null, "count", "h");
        assertEquals(1, bad.code, bad.toString());
        assertTrue(bad.err.contains("VECGRID_HOST: bad port range in '127.0.0.1:0'"), bad.toString());
        ok("drop", "h", "--yes");
    }

    @Test
    void anUnreachableClusterExitsWithTwoForEveryNewCommand() throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        String[][] commands = {
            {"count", "x"}, {"get", "x", "--ids", "1"}, {"delete", "x", "--ids", "1"},
            {"delete", "x", "--filter", "tag == 1"}, {"set-replicas", "x", "2"}, {"search", "x", "--vector", "1,2"},
            {"drop", "x", "--yes"}};
        for (String[] c : commands) {
            String[] args = new String[c.length + 2];
            args[0] = "--host";
            args[1] = "127.0.0.1:" + dead;
            System.arraycopy(c, 0, args, 2, c.length);
            CliRun r = raw(Map.of(), null, args);
            assertEquals(2, r.code, () -> String.join(" ", c) + " → " + r);
            assertTrue(r.err.startsWith("vecgrid: cluster unavailable: "), r.toString());
        }

        // Input that is bad whatever the collection is refused before connecting: exit 1, not 2.
        String[][] bad = {
            {"get", "x", "--ids", "1,a"}, {"delete", "x", "--ids", "b"}, {"delete", "x"},
            {"search", "x", "--vector", "[1, x]"}, {"search", "x", "--vector", "[1, NaN]"}, {"set-replicas", "x", "0"},
            {"drop", "x"}};
        for (String[] c : bad) {
            String[] args = new String[c.length + 2];
            args[0] = "--host";
            args[1] = "127.0.0.1:" + dead;
            System.arraycopy(c, 0, args, 2, c.length);
            CliRun r = raw(Map.of(), null, args);
            assertEquals(1, r.code, () -> String.join(" ", c) + " → " + r);
            assertFalse(r.err.contains("cluster unavailable"), r.toString());
        }
    }

    /**
     * An internal error is not reported as an unavailable cluster: the CLI run, as scripts/vecgrid runs it, from a
     * class path that lacks Commons CSV (an incomplete installation) fails its CSV import with
     * {@link NoClassDefFoundError}, exits 70, says "internal error" with the stack trace, and writes nothing.
     */
    @Test
    void anInternalErrorExitsWithSeventy() throws Exception {
        create("ie");
        Path csv = Files.write(dir.resolve("ie.csv"), List.of("id,vector", "1,\"[1, 2, 3, 4]\""));

        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        boolean dropped = false;
        for (String e : cp.split(File.pathSeparator)) {
            if (e.isEmpty())
                continue;
            if (new File(e).getName().startsWith("commons-csv-")) {
                dropped = true;
                continue;
            }
            urls.add(new File(e).toURI().toURL());
        }
        assertTrue(dropped, "commons-csv on the class path: " + cp);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ClassLoader prev = Thread.currentThread().getContextClassLoader();
        int code;
        try (URLClassLoader incomplete = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(incomplete);
            Class<?> cli = incomplete.loadClass(VecgridCli.class.getName());
            assertTrue(cli != VecgridCli.class);
            code = (Integer)cli.getMethod("run", PrintWriter.class, PrintWriter.class, Map.class, String[].class)
                .invoke(null, new PrintWriter(out, true), new PrintWriter(err, true), Map.of(),
                    new String[] {"--host", hosts, "import", "ie", csv.toString(), "--progress", "none"});
        }
        finally {
            Thread.currentThread().setContextClassLoader(prev);
        }
        String e = err.toString();
        assertEquals(VecgridCli.EXIT_INTERNAL, code, e);
        assertTrue(e.startsWith("vecgrid: internal error: java.lang.NoClassDefFoundError: org/apache/commons/csv/"), e);
        assertTrue(e.contains("\tat io.vecgrid.cli."), "the stack trace follows: " + e);
        assertFalse(e.contains("cluster unavailable"), e);
        assertEquals("", out.toString());
        assertEquals(0, vg.count("ie"));

        // The same command with the whole class path imports the row.
        ok("import", "ie", csv.toString(), "--progress", "none");
        assertEquals(1, vg.count("ie"));
        ok("drop", "ie", "--yes");
    }
}
