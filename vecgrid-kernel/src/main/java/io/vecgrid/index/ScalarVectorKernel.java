package io.vecgrid.index;

import java.nio.ByteBuffer;

/**
 * Plain Java kernel, used when {@code jdk.incubator.vector} is not in the boot layer. Stateless, thread-safe.
 *
 * <p>Four independent accumulators (lanes {@code i mod 4}) give the CPU instruction-level parallelism; they are
 * summed as {@code (s0 + s1) + (s2 + s3)}, then the tail is added in order. The second operand is read through
 * {@link #at}: an array element or an absolute little-endian {@link ByteBuffer#getFloat}.
 */
final class ScalarVectorKernel implements VectorKernel {
    private static float at(float[] ba, ByteBuffer bb, int i) {
        return ba != null ? ba[i] : bb.getFloat(i << 2);
    }

    @Override public float dot(float[] a, int aOff, VectorData b, int bOff, int dim) {
        float[] ba = b.array;
        ByteBuffer bb = b.buffer;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        int bound = dim & ~3;
        for (; i < bound; i += 4) {
            s0 += a[aOff + i] * at(ba, bb, bOff + i);
            s1 += a[aOff + i + 1] * at(ba, bb, bOff + i + 1);
            s2 += a[aOff + i + 2] * at(ba, bb, bOff + i + 2);
            s3 += a[aOff + i + 3] * at(ba, bb, bOff + i + 3);
        }
        float s = (s0 + s1) + (s2 + s3);
        for (; i < dim; i++)
            s += a[aOff + i] * at(ba, bb, bOff + i);
        return s;
    }

    @Override public float squareDistance(float[] a, int aOff, VectorData b, int bOff, int dim) {
        float[] ba = b.array;
        ByteBuffer bb = b.buffer;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        int bound = dim & ~3;
        for (; i < bound; i += 4) {
            float d0 = a[aOff + i] - at(ba, bb, bOff + i);
            float d1 = a[aOff + i + 1] - at(ba, bb, bOff + i + 1);
            float d2 = a[aOff + i + 2] - at(ba, bb, bOff + i + 2);
            float d3 = a[aOff + i + 3] - at(ba, bb, bOff + i + 3);
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        float s = (s0 + s1) + (s2 + s3);
        for (; i < dim; i++) {
            float d = a[aOff + i] - at(ba, bb, bOff + i);
            s += d * d;
        }
        return s;
    }

    @Override public float cosine(float[] a, int aOff, VectorData b, int bOff, int dim) {
        float[] ba = b.array;
        ByteBuffer bb = b.buffer;
        float d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        float b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        int i = 0;
        int bound = dim & ~3;
        for (; i < bound; i += 4) {
            float x0 = a[aOff + i], x1 = a[aOff + i + 1], x2 = a[aOff + i + 2], x3 = a[aOff + i + 3];
            float y0 = at(ba, bb, bOff + i), y1 = at(ba, bb, bOff + i + 1), y2 = at(ba, bb, bOff + i + 2), y3 = at(ba, bb, bOff + i + 3);
            d0 += x0 * y0;
            d1 += x1 * y1;
            d2 += x2 * y2;
            d3 += x3 * y3;
            a0 += x0 * x0;
            a1 += x1 * x1;
            a2 += x2 * x2;
            a3 += x3 * x3;
            b0 += y0 * y0;
            b1 += y1 * y1;
            b2 += y2 * y2;
            b3 += y3 * y3;
        }
        float dot = (d0 + d1) + (d2 + d3);
        float aa = (a0 + a1) + (a2 + a3);
        float bbs = (b0 + b1) + (b2 + b3);
        for (; i < dim; i++) {
            float x = a[aOff + i], y = at(ba, bb, bOff + i);
            dot += x * y;
            aa += x * x;
            bbs += y * y;
        }
        return DistanceKernel.cosine(dot, aa, bbs);
    }

    @Override public String name() {
        return "scalar";
    }
}
