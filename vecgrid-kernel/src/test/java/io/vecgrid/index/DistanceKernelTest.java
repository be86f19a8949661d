package io.vecgrid.index;

import io.vecgrid.api.Metric;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel against a double-precision reference, and its forms against each other bit for bit. */
class DistanceKernelTest {
    private static final int[] DIMS = {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 128, 784, 1000};

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = (float)rnd.nextGaussian();
        return v;
    }

    /** @return {reference distance, magnitude the float error scales with}. */
    private static double[] reference(Metric metric, float[] a, int aOff, float[] b, int bOff, int dim) {
        double dot = 0, aa = 0, bb = 0, l2 = 0, mag = 0;
        for (int i = 0; i < dim; i++) {
            double x = a[aOff + i], y = b[bOff + i];
            dot += x * y;
            aa += x * x;
            bb += y * y;
            l2 += (x - y) * (x - y);
            mag += Math.abs(x * y);
        }
        switch (metric) {
            case L2:
                return new double[] {l2, l2};
            case IP:
                return new double[] {dot, mag};
            default:
                return new double[] {aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb), 1};
        }
    }

    private static void checkAgainstReference(VectorKernel kernel, String name) {
        Random rnd = new Random(42);
        for (int dim : DIMS) {
            for (int trial = 0; trial < 20; trial++) {
                int aOff = rnd.nextInt(5), bOff = rnd.nextInt(5);
                float[] a = gaussian(rnd, aOff + dim + 3);
                float[] b = gaussian(rnd, bOff + dim + 2);
                for (Metric metric : Metric.values()) {
                    float got;
                    switch (metric) {
                        case L2:
                            got = kernel.squareDistance(a, aOff, VectorData.of(b), bOff, dim);
                            break;
                        case IP:
                            got = kernel.dot(a, aOff, VectorData.of(b), bOff, dim);
                            break;
                        default:
                            got = kernel.cosine(a, aOff, VectorData.of(b), bOff, dim);
                    }
                    double[] ref = reference(metric, a, aOff, b, bOff, dim);
                    double tol = 2e-6 * Math.sqrt(dim) * ref[1] + 1e-6;
                    assertEquals(ref[0], got, tol, name + " " + metric + " dim=" + dim + " trial=" + trial);
                }
            }
        }
    }

    private static boolean vectorModule() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** @return the kernels this JVM can run: the Panama one only with the module. */
    private static VectorKernel[] kernels() {
        if (!vectorModule())
            return new VectorKernel[] {new ScalarVectorKernel()};
        try {
            return new VectorKernel[] {
                (VectorKernel)Class.forName("io.vecgrid.index.PanamaVectorKernel").getDeclaredConstructor().newInstance(),
                new ScalarVectorKernel()};
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test void panamaKernelMatchesReference() {
        assertTrue(vectorModule(), "surefire runs tests with --add-modules=jdk.incubator.vector (see the parent pom)");
        checkAgainstReference(kernels()[0], "panama");
    }

    @Test void scalarKernelMatchesReference() {
        checkAgainstReference(new ScalarVectorKernel(), "scalar");
    }

    /** The graph walk's four-row reductions agree with the reference for each of the four rows, on every kernel. */
    @Test void fourRowReductionsMatchReference() {
        Random rnd = new Random(7);
        float[] out = new float[4];
        for (VectorKernel kernel : kernels()) {
            for (int dim : DIMS) {
                float[] q = gaussian(rnd, dim);
                float[] d = gaussian(rnd, 9 * dim);
                int[] off = {3 * dim, 0, 8 * dim, 5 * dim};
                for (Metric metric : new Metric[] {Metric.L2, Metric.IP}) {
                    if (metric == Metric.L2)
                        kernel.squareDistances4(q, VectorData.of(d), off[0], off[1], off[2], off[3], dim, out);
                    else
                        kernel.dots4(q, VectorData.of(d), off[0], off[1], off[2], off[3], dim, out);
                    for (int r = 0; r < 4; r++) {
                        double[] ref = reference(metric, q, 0, d, off[r], dim);
                        double tol = 2e-6 * Math.sqrt(dim) * ref[1] + 1e-6;
                        assertEquals(ref[0], out[r], tol, kernel.name() + " " + metric + " dim=" + dim + " row " + r);
                    }
                }
            }
        }
    }

    /**
     * A row's four-row key has the same bits in whichever of the four places it is scored (the reduction shares its
     * steps between the four rows): the walk compares keys of one row scored in different batches.
     */
    @Test void fourRowKeysDoNotDependOnTheRowsPlace() {
        Random rnd = new Random(11);
        float[] out = new float[4];
        float[] rev = new float[4];
        for (VectorKernel k : kernels()) {
            for (int dim : DIMS) {
                float[] q = gaussian(rnd, dim);
                VectorData d = VectorData.of(gaussian(rnd, 9 * dim));
                int o0 = 3 * dim, o1 = 0, o2 = 8 * dim, o3 = 5 * dim;
                for (boolean l2 : new boolean[] {true, false}) {
                    if (l2) {
                        k.squareDistances4(q, d, o0, o1, o2, o3, dim, out);
                        k.squareDistances4(q, d, o3, o2, o1, o0, dim, rev);
                    }
                    else {
                        k.dots4(q, d, o0, o1, o2, o3, dim, out);
                        k.dots4(q, d, o3, o2, o1, o0, dim, rev);
                    }
                    for (int r = 0; r < 4; r++) {
                        assertEquals(Float.floatToIntBits(out[r]), Float.floatToIntBits(rev[3 - r]),
                            k.name() + (l2 ? " L2" : " IP") + " dim=" + dim + " row " + r);
                    }
                }
            }
        }
    }

    /**
     * Every reduction reads a little-endian buffer (direct or heap, at any row offset) to exactly the bits it reads
     * the same floats from an array: one loop, one summation order, whatever holds the rows.
     */
    @Test void bufferRowsGiveTheSameBitsAsArrayRows() {
        Random rnd = new Random(23);
        float[] out = new float[4];
        float[] outBuf = new float[4];
        for (VectorKernel k : kernels()) {
            for (int dim : DIMS) {
                float[] q = gaussian(rnd, dim);
                float[] d = gaussian(rnd, 9 * dim);
                for (boolean direct : new boolean[] {true, false}) {
                    java.nio.ByteBuffer bytes = direct ? java.nio.ByteBuffer.allocateDirect(4 * d.length) : java.nio.ByteBuffer.allocate(4 * d.length);
                    bytes.order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(d);
                    bytes.order(java.nio.ByteOrder.BIG_ENDIAN); // The buffer's own order must not matter.
                    VectorData buf = VectorData.of(bytes, d.length, "test");
                    VectorData arr = VectorData.of(d);
                    String msg = k.name() + (direct ? " direct" : " heap") + " dim=" + dim;
                    for (int r = 0; r < 9; r++) {
                        int off = r * dim;
                        assertEquals(Float.floatToIntBits(k.dot(q, 0, arr, off, dim)), Float.floatToIntBits(k.dot(q, 0, buf, off, dim)), msg);
                        assertEquals(Float.floatToIntBits(k.squareDistance(q, 0, arr, off, dim)),
                            Float.floatToIntBits(k.squareDistance(q, 0, buf, off, dim)), msg);
                        assertEquals(Float.floatToIntBits(k.cosine(q, 0, arr, off, dim)), Float.floatToIntBits(k.cosine(q, 0, buf, off, dim)), msg);
                    }
                    k.squareDistances4(q, arr, 3 * dim, 0, 8 * dim, 5 * dim, dim, out);
                    k.squareDistances4(q, buf, 3 * dim, 0, 8 * dim, 5 * dim, dim, outBuf);
                    assertArrayEquals(out, outBuf, msg);
                    k.dots4(q, arr, 3 * dim, 0, 8 * dim, 5 * dim, dim, out);
                    k.dots4(q, buf, 3 * dim, 0, 8 * dim, 5 * dim, dim, outBuf);
                    assertArrayEquals(out, outBuf, msg);
                }
            }
        }
    }

    @Test void kernelInUseIsVectorizedWhenModulePresent() {
        boolean present = vectorModule();
        assertEquals(present, DistanceKernel.implementation().startsWith("panama"), DistanceKernel.implementation());
    }

    @Test void publicDistanceMatchesReference() {
        Random rnd = new Random(7);
        for (int dim : DIMS) {
            float[] q = gaussian(rnd, dim);
            float[] d = gaussian(rnd, dim);
            for (Metric metric : Metric.values()) {
                double[] ref = reference(metric, q, 0, d, 0, dim);
                assertEquals(ref[0], DistanceKernel.distance(metric, q, 0, d, 0, dim), 2e-6 * Math.sqrt(dim) * ref[1] + 1e-6,
                    metric + " dim=" + dim);
            }
        }
    }

    @Test void cosineOfZeroVectorIsZeroAndIdenticalVectorsGiveOne() {
        for (int dim : DIMS) {
            float[] z = new float[dim];
            float[] v = gaussian(new Random(dim), dim);
            assertEquals(0f, DistanceKernel.distance(Metric.COSINE, z, 0, v, 0, dim));
            assertEquals(0f, DistanceKernel.distance(Metric.COSINE, v, 0, z, 0, dim));
            assertEquals(0f, DistanceKernel.distance(Metric.COSINE, z, 0, z, 0, dim));
            assertEquals(1f, DistanceKernel.distance(Metric.COSINE, v, 0, v, 0, dim), 1e-6f);
            assertTrue(DistanceKernel.distance(Metric.COSINE, v, 0, v, 0, dim) <= 1f);
            assertEquals(0f, DistanceKernel.distance(Metric.L2, v, 0, v, 0, dim));
        }
    }

    /** The flat scan keeps row norms and combines them: that must give the same bits as distance(COSINE). */
    @Test void cosineEqualsCombinedDotsExactly() {
        Random rnd = new Random(3);
        for (int dim : DIMS) {
            for (int t = 0; t < 10; t++) {
                float[] a = gaussian(rnd, dim);
                float[] b = gaussian(rnd, dim);
                float combined = DistanceKernel.cosine(DistanceKernel.dot(a, 0, b, 0, dim), DistanceKernel.dot(a, 0, a, 0, dim),
                    DistanceKernel.dot(b, 0, b, 0, dim));
                assertEquals(Float.floatToIntBits(combined), Float.floatToIntBits(DistanceKernel.distance(Metric.COSINE, a, 0, b, 0, dim)), "dim=" + dim);
                for (VectorKernel k : kernels()) {
                    VectorData av = VectorData.of(a), bv = VectorData.of(b);
                    float c = DistanceKernel.cosine(k.dot(a, 0, bv, 0, dim), k.dot(a, 0, av, 0, dim), k.dot(b, 0, bv, 0, dim));
                    assertEquals(Float.floatToIntBits(c), Float.floatToIntBits(k.cosine(a, 0, bv, 0, dim)), k.name() + " dim=" + dim);
                }
            }
        }
    }

    @Test void oneQueryAndBatchedFormsEqualSingleDistanceExactly() {
        Random rnd = new Random(11);
        for (int dim : new int[] {1, 7, 16, 17, 100, 784}) {
            int rows = 3000 / dim + 37;
            int nq = 5;
            float[] data = gaussian(rnd, rows * dim);
            float[] queries = gaussian(rnd, nq * dim);
            for (Metric metric : Metric.values()) {
                float[] one = new float[rows];
                DistanceKernel.distances(metric, queries, data, rows, dim, one);
                float[] batch = new float[nq * rows];
                DistanceKernel.distances(metric, queries, nq, data, rows, dim, batch);
                for (int r = 0; r < rows; r++) {
                    assertEquals(DistanceKernel.distance(metric, queries, 0, data, r * dim, dim), one[r], 0f, metric + " row " + r);
                    for (int qi = 0; qi < nq; qi++) {
                        float single = DistanceKernel.distance(metric, queries, qi * dim, data, r * dim, dim);
                        assertEquals(Float.floatToIntBits(single), Float.floatToIntBits(batch[qi * rows + r]),
                            metric + " dim=" + dim + " q=" + qi + " row=" + r);
                    }
                }
            }
        }
    }

    @Test void largeBatchCrossesBlocks() {
        Random rnd = new Random(5);
        int dim = 128, rows = 1000, nq = 3;
        float[] data = gaussian(rnd, rows * dim);
        float[] queries = gaussian(rnd, nq * dim);
        float[] out = new float[nq * rows];
        DistanceKernel.distances(Metric.L2, queries, nq, data, rows, dim, out);
        for (int qi = 0; qi < nq; qi++) {
            for (int r = 0; r < rows; r++) {
                double[] ref = reference(Metric.L2, queries, qi * dim, data, r * dim, dim);
                assertEquals(ref[0], out[qi * rows + r], 1e-5 * ref[0] + 1e-6);
            }
        }
    }
}
