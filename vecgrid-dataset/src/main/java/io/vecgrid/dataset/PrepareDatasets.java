package io.vecgrid.dataset;

import io.vecgrid.api.Metric;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Random;

/**
 * Converts the raw downloads into fvecs/ivecs and computes the full ground truth; called by
 * {@code scripts/fetch-datasets.sh}. Each output is written to a temporary name and renamed, so an existing file is
 * complete; outputs that exist are skipped.
 *
 * <pre>
 * PrepareDatasets fashion-mnist TRAIN_IMAGES_IDX[.gz] TEST_IMAGES_IDX[.gz] OUT_DIR
 * PrepareDatasets glove-100 JSON_FILE|- OUT_DIR        (- reads the JSON from standard input)
 * </pre>
 *
 * Fashion-MNIST: the 60,000 training images are the base, the 10,000 test images the queries (ann-benchmarks'
 * split), raw pixel values as floats, L2. GloVe-100: {@value #GLOVE_QUERIES} words drawn with
 * {@code new java.util.Random(}{@value #GLOVE_SEED}{@code )} by a partial Fisher-Yates shuffle of the word indexes
 * become the queries (in draw order); the remaining words, in their original order, are the base; COSINE.
 * {@code base.words.txt}/{@code query.words.txt} name the word of each row.
 */
public final class PrepareDatasets {
    /** Queries held out of GloVe. */
    public static final int GLOVE_QUERIES = 10_000;

    /** Seed of the GloVe hold-out. */
    public static final long GLOVE_SEED = 42L;

