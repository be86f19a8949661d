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

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
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
 * {@code drop}'s confirmation, {@code VECGRID_HOST}, and an internal error (the CLI run from an installation that
 * lacks a library) exiting 70, not 2: run in-process through the picocli entry point against two real server nodes,
 * as a shell would.
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

    /** One CLI run. */
    record Run(int code, String out, String err) {
        @Override public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs {@code args} as they are, with environment {@code env} and terminal {@code terminal} (null: none). */
    private static Run raw(Map<String, String> env, String terminalInput, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter errW = new PrintWriter(err, true);
        int code = terminalInput == null ?
            VecgridCli.run(new PrintWriter(out, true), errW, env, args) :
            VecgridCli.run(new PrintWriter(out, true), errW, env,
                Terminal.of(new BufferedReader(new StringReader(terminalInput)), errW), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs {@code vecgrid --host <the test cluster> args...}, from a process without a terminal. */
    private static Run cli(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--host";
        all[1] = hosts;
        System.arraycopy(args, 0, all, 2, args.length);
        return raw(Map.of(), null, all);
    }

    private static Run ok(String... args) {
        Run r = cli(args);
        assertEquals(0, r.code, () -> String.join(" ", args) + " → " + r);
        return r;
    }

    /** Runs and expects exit code {@code code} with {@code msg} in the error output. */
    private static Run fails(int code, String msg, String... args) {
        Run r = cli(args);
        assertEquals(code, r.code, () -> String.join(" ", args) + " → " + r);
        assertTrue(r.err.contains(msg), () -> "expected '" + msg + "' in: " + r);
        return r;
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


    @Test
    void dropAsksUnlessYes() {
        create("d");
        insert("d", 0, 12);

        // This JVM (surefire's fork) has no terminal: drop refuses at once instead of waiting for an answer.
        Run refused = fails(1, "drop: refusing to drop collection 'd' without confirmation: standard input is not a " +
            "terminal to ask on; pass --yes to drop it", "drop", "d");
        assertEquals("", refused.out);
        assertTrue(vg.listCollections().contains("d"));

        // On a terminal it asks, and anything but y or yes keeps the collection.
        for (String answer : new String[] {"n\n", "\n", "", "maybe\n"}) {
            Run no = raw(Map.of(), answer, "--host", hosts, "drop", "d");
            assertEquals(1, no.code, no.toString());
            assertTrue(no.err.contains("Drop collection 'd' with its 12 row(s) and 0 sealed segment(s)? This cannot be " +
                "undone. [y/N] "), no.toString());
            assertTrue(no.err.contains("vecgrid: drop of collection 'd' not confirmed: nothing was dropped"), no.toString());
            assertTrue(vg.listCollections().contains("d"), answer);
        }
        Run unknown = raw(Map.of(), "y\n", "--host", hosts, "drop", "nope");
        assertEquals(1, unknown.code, unknown.toString());
        assertTrue(unknown.err.contains("collection 'nope' does not exist"), unknown.toString());
        assertFalse(unknown.err.contains("[y/N]"), "nothing to ask about");

        Run yes = raw(Map.of(), "YES\n", "--host", hosts, "drop", "d");
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
        Run env = raw(Map.of("VECGRID_HOST", hosts), null, "list");
        assertEquals(0, env.code, env.toString());
        assertTrue(env.out.lines().toList().contains("h"), env.toString());

        // The option wins over the variable.
        Run option = raw(Map.of("VECGRID_HOST", "127.0.0.1:" + dead), null, "list", "--host", hosts);
        assertEquals(0, option.code, option.toString());

        Run down = raw(Map.of("VECGRID_HOST", "127.0.0.1:" + dead), null, "list");
        assertEquals(2, down.code, down.toString());
        assertTrue(down.err.contains("vecgrid: cluster unavailable: no vecgrid node answered at [127.0.0.1:" + dead + "]"),
            down.toString());

        Run bad = raw(Map.of("VECGRID_HOST", "127.0.0.1:0"), null, "list");
        assertEquals(1, bad.code, bad.toString());
        assertTrue(bad.err.contains("VECGRID_HOST: bad port range in '127.0.0.1:0'"), bad.toString());
        ok("drop", "h", "--yes");
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
