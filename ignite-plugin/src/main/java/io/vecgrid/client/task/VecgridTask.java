package io.vecgrid.client.task;

import io.vecgrid.api.VecgridException;
import io.vecgrid.client.VecgridRequest;
import io.vecgrid.client.VecgridResponse;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeJobResultPolicy;
import org.apache.ignite.compute.ComputeTaskAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.util.List;
import java.util.Map;

/**
 * The compute task through which thin clients reach vecgrid: one {@link VecgridRequest} in, one
 * {@link VecgridResponse} out, for every operation of {@link io.vecgrid.api.VectorGrid} and {@code status}. Call it
 * by class name ({@link VecgridRequest#TASK_NAME}):
 *
 * <pre>
 * VecgridResponse r = igniteClient.compute().execute(VecgridRequest.TASK_NAME, VecgridRequest.describe("docs"));
 * </pre>
 *
 * <p>The task runs one job on the node the thin client is connected to (the router then spreads a search over the
 * replicas as it does for any caller). The job parks its Ignite thread and does the work on a pool of its own, so a
 * thin-client call never holds a public-pool thread while the operation waits for jobs of its own (flush, search)
 * on that pool.
 *
 * <p>The task never fails: whatever goes wrong, Ignite's own exceptions included, becomes a {@link VecgridResponse}
 * carrying an {@code io.vecgrid.api} error type and a message; no Ignite-internal exception reaches the client.
 * Requires thin-client compute on the server ({@code ThinClientConfiguration.setMaxActiveComputeTasksPerConnection(n > 0)})
 * and this class on the server's classpath (it is in the plugin jar).
 */
public class VecgridTask extends ComputeTaskAdapter<Object, VecgridResponse> {
    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    @Override public Map<? extends ComputeJob, ClusterNode> map(List<ClusterNode> subgrid, Object arg) {
        VecgridJob job;
        if (arg instanceof BinaryObject)
            arg = ((BinaryObject)arg).deserialize();
        if (arg instanceof VecgridRequest || arg == null)
            job = new VecgridJob((VecgridRequest)arg);
        else
            job = new VecgridJob(VecgridResponse.failure(new VecgridException("the argument of " +
                VecgridRequest.TASK_NAME + " must be a " + VecgridRequest.class.getName() + ", got " +
                arg.getClass().getName()), null));
        return Map.of(job, target(subgrid));
    }

    /** The local node if the caller allowed it (the usual case), else the first server node allowed. */
    private ClusterNode target(List<ClusterNode> subgrid) {
        ClusterNode local = ignite.cluster().localNode();
        if (!local.isClient() && subgrid.contains(local))
            return local;
        for (ClusterNode n : subgrid) {
            if (!n.isClient())
                return n;
        }
        return subgrid.get(0);
    }

    /** No failover: a job that did not answer may have written, and the caller decides whether to resend. */
    @Override public ComputeJobResultPolicy result(ComputeJobResult res, List<ComputeJobResult> rcvd) {
        return ComputeJobResultPolicy.REDUCE;
    }

    @Override public VecgridResponse reduce(List<ComputeJobResult> results) {
        ComputeJobResult r = results.get(0);
        if (r.getException() != null) {
            return VecgridResponse.failure(new VecgridException("vecgrid operation failed on node " +
                r.getNode().id() + ": " + Failures.describe(r.getException())), null);
        }
        return r.getData();
    }
}