    private PrepareDatasets() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals(Datasets.FASHION_MNIST))
            fashionMnist(Paths.get(args[1]), Paths.get(args[2]), Paths.get(args[3]));
        else if (args.length == 3 && args[0].equals(Datasets.GLOVE_100))
            glove(args[1], Paths.get(args[2]));
        else {
            System.err.println("usage: PrepareDatasets fashion-mnist TRAIN_IMAGES_IDX TEST_IMAGES_IDX OUT_DIR\n"
                + "       PrepareDatasets glove-100 JSON_FILE|- OUT_DIR");
            System.exit(2);
        }
    }

    static void fashionMnist(Path train, Path test, Path out) throws IOException {
        Files.createDirectories(out);
        Path baseF = out.resolve("base.fvecs");
        Path queryF = out.resolve("query.fvecs");
        float[] base = null;
        float[] queries = null;
        int dim = 784;
        if (!Files.exists(baseF) || !Files.exists(queryF)) {
            long t0 = System.nanoTime();
            IdxReader.Images tr = IdxReader.readImages(train, -1);
            IdxReader.Images te = IdxReader.readImages(test, -1);
            if (tr.dim() != dim || te.dim() != dim)
                throw new VecsFormatException(train, "expected 28x28 images, got " + tr.rows() + "x" + tr.cols()
                    + " and " + te.rows() + "x" + te.cols());
            log("fashion-mnist: read " + tr.count() + " train and " + te.count() + " test images in " + secs(t0));
            base = tr.data();
            queries = te.data();
            dropStaleGroundTruth(out);
            writeFvecs(baseF, base, tr.count(), dim);
            writeFvecs(queryF, queries, te.count(), dim);
        }
        else
            log("fashion-mnist: " + baseF + " and " + queryF + " exist, skipping conversion");
        groundTruth("fashion-mnist", Metric.L2, dim, baseF, queryF, base, queries, out);
    }

    static void glove(String json, Path out) throws IOException {
        Files.createDirectories(out);
        Path baseF = out.resolve("base.fvecs");
        Path queryF = out.resolve("query.fvecs");
        float[] base = null;
        float[] queries = null;
        int dim = 100;
        if (!Files.exists(baseF) || !Files.exists(queryF)) {
            long t0 = System.nanoTime();
            GloveJson.Embeddings emb;
            if (json.equals("-")) {
                InputStream in = System.in;
                emb = GloveJson.read(in, "<stdin: GloVe JSON>");
            }
            else
                emb = GloveJson.read(Paths.get(json));
            if (emb.dim() != dim)
                throw new IllegalStateException("GloVe JSON has dimension " + emb.dim() + ", expected " + dim);
            int n = emb.size();
            log("glove-100: parsed " + n + " words of dimension " + emb.dim() + " in " + secs(t0));
            int zero = 0;
            float[] v = emb.vectors();
            for (int i = 0; i < n; i++) {
                boolean allZero = true;
                for (int j = 0; j < dim && allZero; j++)
                    allZero = v[i * dim + j] == 0;
                if (allZero)
                    zero++;
            }
            if (zero > 0)
                throw new IllegalStateException("GloVe JSON has " + zero + " all-zero vectors: COSINE is undefined for them");

            int q = GLOVE_QUERIES;
            int[] perm = new int[n];
            for (int i = 0; i < n; i++)
                perm[i] = i;
            Random rnd = new Random(GLOVE_SEED);
            for (int i = 0; i < q; i++) {
                int j = i + rnd.nextInt(n - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            boolean[] isQuery = new boolean[n];
            queries = new float[q * dim];
            String[] qWords = new String[q];
            for (int i = 0; i < q; i++) {
                isQuery[perm[i]] = true;
                System.arraycopy(v, perm[i] * dim, queries, i * dim, dim);
                qWords[i] = emb.words()[perm[i]];
            }
            int nb = n - q;
            base = new float[nb * dim];
            String[] bWords = new String[nb];
            for (int i = 0, b = 0; i < n; i++) {
                if (!isQuery[i]) {
                    System.arraycopy(v, i * dim, base, b * dim, dim);
                    bWords[b++] = emb.words()[i];
                }
            }
            dropStaleGroundTruth(out);
            writeWords(out.resolve("base.words.txt"), bWords);
            writeWords(out.resolve("query.words.txt"), qWords);
            writeFvecs(baseF, base, nb, dim);
            writeFvecs(queryF, queries, q, dim);
            log("glove-100: " + nb + " base and " + q + " query vectors written (hold-out seed " + GLOVE_SEED + ")");
        }
        else
            log("glove-100: " + baseF + " and " + queryF + " exist, skipping conversion");
        groundTruth("glove-100", Metric.COSINE, dim, baseF, queryF, base, queries, out);
    }

    private static void groundTruth(String name, Metric metric, int dim, Path baseF, Path queryF, float[] base,
        float[] queries, Path out) throws IOException {
        Path gtF = out.resolve("groundtruth-" + Dataset.GROUND_TRUTH_K + ".ivecs");
        if (Files.exists(gtF)) {
            log(name + ": " + gtF + " exists, skipping ground truth");
            return;
        }
        int n = Math.toIntExact(Fvecs.count(baseF));
        int q = Math.toIntExact(Fvecs.count(queryF));
        if (base == null)
            base = Fvecs.read(baseF, n, dim);
        if (queries == null)
            queries = Fvecs.read(queryF, q, dim);
        int threads = Runtime.getRuntime().availableProcessors();
        log(name + ": exact top-" + Dataset.GROUND_TRUTH_K + " of " + q + " queries among " + n + " base vectors ("
            + metric + ", " + threads + " threads); this takes a few minutes");
        long t0 = System.nanoTime();
        int step = Math.max(1, q / 20);
        int[] nextReport = {step};
        int[][] gt = GroundTruth.compute(metric, base, n, queries, q, dim, Dataset.GROUND_TRUTH_K, threads, done -> {
            if (done >= nextReport[0] && done < q) {
                double s = (System.nanoTime() - t0) / 1e9;
                log(String.format("%s: ground truth %d/%d queries, %.0fs elapsed, ~%.0fs left", name, done, q, s,
                    s * (q - done) / done));
                nextReport[0] = (done / step + 1) * step;
            }
        });
        Path tmp = tmp(gtF);
        Ivecs.write(tmp, gt);
        move(tmp, gtF);
        log(name + ": ground truth written to " + gtF + " in " + secs(t0));
    }

    /** Base or queries are being (re)written: a ground truth left from before no longer vouches for them. */
    private static void dropStaleGroundTruth(Path out) throws IOException {
        if (Files.deleteIfExists(out.resolve("groundtruth-" + Dataset.GROUND_TRUTH_K + ".ivecs")))
            log("removed the ground truth of the previous vectors in " + out);
    }

    private static void writeFvecs(Path file, float[] data, int n, int dim) throws IOException {
        Path tmp = tmp(file);
        Fvecs.write(tmp, data, n, dim);
        move(tmp, file);
        log("wrote " + file + " (" + n + " x " + dim + ", " + Files.size(file) + " bytes)");
    }

    private static void writeWords(Path file, String[] words) throws IOException {
        Path tmp = tmp(file);
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (String s : words) {
                w.write(s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"));
                w.write('\n');
            }
        }
        move(tmp, file);
    }

    private static Path tmp(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".tmp");
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String secs(long t0) {
        return String.format("%.1fs", (System.nanoTime() - t0) / 1e9);
    }

    private static void log(String msg) {
        System.out.println("[prepare] " + msg);
        System.out.flush();
    }
}
