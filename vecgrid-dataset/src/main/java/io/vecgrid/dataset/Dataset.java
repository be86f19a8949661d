package io.vecgrid.dataset;

import io.vecgrid.api.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One prepared real data set in the local cache (see {@link Datasets}): base vectors, held-out query vectors and the
 * exact top-{@value #GROUND_TRUTH_K} neighbours of every query among all base vectors.
 *
 * <p>Files in {@link #dir()}: {@code base.fvecs}, {@code query.fvecs}, {@code groundtruth-100.ivecs} (row {@code i} =
 * base indexes of query {@code i}'s neighbours, closest first, ties by smaller index). Loaders return prefixes: the
 * first {@code n} base vectors, the first {@code q} queries, contiguous ({@code float[n * dim]}). For a prefix of the
 * base the full ground truth does not apply: use {@link #groundTruth(int, int, int)}.
 *
 * <p>IO errors surface as {@link UncheckedIOException} so tests and benchmarks can call these directly.
 */
public final class Dataset {
    /** Neighbours per query in {@code groundtruth-100.ivecs}. */
    public static final int GROUND_TRUTH_K = 100;

    private final String name;

    private final Metric metric;

    private final int dim;

    private final Path dir;

    Dataset(String name, Metric metric, int dim, Path dir) {
        this.name = name;
        this.metric = metric;
        this.dim = dim;
        this.dir = dir;
    }

    /** @return name, also the cache sub-directory: {@code fashion-mnist} or {@code glove-100}. */
    public String name() {
        return name;
    }

    /** @return the metric the ground truth was computed with. */
    public Metric metric() {
        return metric;
    }

    /** @return dimension of every vector. */
    public int dim() {
        return dim;
    }

    /** @return directory holding the files. */
    public Path dir() {
        return dir;
    }

    /** @return {@code base.fvecs}. */
    public Path baseFile() {
        return dir.resolve("base.fvecs");
    }

    /** @return {@code query.fvecs}. */
    public Path queryFile() {
        return dir.resolve("query.fvecs");
    }

    /** @return {@code groundtruth-100.ivecs}. */
    public Path groundTruthFile() {
        return dir.resolve("groundtruth-" + GROUND_TRUTH_K + ".ivecs");
    }

    /** @return neighbours per query in the ground-truth file ({@value #GROUND_TRUTH_K}). */
    public int groundTruthK() {
        return GROUND_TRUTH_K;
    }

    /** @return number of base vectors. */
    public int baseCount() {
        return count(baseFile());
    }

    /** @return number of query vectors. */
    public int queryCount() {
        return count(queryFile());
    }

    /** @return the first {@code n} base vectors, {@code float[n * dim]}. */
    public float[] loadBase(int n) {
        return load(baseFile(), n);
    }

    /** @return all base vectors. */
    public float[] loadBase() {
        return loadBase(baseCount());
    }

    /** @return the first {@code q} query vectors, {@code float[q * dim]}. */
    public float[] loadQueries(int q) {
        return load(queryFile(), q);
    }

    /** @return all query vectors. */
    public float[] loadQueries() {
        return loadQueries(queryCount());
    }

    /**
     * @param q number of queries (a prefix).
     * @return exact top-{@value #GROUND_TRUTH_K} base indexes of each of the first {@code q} queries against the
     *     <em>whole</em> base, closest first.
     */
    public int[][] loadGroundTruth(int q) {
        try {
            return Ivecs.readRows(groundTruthFile(), q, GROUND_TRUTH_K);
        }
        catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read ground truth", e);
        }
    }

    /**
     * Exact top-{@code k} of the first {@code q} queries among the first {@code n} base vectors, computed in memory
     * on all cores with the project's distance kernel (for tests on a subset).
     */
    public int[][] groundTruth(int n, int q, int k) {
        return GroundTruth.compute(metric, loadBase(n), n, loadQueries(q), q, dim, k);
    }

    private float[] load(Path file, int n) {
        try {
            return Fvecs.read(file, n, dim);
        }
        catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read " + n + " vectors", e);
        }
    }

    private int count(Path file) {
        try {
            return Math.toIntExact(Fvecs.count(file));
        }
        catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot count vectors", e);
        }
    }

    @Override public String toString() {
        return "Dataset[" + name + ", " + metric + ", dim " + dim + ", " + dir + "]";
    }
}
