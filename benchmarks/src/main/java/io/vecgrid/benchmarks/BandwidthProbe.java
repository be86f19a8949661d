package io.vecgrid.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One core's memory read bandwidth, measured the way the flat scan reads: a single-thread streaming sum over a
 * large {@code float[]} (the segment's own vectors, far larger than any cache), four independent vector
 * accumulators so that the loop is limited by memory, not by the add latency. The sum runs at 128 and 256 bits
 * (each species a constant, so the JIT intrinsifies it) and the caller keeps the faster: on the machine this was
 * written on, 128-bit loads streamed as fast as or faster than wider ones (C++ measured the same, 512 bits
 * included). No third species: on JDK 17 a third vector shape in one JVM (512 bits) made the shared Vector API
 * call sites megamorphic and every width ran 10-20 times slower, not intrinsified.
 */
final class BandwidthProbe {
    static final int[] WIDTHS = {128, 256};

    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;

    private BandwidthProbe() {
    }

    static double sum(float[] a, int bits) {
        switch (bits) {
            case 128: return sum128(a);
            default: return sum256(a);
        }
    }

    private static double sum128(float[] a) {
        int l = S128.length();
        FloatVector s0 = FloatVector.zero(S128), s1 = FloatVector.zero(S128), s2 = FloatVector.zero(S128), s3 = FloatVector.zero(S128);
        int i = 0;
        for (int bound = a.length - a.length % (4 * l); i < bound; i += 4 * l) {
            s0 = s0.add(FloatVector.fromArray(S128, a, i));
            s1 = s1.add(FloatVector.fromArray(S128, a, i + l));
            s2 = s2.add(FloatVector.fromArray(S128, a, i + 2 * l));
            s3 = s3.add(FloatVector.fromArray(S128, a, i + 3 * l));
        }
        double s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++)
            s += a[i];
        return s;
    }

    private static double sum256(float[] a) {
        int l = S256.length();
        FloatVector s0 = FloatVector.zero(S256), s1 = FloatVector.zero(S256), s2 = FloatVector.zero(S256), s3 = FloatVector.zero(S256);
        int i = 0;
        for (int bound = a.length - a.length % (4 * l); i < bound; i += 4 * l) {
            s0 = s0.add(FloatVector.fromArray(S256, a, i));
            s1 = s1.add(FloatVector.fromArray(S256, a, i + l));
            s2 = s2.add(FloatVector.fromArray(S256, a, i + 2 * l));
            s3 = s3.add(FloatVector.fromArray(S256, a, i + 3 * l));
        }
        double s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++)
            s += a[i];
        return s;
    }
}
