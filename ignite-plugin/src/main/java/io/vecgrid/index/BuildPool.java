package io.vecgrid.index;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool graph builds run on when the caller gives none: one daemon worker per available processor, created on
 * first use. (jvector's own default sizes itself to physical cores, guessed as half the processors: one thread on a
 * two-vCPU host.) Thread-safe.
 */
final class BuildPool {
    private BuildPool() {
    }

    static ForkJoinPool get() {
        return Holder.POOL;
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private static final class Holder {
        static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("vecgrid-index-build-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false);
    }
}
