package io.vecgrid.client.task;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.NodeStoppingException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.client.VecgridRequest;
import io.vecgrid.client.VecgridResponse;
import org.apache.ignite.Ignite;
import org.apache.ignite.compute.ComputeJobContinuationAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@link VecgridRequest} on this node. The operation runs on {@link #POOL}, not on the Ignite thread that
 * executes the job: the job holds its continuation meanwhile, so operations that wait for compute jobs of their own
 * (flush, search, replica changes) never starve Ignite's public pool, however many thin clients call at once.
 */
final class VecgridJob extends ComputeJobContinuationAdapter {
    private static final long serialVersionUID = 1L;

    /**
     * Most operations running at once in this JVM; more wait in the queue. Waiting cannot deadlock: an operation never
     * waits for another one of this pool (its own jobs run on Ignite's pools and the search executor).
     */
    static final int MAX_OPERATIONS = 64;

    /** Shared by every node of the JVM; idle threads end after a minute. */
    private static final ThreadPoolExecutor POOL = pool();

    private final VecgridRequest req;

    /** The answer, when known before the job runs (a bad task argument). */
    private final VecgridResponse prepared;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private transient volatile VecgridResponse outcome;

    VecgridJob(VecgridRequest req) {
        this.req = req;
        this.prepared = null;
    }

    /** A job that answers {@code prepared} at once. */
    VecgridJob(VecgridResponse prepared) {
        this.req = null;
        this.prepared = prepared;
    }

    @Override public Object execute() {
        if (prepared != null)
            return prepared;
        VecgridResponse res = outcome;
        if (res != null)
            return res;
        // A node that is stopping gracefully (or not serving yet) starts nothing: the client resends elsewhere.
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        if (vg == null || !vg.enterOperation()) {
            return VecgridResponse.failure(new NodeStoppingException("node " + ignite.cluster().localNode().id() +
                (vg == null ? " is not serving vecgrid operations (starting or stopping)" : " is stopping") +
                "; " + (req == null ? "the operation" : req.op()) + " was not started, nothing was applied: resend it"),
                req == null ? null : req.collection());
        }
        holdcc();
        try {
            POOL.execute(() -> {
                try {
                    outcome = Operations.run(ignite, req);
                }
                catch (Throwable t) {
                    outcome = VecgridResponse.failure(new VecgridException("vecgrid operation " + req + " failed: " +
                        Failures.describe(t)), req == null ? null : req.collection());
                }
                finally {
                    vg.exitOperation();
                    callcc();
                }
            });
        }
        catch (RejectedExecutionException e) {
            vg.exitOperation();
            outcome = VecgridResponse.failure(new NodeStoppingException("node " + ignite.cluster().localNode().id() +
                " cannot run thin-client operations now (" + e.getMessage() + "); nothing was applied: resend it"),
                req == null ? null : req.collection());
            callcc();
        }
        return null;
    }

    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(MAX_OPERATIONS, MAX_OPERATIONS, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), new ThreadFactoryImpl());
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    private static final class ThreadFactoryImpl implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "vecgrid-client-op-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
