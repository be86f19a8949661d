package io.vecgrid.distribution;

import io.vecgrid.TestCluster;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * vecgrid added to an existing Ignite 2.17 installation, as docs/operations.md describes it: an IGNITE_HOME whose
 * libs/ holds only Ignite's jars (ignite-core and its dependencies, the ignite-indexing and ignite-spring modules the
 * binary distribution enables, ignite-log4j2 moved out of libs/optional; taken from the local Maven repository by
 * the pom), into which the distribution's libs/vecgrid directory is copied; a Spring XML with the plugin bean and
 * thin-client compute; a node started in a JVM of its own the way ignite.sh starts one (CommandLineStartup, the
 * class path libs/* plus every directory in libs/, Ignite's --add-opens flags). A thin client then creates a
 * collection, inserts, flushes, counts and searches.
 */
class ExistingIgniteIT {
    private static final int DIM = 16;
    private static final int ROWS = 2_000;

    private Path tmp;
    private Process node;

    @AfterEach
    void cleanUp() throws Exception {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
            node.waitFor(30, TimeUnit.SECONDS);
        }
        DistProcesses.delete(tmp);
    }

    @Test
    void pluginJarsInIgnitesLibsServeTheThinClient() throws Exception {
        tmp = Files.createTempDirectory("vecgrid-existing-ignite-it");
        Path igniteHome = tmp.resolve("apache-ignite-2.17.0-bin");
        copyTree(Path.of(System.getProperty("vecgrid.ignite.home")), igniteHome);
        assertFalse(hasVecgridJar(igniteHome), "Ignite's own libs hold no vecgrid jar");

        // The documented step: copy the distribution's libs/vecgrid into Ignite's libs/.
        Path dist = DistProcesses.unpack(Files.createDirectory(tmp.resolve("dist")));
        copyTree(dist.resolve("libs/vecgrid"), igniteHome.resolve("libs/vecgrid"));

        Path config = igniteHome.resolve("config/vecgrid-node.xml");
        Files.createDirectories(config.getParent());
        try (InputStream in = getClass().getResourceAsStream("/existing-ignite/ignite-config.xml")) {
            Files.copy(in, config);
        }

        int base = TestCluster.freePortBase();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("vecgrid.jvm.opens").trim().split("\\s+")));
        cmd.addAll(List.of("-Xms128m", "-Xmx512m", "-DIGNITE_HOME=" + igniteHome, "-DIGNITE_UPDATE_NOTIFIER=false",
            "-DIGNITE_QUIET=false", "-Djava.net.preferIPv4Stack=true",
            "-Dvecgrid.discovery.port=" + base, "-Dvecgrid.discovery.addresses=" + TestCluster.discoveryAddresses(base),
            "-Dvecgrid.communication.port=" + (base + 20), "-Dvecgrid.client.port=" + (base + 60),
            "-Dvecgrid.http.port=" + (base + 40),
            "-cp", igniteClasspath(igniteHome),
            "org.apache.ignite.startup.cmdline.CommandLineStartup", config.toString()));
        File out = tmp.resolve("node.out").toFile();
        node = new ProcessBuilder(cmd).directory(igniteHome.toFile()).redirectErrorStream(true).redirectOutput(out)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();

        String addr = "127.0.0.1:" + (base + 60);
        VecgridClient vg = connect(addr, out);
        try (vg) {
            vg.createCollection(CollectionSpec.builder("existing").dimension(DIM).metric(Metric.L2)
                .index(IndexSpec.hnsw()).scalarField("tag", ScalarType.LONG).shards(2).build());
            List<VectorRow> rows = new ArrayList<>();
            for (int i = 0; i < ROWS; i++)
                rows.add(new VectorRow(i, vector(i), Map.of("tag", (long)(i % 10))));
            for (int from = 0; from < ROWS; from += 500)
                assertEquals(500, vg.insert("existing", rows.subList(from, from + 500)));
            vg.flush("existing");
            assertEquals(ROWS, vg.count("existing"));
            assertTrue(vg.describeCollection("existing").segmentCount() > 0, "flush sealed segments");

            int probe = 1234;
            SearchResult r = vg.search(SearchRequest.builder("existing", new float[][] {vector(probe)}, 5).build());
            List<SearchHit> hits = r.hits().get(0);
            assertEquals(5, hits.size());
            assertEquals(probe, hits.get(0).pk(), "the row's own vector finds the row first");

            SearchResult f = vg.search(SearchRequest.builder("existing", new float[][] {vector(probe)}, 5)
                .filter("tag == 7").build());
            assertEquals(5, f.hits().get(0).size());
            for (SearchHit h : f.hits().get(0))
                assertEquals(7, h.pk() % 10);
        }

        assertTrue(node.isAlive(), "node still runs:\n" + tail(out));
        String log = Files.readString(out.toPath(), StandardCharsets.UTF_8);
        assertTrue(log.contains("vecgrid is serving"), "the plugin said it serves:\n" + tail(out));
        node.destroy(); // SIGTERM, as stopping ignite.sh does
        assertTrue(node.waitFor(90, TimeUnit.SECONDS), "node did not stop after SIGTERM:\n" + tail(out));
    }

    /** As ignite.sh (bin/include/setenv.sh) builds it: libs/*, then each directory of libs/ except optional/. */
    private static String igniteClasspath(Path home) throws Exception {
        StringBuilder cp = new StringBuilder(home.resolve("libs") + File.separator + "*");
        try (Stream<Path> s = Files.list(home.resolve("libs"))) {
            for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                if (!d.getFileName().toString().equals("optional"))
                    cp.append(File.pathSeparator).append(d).append(File.separator).append('*');
            }
        }
        return cp.toString();
    }

    private VecgridClient connect(String addr, File out) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            if (!node.isAlive())
                fail("the node exited (" + node.exitValue() + "):\n" + tail(out));
            try {
                VecgridClient c = VecgridClient.connect(addr);
                try {
                    c.listCollections();
                    return c;
                }
                catch (RuntimeException e) {
                    c.close();
                    throw e;
                }
            }
            catch (RuntimeException e) {
                last = e;
                Thread.sleep(1000);
            }
        }
        throw new AssertionError("no vecgrid on " + addr + " within 180 s: " + last + "\n" + tail(out), last);
    }

    private static float[] vector(int i) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++)
            v[d] = (float)Math.sin(i * 0.37 + d * 1.3) * 10 + (i % 13) * 0.1f * d;
        return v;
    }

    private static boolean hasVecgridJar(Path home) throws Exception {
        try (Stream<Path> s = Files.walk(home)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("vecgrid-"));
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        assertTrue(Files.isDirectory(from), "no directory " + from);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                    Files.createDirectories(t);
                else
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String tail(File out) {
        try {
            List<String> lines = Files.readAllLines(out.toPath(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
        catch (Exception e) {
            return "(no output: " + e + ")";
        }
    }
}
