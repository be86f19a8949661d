package io.vecgrid.metrics;

import org.apache.ignite.metric.MetricRegistry;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram kept by vecgrid and published through Ignite's public metric API: each bucket is a gauge named
 * as Ignite names its own histogram buckets ({@code SearchLatency_0_1}, ..., {@code SearchLatency_5000_inf}, so
 * {@code SYS.METRICS} and JMX show them as before), plus {@code <name>Count} and {@code <name>SumMillis}. The
 * Prometheus page exports it as one histogram with a sum.
 *
 * <p>Thread-safe.
 */
public final class Histogram {
    private final String name;
    private final String description;
    private final long[] bounds;
    /** One per bound, then the overflow bucket. */
    private final LongAdder[] buckets;
    private final LongAdder sum = new LongAdder();

    Histogram(MetricRegistry reg, String name, long[] bounds, String description) {
        this.name = name;
        this.description = description;
        this.bounds = bounds.clone();
        buckets = new LongAdder[bounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            LongAdder b = new LongAdder();
            buckets[i] = b;
            reg.register(bucketName(i), b::sum, description + " Bucket " + (i == 0 ? 0 : bounds[i - 1]) + ".." +
                (i < bounds.length ? bounds[i] : "inf") + ".");
        }
        reg.register(name + "Count", this::count, description + " Count of all values.");
        reg.register(name + "SumMillis", sum::sum, description + " Sum of all values, ms.");
    }

    private String bucketName(int i) {
        return name + '_' + (i == 0 ? 0 : bounds[i - 1]) + '_' + (i < bounds.length ? String.valueOf(bounds[i]) : "inf");
    }

    /** Records one value, ms. */
    public void value(long millis) {
        int i = 0;
        while (i < bounds.length && millis > bounds[i])
            i++;
        buckets[i].increment();
        sum.add(millis);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** @return upper bounds of the buckets, ms (the overflow bucket has none). */
    public long[] bounds() {
        return bounds.clone();
    }

    /** @return values per bucket (not cumulative), the overflow bucket last. */
    public long[] counts() {
        long[] res = new long[buckets.length];
        for (int i = 0; i < res.length; i++)
            res[i] = buckets[i].sum();
        return res;
    }

    public long count() {
        long n = 0;
        for (LongAdder b : buckets)
            n += b.sum();
        return n;
    }

    public long sumMillis() {
        return sum.sum();
    }

    /** @return whether {@code metric} (a short name in the registry) is one this histogram registered. */
    boolean owns(String metric) {
        return metric.startsWith(name + '_') || metric.equals(name + "Count") || metric.equals(name + "SumMillis");
    }
}
