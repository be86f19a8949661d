package io.vecgrid.plugin;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.VecgridException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobContinuationAdapter;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Work to run on one chosen node, off Ignite's public pool: the job parks its Ignite thread with a continuation while
 * the work runs on the node's vecgrid work executor. Long work (sealing builds an index, a seal waits for a copy to
 * load) must never hold public-pool threads, or every other compute call of the cluster waits behind it.
 *
 * @param <T> result type.
 */
@FunctionalInterface
public interface NodeCall<T> extends Serializable {
    /** Runs on the target node. */
    T call(Ignite ignite) throws Exception;

    /** Runs {@code call} on {@code node} and returns its result. */
    static <T> T callOn(Ignite ignite, ClusterNode node, NodeCall<T> call) {
        return ignite.compute(ignite.cluster().forNode(node)).execute(new Task<T>(node, call), null);
    }

    /** Runs {@code call} on {@code node} asynchronously. */
    static <T> IgniteFuture<T> callOnAsync(Ignite ignite, ClusterNode node, NodeCall<T> call) {
        return ignite.compute(ignite.cluster().forNode(node)).executeAsync(new Task<T>(node, call), null);
    }

    /** Sends the one job to the chosen node. */
    final class Task<T> extends ComputeTaskAdapter<Object, T> {
        private static final long serialVersionUID = 1L;

        private final transient ClusterNode node;
        private final transient NodeCall<T> call;

        Task(ClusterNode node, NodeCall<T> call) {
            this.node = node;
            this.call = call;
        }

        @Override public Map<? extends ComputeJob, ClusterNode> map(List<ClusterNode> subgrid, Object arg) {
            return Map.of(new Job<>(call), node);
        }

        @SuppressWarnings("unchecked")
        @Override public T reduce(List<ComputeJobResult> results) {
            return (T)results.get(0).getData();
        }
    }

    /** Runs the call on the node's vecgrid work executor, holding its continuation meanwhile. */
    final class Job<T> extends ComputeJobContinuationAdapter {
        private static final long serialVersionUID = 1L;

        private final NodeCall<T> call;

        @IgniteInstanceResource
        private transient Ignite ignite;

        private transient volatile Object outcome;
        private transient volatile boolean done;

        Job(NodeCall<T> call) {
            this.call = call;
        }

        @Override public Object execute() {
            if (done) {
                if (outcome instanceof Throwable) {
                    Throwable t = (Throwable)outcome;
                    throw t instanceof VecgridException ? (VecgridException)t : new IgniteException(t.getMessage(), t);
                }
                return outcome;
            }
            Vecgrid vg = Vecgrid.local(ignite);
            holdcc();
            try {
                vg.workExecutor().execute(() -> {
                    try {
                        outcome = call.call(ignite);
                    }
                    catch (Throwable t) {
                        outcome = t;
                    }
                    finally {
                        done = true;
                        callcc();
                    }
                });
            }
            catch (RejectedExecutionException e) {
                outcome = new VecgridException("node " + ignite.cluster().localNode().id() + " is stopping");
                done = true;
                callcc();
            }
            return null;
        }
    }
}
