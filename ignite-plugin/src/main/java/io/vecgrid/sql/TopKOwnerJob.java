package io.vecgrid.sql;

import io.vecgrid.api.VecgridException;
import org.apache.ignite.Ignite;
import org.apache.ignite.compute.ComputeJobContext;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.resources.JobContextResource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs on the owner node of a top-k key: joins or starts that node's search of the key and returns its result. The
 * job parks its Ignite thread with a continuation while the search runs, so waiting statements never hold the
 * public pool that the search's own jobs need.
 */
final class TopKOwnerJob implements IgniteCallable<TopKResult> {
    private static final long serialVersionUID = 1L;

    private final TopKKey key;

    @IgniteInstanceResource
    private transient Ignite ignite;

    @JobContextResource
    private transient ComputeJobContext jobCtx;

    private transient volatile CompletableFuture<TopKResult> result;

    TopKOwnerJob(TopKKey key) {
        this.key = key;
    }

    @Override public TopKResult call() {
        CompletableFuture<TopKResult> res = result;
        if (res == null) {
            res = TopKSearches.of(ignite).serveAsOwner(key);
            result = res;
            if (!res.isDone()) {
                jobCtx.holdcc();
                res.whenComplete((r, t) -> jobCtx.callcc());
                return null;
            }
        }
        try {
            return res.get();
        }
        catch (ExecutionException e) {
            throw TopKSearches.vecgridError(key, e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecgridException("interrupted while serving a top-k search of collection '" + key.collection + "'", e);
        }
    }
}
