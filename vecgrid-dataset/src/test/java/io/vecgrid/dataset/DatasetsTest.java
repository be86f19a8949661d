package io.vecgrid.dataset;

import io.vecgrid.api.Metric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real data sets as tests and benchmarks see them (fetched and prepared on first use). */
class DatasetsTest {
    @Test
    void fashionMnist() {
        Dataset ds = Datasets.fashionMnist();
        assertEquals("fashion-mnist", ds.name());
        assertEquals(Metric.L2, ds.metric());
        assertEquals(784, ds.dim());
        assertEquals(60_000, ds.baseCount());
        assertEquals(10_000, ds.queryCount());
        float[] base = ds.loadBase(1000);
        assertEquals(1000 * 784, base.length);
        float max = 0;
        for (float v : base) {
            assertTrue(v >= 0 && v <= 255 && v == Math.rint(v), "raw pixel values 0..255");
            max = Math.max(max, v);
        }
        assertEquals(255f, max);
        assertEquals(3 * 784, ds.loadQueries(3).length);
        checkStoredGroundTruth(ds, 3);
    }

    @Test
    void glove100() throws IOException {
        Dataset ds = Datasets.glove100();
        assertEquals("glove-100", ds.name());
        assertEquals(Metric.COSINE, ds.metric());
        assertEquals(100, ds.dim());
        assertEquals(331_479, ds.baseCount());
        assertEquals(10_000, ds.queryCount());
        assertEquals(341_479, ds.baseCount() + ds.queryCount());
        List<String> qWords = Files.readAllLines(ds.dir().resolve("query.words.txt"), StandardCharsets.UTF_8);
        List<String> bWords = Files.readAllLines(ds.dir().resolve("base.words.txt"), StandardCharsets.UTF_8);
        assertEquals(10_000, qWords.size());
        assertEquals(331_479, bWords.size());
        assertEquals("the", bWords.get(0), "base keeps the words' original order");
        checkStoredGroundTruth(ds, 2);
    }

    /** The stored full ground truth agrees with a fresh computation over the whole base for the first queries. */
    private static void checkStoredGroundTruth(Dataset ds, int q) {
        int[][] stored = ds.loadGroundTruth(q);
        assertEquals(q, stored.length);
        assertEquals(100, stored[0].length);
        int n = ds.baseCount();
        int[][] fresh = GroundTruth.compute(ds.metric(), ds.loadBase(n), n, ds.loadQueries(q), q, ds.dim(), 100);
        for (int i = 0; i < q; i++) {
            int[] a = stored[i];
            int[] b = fresh[i];
            // Ids may swap only where distances tie to float precision; the top-10 must be identical as a set.
            java.util.Set<Integer> sa = new java.util.HashSet<>();
            java.util.Set<Integer> sb = new java.util.HashSet<>();
            for (int j = 0; j < 10; j++) {
                sa.add(a[j]);
                sb.add(b[j]);
            }
            assertEquals(sb, sa, ds.name() + " query " + i);
            assertTrue(GroundTruth.recall(new int[][] {b}, new int[][] {a}, 100) >= 0.99, ds.name() + " query " + i);
        }
        if (ds.metric() == Metric.L2)
            assertArrayEquals(fresh, stored, "integer pixels: L2 ground truth is exact");
    }

    @Test
    void layoutAndRepoRoot() {
        Path root = Datasets.findRepoRoot(Paths.get(""));
        assertNotNull(root, "tests run inside the repository");
        assertTrue(Files.isRegularFile(root.resolve(Datasets.SCRIPT)));
        Dataset ds = Datasets.byName(Datasets.FASHION_MNIST);
        assertEquals(Datasets.dataRoot().resolve("fashion-mnist").resolve("base.fvecs"), ds.baseFile());
        assertEquals(ds.dir().resolve("groundtruth-100.ivecs"), ds.groundTruthFile());
        assertThrows(IllegalArgumentException.class, () -> Datasets.byName("sift"));
    }
}
