package io.vecgrid.index;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernel on {@code jdk.incubator.vector}. Stateless, thread-safe. Loaded only by reflection from
 * {@link DistanceKernel}, after it has seen the module in the boot layer, so no other class links against it.
 *
 * <p>Summation order, fixed so that every caller gets the same bits: full vectors of {@code L} lanes go to four
 * accumulators in turn (chunk {@code j} into accumulator {@code j mod 4}) while four full chunks remain, then any
 * remaining full chunks into accumulator 0; the accumulators are combined as {@code (a0 + a1) + (a2 + a3)}, reduced
 * lane by lane in lane order ({@link #sumLanes}), and the scalar tail is added in order. Vectors shorter than one
 * chunk take the scalar path. The four-row kernels of the graph walk ({@link #squareDistances4}, {@link #dots4}) keep
 * one accumulator per row, add a tail of at least half a vector into it with one half-width step, reduce it as a
 * pairwise tree ({@link #treeSum}, or {@link #treeSum4} for four 8-lane accumulators at once, with the same bits) and
 * add the scalar remainder: also a fixed order, but another one, so their sums may differ in the last bits from the
 * single-row reductions (the walk only compares them). On GloVe-100 (100-d, cosine) the half-width tail step and the
 * shared reduction cut the CPU of an HNSW build by 9% on JDK 25 and 17% on JDK 17 (100,000 rows, M 16,
 * efConstruction 200, alternating rounds).
 */
final class PanamaVectorKernel implements VectorKernel {
    /**
     * The preferred species capped at {@code vecgrid.kernel.maxBits} (default 256): on AVX-512 hosts 256-bit vectors
     * measured 10-20% faster for dimensions up to ~128 (shorter lane reduction) and equal above.
     */
    private static final VectorSpecies<Float> SPECIES = pickSpecies();
    private static final int L = SPECIES.length();

    private static VectorSpecies<Float> pickSpecies() {
        int maxBits = Integer.getInteger("vecgrid.kernel.maxBits", 256);
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (preferred.vectorBitSize() <= maxBits)
            return preferred;
        if (maxBits >= 256)
            return FloatVector.SPECIES_256;
        return FloatVector.SPECIES_128;
    }


    /**
     * {@code FloatVector.fromMemorySegment(SPECIES, segment, byteOffset, LITTLE_ENDIAN)} typed
     * {@code (Object, long)FloatVector}, on JDK 19 and later, where {@code fromByteBuffer} is gone; {@code null} before.
     * A constant (static final) method handle: C2 inlines through it as through a direct call.
     */
    private static final MethodHandle FROM_SEGMENT = fromSegmentHandle(SPECIES);
    private static final boolean SEGMENTS = FROM_SEGMENT != null;

    /**
     * Half of {@link #SPECIES} (128 bits for 256), or {@code null} below 256 bits: the four-row kernels take one
     * half-width step over a tail of at least {@code H} floats before the scalar remainder, so a 100-d row (GloVe-100:
     * 12 full 8-lane chunks and 4 floats) costs one vector step for its tail where it cost four scalar ones per row.
     */
    private static final VectorSpecies<Float> HALF = L >= 8
        ? VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(SPECIES.vectorBitSize() / 2)) : null;
    private static final int H = HALF == null ? Integer.MAX_VALUE : HALF.length();
    private static final MethodHandle FROM_SEGMENT_HALF = HALF == null ? null : fromSegmentHandle(HALF);

    private static MethodHandle fromSegmentHandle(VectorSpecies<Float> species) {
        if (Runtime.version().feature() < 19)
            return null;
        if (VectorData.SEGMENT_OF_BUFFER == null)
            throw new IllegalStateException("JDK " + Runtime.version().feature() + ": no FloatVector.fromByteBuffer and no usable "
                + "MemorySegment.ofBuffer; the scalar kernel takes over");
        try {
            Class<?> ms = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandle mh = MethodHandles.publicLookup().findStatic(FloatVector.class, "fromMemorySegment",
                MethodType.methodType(FloatVector.class, VectorSpecies.class, ms, long.class, ByteOrder.class));
            mh = MethodHandles.insertArguments(mh, 3, ByteOrder.LITTLE_ENDIAN);
            mh = MethodHandles.insertArguments(mh, 0, species);
            return mh.asType(MethodType.methodType(FloatVector.class, Object.class, long.class));
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JDK " + Runtime.version().feature() + " has neither FloatVector.fromByteBuffer nor "
                + "fromMemorySegment", e);
        }
    }

    /**
     * Loads {@code L} floats of a {@link VectorData} at float {@code base + i}: the one place where the storage kind
     * matters. {@code a}/{@code b}/{@code s} are the data's fields read into locals by the caller, so the test is
     * loop-invariant (predicted, or unswitched by C2) and the loop around it is written once for both kinds.
     */
    private static FloatVector row(float[] a, ByteBuffer b, Object s, int base, int i) {
        if (a != null)
            return FloatVector.fromArray(SPECIES, a, base + i);
        if (SEGMENTS) {
            // Byte offset as (invariant base) + (widened induction variable): C2 then forms the address from the loop
            // counter directly. Widening (base + i) instead, per load, measured 15-20% slower on random 784-d rows.
            return fromSegment(s, ((long)base << 2) + ((long)i << 2));
        }
        return FloatVector.fromByteBuffer(SPECIES, b, (base + i) << 2, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@link #row} for {@link #HALF}. */
    private static FloatVector rowHalf(float[] a, ByteBuffer b, Object s, int base, int i) {
        if (a != null)
            return FloatVector.fromArray(HALF, a, base + i);
        if (SEGMENTS) {
            try {
                return (FloatVector)FROM_SEGMENT_HALF.invokeExact(s, ((long)base << 2) + ((long)i << 2));
            }
            catch (RuntimeException | Error e) {
                throw e;
            }
            catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        return FloatVector.fromByteBuffer(HALF, b, (base + i) << 2, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code v} of {@link #HALF} as a {@link #SPECIES} vector whose upper lanes are zero. */
    private static FloatVector widen(FloatVector v) {
        return (FloatVector)v.reinterpretShape(SPECIES, 0);
    }

    private static FloatVector fromSegment(Object s, long byteOffset) {
        try {
            return (FloatVector)FROM_SEGMENT.invokeExact(s, byteOffset);
        }
        catch (RuntimeException | Error e) {
            throw e;
        }
        catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * True where C2's {@code reduceLanes(ADD)} is known to sum lane by lane from 0, like the Vector API's Java
     * fallback (JDK 17: measured bit for bit against {@link #sumLanes}'s loop); elsewhere the loop runs.
     */
    private static final boolean REDUCE_IN_LANE_ORDER = Runtime.version().feature() == 17;

    /**
     * Sum of the lanes in lane order from 0, {@code ((0 + v[0]) + v[1]) + ...}: what {@code reduceLanes(ADD)} computes
     * in the Vector API's Java fallback and in C2 on JDK 17, where it is used as is. Elsewhere the lanes are added one
     * by one: the API leaves the float order of {@code reduceLanes} open, and on JDK 25 C2-compiled code sums in
     * another order than the interpreter, so the same distance came out in different last bits depending on whether
     * the caller had been compiled yet (FLAT results differed from {@link DistanceKernel#distance}). The loop has a
     * constant trip count and is unrolled; it costs about 2 ns per row over {@code reduceLanes} on JDK 25.
     */
    private static float sumLanes(FloatVector v) {
        if (REDUCE_IN_LANE_ORDER)
            return v.reduceLanes(VectorOperators.ADD);
        float s = 0;
        for (int i = 0; i < L; i++)
            s += v.lane(i);
        return s;
    }

    /** Lane {@code i} takes lane {@code i ^ k} (for {@code k < L}): the steps of {@link #treeSum}. */
    private static final VectorShuffle<Float> X8 = xor(8);
    private static final VectorShuffle<Float> X4 = xor(4);
    private static final VectorShuffle<Float> X2 = xor(2);
    private static final VectorShuffle<Float> X1 = xor(1);

    private static VectorShuffle<Float> xor(int k) {
        return VectorShuffle.fromOp(SPECIES, i -> k < L ? i ^ k : i);
    }

    /**
     * Sum of the lanes as a pairwise tree (each step adds the vector to itself with halves swapped; lane 0 then holds
     * the sum): a fixed order, so the same bits whether compiled or not, and a few vector instructions where
     * {@link #sumLanes} takes one per lane. For the four-row kernels only, whose sums the graph walk compares and never
     * returns: a 100-d walk (GloVe-100) measured 9-35% more queries per CPU-second with it than with lane-order sums
     * (JDK 25 and 17, ef 64 and 384). Species wider than 16 lanes (not chosen on x86) keep the lane-order sum.
     */
    private static float treeSum(FloatVector v) {
        if (L > 16)
            return sumLanes(v);
        if (L >= 16)
            v = v.add(v.rearrange(X8));
        if (L >= 8)
            v = v.add(v.rearrange(X4));
        if (L >= 4)
            v = v.add(v.rearrange(X2));
        return v.add(v.rearrange(X1)).lane(0);
    }

    /** Lanes 4-7 of an 8-lane vector; lanes 2, 3, 6 and 7. The blends of {@link #treeSum4}. */
    private static final VectorMask<Float> UPPER = L == 8 ? VectorMask.fromLong(SPECIES, 0xF0) : null;
    private static final VectorMask<Float> ODD_PAIRS = L == 8 ? VectorMask.fromLong(SPECIES, 0xCC) : null;

    /**
     * The lane sums of four 8-lane vectors at once, for the four-row kernels: each step halves every vector as
     * {@link #treeSum} does (adding it to itself with halves swapped leaves each sum twice), and blends put two
     * vectors' halves into one, so the four trees share their steps: 8 swaps, 7 adds and 3 blends where four
     * {@link #treeSum}s take 12 swaps and 12 adds. Every row's lanes are added in the same pairs as {@link #treeSum}
     * adds them, so each sum has the same bits. @return a vector whose lanes 0, 4, 2 and 6 hold the sums of
     * {@code a0}, {@code a1}, {@code a2} and {@code a3}.
     */
    private static FloatVector treeSum4(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        FloatVector b0 = a0.add(a0.rearrange(X4));
        FloatVector b1 = a1.add(a1.rearrange(X4));
        FloatVector b2 = a2.add(a2.rearrange(X4));
        FloatVector b3 = a3.add(a3.rearrange(X4));
        FloatVector c01 = b0.blend(b1, UPPER);
        FloatVector c23 = b2.blend(b3, UPPER);
        c01 = c01.add(c01.rearrange(X2));
        c23 = c23.add(c23.rearrange(X2));
        FloatVector e = c01.blend(c23, ODD_PAIRS);
        return e.add(e.rearrange(X1));
    }

    /** One float of a {@link VectorData}, as {@link #row} (scalar tails). */
    private static float at(float[] a, ByteBuffer b, int i) {
        return a != null ? a[i] : b.getFloat(i << 2);
    }

    @Override public float dot(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return dot(a, aOff, b, bOff, dim, false);
    }

    @Override public float dotWalk(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return dot(a, aOff, b, bOff, dim, true);
    }

    /** @param tree reduce the lanes as {@link #treeSum} (the walk's keys) rather than in lane order; a constant per caller. */
    private static float dot(float[] a, int aOff, VectorData b, int bOff, int dim, boolean tree) {
        float[] ba = b.array;
        ByteBuffer bb = b.buffer;
        Object bs = b.segment;
        int i = 0;
        float s = 0;
        if (dim >= L) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            FloatVector acc2 = FloatVector.zero(SPECIES);
            FloatVector acc3 = FloatVector.zero(SPECIES);
            int bound4 = dim - dim % (4 * L);
            for (; i < bound4; i += 4 * L) {
                acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(row(ba, bb, bs, bOff, i), acc0);
                acc1 = FloatVector.fromArray(SPECIES, a, aOff + i + L).fma(row(ba, bb, bs, bOff, i + L), acc1);
                acc2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * L).fma(row(ba, bb, bs, bOff, i + 2 * L), acc2);
                acc3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * L).fma(row(ba, bb, bs, bOff, i + 3 * L), acc3);
            }
            int bound1 = dim - dim % L;
            for (; i < bound1; i += L)
                acc0 = FloatVector.fromArray(SPECIES, a, aOff + i).fma(row(ba, bb, bs, bOff, i), acc0);
            FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
            s = tree ? treeSum(acc) : sumLanes(acc);
        }
        for (; i < dim; i++)
            s += a[aOff + i] * at(ba, bb, bOff + i);
        return s;
    }

    @Override public float squareDistance(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return squareDistance(a, aOff, b, bOff, dim, false);
    }

    @Override public float squareDistanceWalk(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return squareDistance(a, aOff, b, bOff, dim, true);
    }

    /** @param tree as in {@link #dot(float[], int, VectorData, int, int, boolean)}. */
    private static float squareDistance(float[] a, int aOff, VectorData b, int bOff, int dim, boolean tree) {
        float[] ba = b.array;
        ByteBuffer bb = b.buffer;
        Object bs = b.segment;
        int i = 0;
        float s = 0;
        if (dim >= L) {
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            FloatVector acc2 = FloatVector.zero(SPECIES);
            FloatVector acc3 = FloatVector.zero(SPECIES);
            int bound4 = dim - dim % (4 * L);
            for (; i < bound4; i += 4 * L) {
                FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOff + i).sub(row(ba, bb, bs, bOff, i));
                FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOff + i + L).sub(row(ba, bb, bs, bOff, i + L));
                FloatVector d2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * L).sub(row(ba, bb, bs, bOff, i + 2 * L));
                FloatVector d3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * L).sub(row(ba, bb, bs, bOff, i + 3 * L));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            int bound1 = dim - dim % L;
            for (; i < bound1; i += L) {
                FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + i).sub(row(ba, bb, bs, bOff, i));
                acc0 = d.fma(d, acc0);
            }
            FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
            s = tree ? treeSum(acc) : sumLanes(acc);
        }
        for (; i < dim; i++) {
            float d = a[aOff + i] - at(ba, bb, bOff + i);
            s += d * d;
        }
        return s;
    }

    @Override public float cosine(float[] a, int aOff, VectorData b, int bOff, int dim) {
        float[] ba = b.array;
        ByteBuffer bb = b.buffer;
        Object bs = b.segment;
        int i = 0;
        float dot = 0, aa = 0, bbs = 0;
        if (dim >= L) {
            // Same chunk-to-accumulator assignment as dot(), once per sum: the three results equal dot(a, b),
            // dot(a, a) and dot(b, b) bit for bit.
            FloatVector d0 = FloatVector.zero(SPECIES), d1 = d0, d2 = d0, d3 = d0;
            FloatVector x0 = d0, x1 = d0, x2 = d0, x3 = d0;
            FloatVector y0 = d0, y1 = d0, y2 = d0, y3 = d0;
            int bound4 = dim - dim % (4 * L);
            for (; i < bound4; i += 4 * L) {
                FloatVector va0 = FloatVector.fromArray(SPECIES, a, aOff + i);
                FloatVector vb0 = row(ba, bb, bs, bOff, i);
                FloatVector va1 = FloatVector.fromArray(SPECIES, a, aOff + i + L);
                FloatVector vb1 = row(ba, bb, bs, bOff, i + L);
                FloatVector va2 = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * L);
                FloatVector vb2 = row(ba, bb, bs, bOff, i + 2 * L);
                FloatVector va3 = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * L);
                FloatVector vb3 = row(ba, bb, bs, bOff, i + 3 * L);
                d0 = va0.fma(vb0, d0);
                d1 = va1.fma(vb1, d1);
                d2 = va2.fma(vb2, d2);
                d3 = va3.fma(vb3, d3);
                x0 = va0.fma(va0, x0);
                x1 = va1.fma(va1, x1);
                x2 = va2.fma(va2, x2);
                x3 = va3.fma(va3, x3);
                y0 = vb0.fma(vb0, y0);
                y1 = vb1.fma(vb1, y1);
                y2 = vb2.fma(vb2, y2);
                y3 = vb3.fma(vb3, y3);
            }
            int bound1 = dim - dim % L;
            for (; i < bound1; i += L) {
                FloatVector va = FloatVector.fromArray(SPECIES, a, aOff + i);
                FloatVector vb = row(ba, bb, bs, bOff, i);
                d0 = va.fma(vb, d0);
                x0 = va.fma(va, x0);
                y0 = vb.fma(vb, y0);
            }
            dot = sumLanes(d0.add(d1).add(d2.add(d3)));
            aa = sumLanes(x0.add(x1).add(x2.add(x3)));
            bbs = sumLanes(y0.add(y1).add(y2.add(y3)));
        }
        for (; i < dim; i++) {
            float x = a[aOff + i], y = at(ba, bb, bOff + i);
            dot += x * y;
            aa += x * x;
            bbs += y * y;
        }
        return DistanceKernel.cosine(dot, aa, bbs);
    }

    /** One accumulator per row: four independent chains, the query chunk loaded once for all four rows. */
    @Override public void squareDistances4(float[] q, VectorData d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        float[] da = d.array;
        ByteBuffer db = d.buffer;
        Object ds = d.segment;
        int i = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (dim >= L) {
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
            int bound = dim - dim % L;
            for (; i < bound; i += L) {
                FloatVector qv = FloatVector.fromArray(SPECIES, q, i);
                FloatVector d0 = qv.sub(row(da, db, ds, o0, i));
                FloatVector d1 = qv.sub(row(da, db, ds, o1, i));
                FloatVector d2 = qv.sub(row(da, db, ds, o2, i));
                FloatVector d3 = qv.sub(row(da, db, ds, o3, i));
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            if (dim - i >= H) {
                FloatVector qv = FloatVector.fromArray(HALF, q, i);
                FloatVector d0 = qv.sub(rowHalf(da, db, ds, o0, i));
                FloatVector d1 = qv.sub(rowHalf(da, db, ds, o1, i));
                FloatVector d2 = qv.sub(rowHalf(da, db, ds, o2, i));
                FloatVector d3 = qv.sub(rowHalf(da, db, ds, o3, i));
                a0 = a0.add(widen(d0.mul(d0)));
                a1 = a1.add(widen(d1.mul(d1)));
                a2 = a2.add(widen(d2.mul(d2)));
                a3 = a3.add(widen(d3.mul(d3)));
                i += H;
            }
            // Written out here and in dots4 on purpose: a shared helper taking the four accumulators and the output
            // array made 784-d searches three times as slow (3,000 against 9,400 QPS, Fashion-MNIST HNSW, 8 threads,
            // JDK 17; presumably the helper was not inlined, and vectors passed to a method that is not are boxed).
            if (L == 8) {
                FloatVector f = treeSum4(a0, a1, a2, a3);
                s0 = f.lane(0);
                s1 = f.lane(4);
                s2 = f.lane(2);
                s3 = f.lane(6);
            }
            else {
                s0 = treeSum(a0);
                s1 = treeSum(a1);
                s2 = treeSum(a2);
                s3 = treeSum(a3);
            }
        }
        for (; i < dim; i++) {
            float x0 = q[i] - at(da, db, o0 + i), x1 = q[i] - at(da, db, o1 + i), x2 = q[i] - at(da, db, o2 + i), x3 = q[i] - at(da, db, o3 + i);
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    @Override public void dots4(float[] q, VectorData d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        float[] da = d.array;
        ByteBuffer db = d.buffer;
        Object ds = d.segment;
        int i = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (dim >= L) {
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
            int bound = dim - dim % L;
            for (; i < bound; i += L) {
                FloatVector qv = FloatVector.fromArray(SPECIES, q, i);
                a0 = qv.fma(row(da, db, ds, o0, i), a0);
                a1 = qv.fma(row(da, db, ds, o1, i), a1);
                a2 = qv.fma(row(da, db, ds, o2, i), a2);
                a3 = qv.fma(row(da, db, ds, o3, i), a3);
            }
            if (dim - i >= H) {
                FloatVector qv = FloatVector.fromArray(HALF, q, i);
                a0 = a0.add(widen(qv.mul(rowHalf(da, db, ds, o0, i))));
                a1 = a1.add(widen(qv.mul(rowHalf(da, db, ds, o1, i))));
                a2 = a2.add(widen(qv.mul(rowHalf(da, db, ds, o2, i))));
                a3 = a3.add(widen(qv.mul(rowHalf(da, db, ds, o3, i))));
                i += H;
            }
            if (L == 8) {
                FloatVector f = treeSum4(a0, a1, a2, a3);
                s0 = f.lane(0);
                s1 = f.lane(4);
                s2 = f.lane(2);
                s3 = f.lane(6);
            }
            else {
                s0 = treeSum(a0);
                s1 = treeSum(a1);
                s2 = treeSum(a2);
                s3 = treeSum(a3);
            }
        }
        for (; i < dim; i++) {
            s0 += q[i] * at(da, db, o0 + i);
            s1 += q[i] * at(da, db, o1 + i);
            s2 += q[i] * at(da, db, o2 + i);
            s3 += q[i] * at(da, db, o3 + i);
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    @Override public String name() {
        return "panama-" + SPECIES.vectorBitSize();
    }
}
