package io.vecgrid.client.task;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.client.ClusterStatus;
import io.vecgrid.client.VecgridRequest;
import io.vecgrid.client.VecgridResponse;
import io.vecgrid.cluster.ClusterInfo;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterState;
import org.apache.ignite.internal.processors.odbc.ClientListenerProcessor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Serves one {@link VecgridRequest} with this node's {@link VectorGrid}. Requests arrive rebuilt by Ignite's binary
 * marshaller, which skips constructors, so every value a constructor would have checked is checked again here (the
 * API checks the rest). Results are copied into plain lists and maps ({@link PlainResults}) so that the binary
 * marshaller carries them to any thin client.
 */
final class Operations {
    private Operations() {
    }

    /** @return the response; never throws. */
    static VecgridResponse run(Ignite ignite, VecgridRequest req) {
        String coll = req == null ? null : req.collection();
        try {
            if (req == null || req.op() == null)
                throw new InvalidRequestException("the request must name an operation, got " + req);
            return VecgridResponse.ok(dispatch(Vecgrid.of(ignite), ignite, req));
        }
        catch (VecgridException e) {
            return VecgridResponse.failure(e, coll);
        }
        catch (Throwable t) {
            String what = req == null ? "vecgrid request" : req.op() + (coll == null ? "" : " of collection '" + coll + "'");
            VecgridException e = Failures.translate(what, ignite.cluster().localNode().id().toString(), t);
            if (Failures.vecgridCause(t) == null) {
                IgniteLogger log = ignite.log().getLogger(VecgridTask.class);
                log.warning("Thin-client " + what + " failed: " + t, t);
            }
            return VecgridResponse.failure(e, coll);
        }
    }

    private static Object dispatch(VectorGrid vg, Ignite ignite, VecgridRequest req) {
        String coll = req.collection();
        switch (req.op()) {
            case CREATE: return vg.createCollection(revalidate(req.spec()));
            case DESCRIBE: return vg.describeCollection(coll);
            case LIST: return new ArrayList<>(vg.listCollections());
            case DROP: vg.dropCollection(coll); return null;
            case INSERT: return vg.insert(coll, required(req.rows(), "rows"));
            case UPSERT: return vg.upsert(coll, required(req.rows(), "rows"));
            case DELETE: return vg.delete(coll, required(req.pks(), "primary keys"));
            case GET: return PlainResults.rows(vg.get(coll, required(req.pks(), "primary keys"), req.outputFields()));
            case COUNT: return vg.count(coll);
            case FLUSH: vg.flush(coll); return null;
            case SEARCH: return PlainResults.search(vg.search(required(req.search(), "search request")));
            case REPLICAS: return PlainResults.replicas(vg.replicas(coll));
            case SET_REPLICA_NUMBER: return vg.setReplicaNumber(coll, req.replicas());
            case STATUS: return status(vg, ignite);
            case NODE: return node(ignite.cluster().localNode());
            case BACKUP_CREATE: return ((Vecgrid)vg).backups().create(required(req.backup(), "backup name"));
            case BACKUP_LIST: return PlainResults.backups(((Vecgrid)vg).backups().list());
            case BACKUP_RESTORE: return new ArrayList<>(((Vecgrid)vg).backups().restore(required(req.backup(),
                "backup name"), req.collections()));
            default: throw new InvalidRequestException("unknown operation " + req.op());
        }
    }

    private static <T> T required(T val, String what) {
        if (val == null)
            throw new InvalidRequestException(what + " must not be null");
        return val;
    }

    /** Runs the spec's and the index's checks again on the deserialized values. */
    static CollectionSpec revalidate(CollectionSpec spec) {
        required(spec, "collection spec");
        try {
            IndexSpec ix = required(spec.index(), "index");
            IndexSpec index = new IndexSpec(ix.type(), ix.m(), ix.efConstruction(), ix.ef());
            return spec.toBuilder().index(index).build();
        }
        catch (NullPointerException e) {
            throw new InvalidRequestException("collection spec " + spec.name() + " is incomplete: " + e.getMessage());
        }
    }

    /** @return {@code n} as the client sees it, with the port of its thin-client connector. */
    private static ClusterStatus.Node node(ClusterNode n) {
        Object port = n.attribute(ClientListenerProcessor.CLIENT_LISTENER_PORT);
        return new ClusterStatus.Node(n.id(), String.valueOf(n.consistentId()), new ArrayList<>(n.addresses()),
            n.order(), port instanceof Number ? ((Number)port).intValue() : -1);
    }

    private static ClusterStatus status(VectorGrid vg, Ignite ignite) {
        List<ClusterNode> servers = new ArrayList<>(ignite.cluster().forServers().nodes());
        servers.sort(Comparator.comparingLong(ClusterNode::order));
        List<ClusterStatus.Node> nodes = new ArrayList<>();
        for (ClusterNode n : servers)
            nodes.add(node(n));
        List<CollectionDescription> colls = new ArrayList<>();
        boolean serving = ((Vecgrid)vg).serving();
        if (serving) {
            for (String name : vg.listCollections()) {
                try {
                    // A status answers at once: a collection whose partitions are moving (a node just left or
                    // joined) is listed with rows -1 rather than failing the whole status after the count's retries.
                    Vecgrid v = (Vecgrid)vg;
                    colls.add(v.collections().describe(name, v.rowReader()::countIfSettled));
                }
                catch (CollectionNotFoundException e) {
                    // Dropped meanwhile.
                }
            }
        }
        ClusterState state = ignite.cluster().state();
        boolean persistent = ClusterInfo.persistent(ignite);
        List<ClusterStatus.BaselineMember> baseline = new ArrayList<>();
        Collection<BaselineNode> blt = persistent ? ignite.cluster().currentBaselineTopology() : null;
        List<Object> offline = ClusterInfo.offlineBaseline(ignite);
        if (blt != null) {
            for (BaselineNode n : blt)
                baseline.add(new ClusterStatus.BaselineMember(String.valueOf(n.consistentId()), !offline.contains(n.consistentId())));
        }
        return new ClusterStatus(ignite.version().toString(), ignite.cluster().localNode().id(), nodes, colls,
            state.name(), persistent, baseline, advice(ignite, state, persistent, blt, offline, servers.size()));
    }

    /** @return what the operator should do about the cluster's state, or {@code null} if nothing. */
    private static String advice(Ignite ignite, ClusterState state, boolean persistent, Collection<BaselineNode> blt,
        List<Object> offline, int servers) {
        if (state == ClusterState.INACTIVE) {
            if (!persistent)
                return "the cluster was deactivated by an operator; activate it with 'control.sh --set-state ACTIVE'";
            if (blt == null) {
                int expected = Vecgrid.local(ignite).configuration().getExpectedServerNodes();
                return "a new cluster: it activates itself once " + expected + " server nodes joined (expectedServerNodes; " +
                    servers + " joined so far); start the others, or activate now with 'control.sh --set-state ACTIVE'";
            }
            if (!offline.isEmpty()) {
                return "the cluster activates itself once every baseline node is back; offline: " + offline + ". Start " +
                    "them with their own work directories, or if one is gone for good, remove it with " +
                    "'control.sh --baseline remove <consistentId>' and activate with 'control.sh --set-state ACTIVE' " +
                    "(its data is lost where it held the only copy)";
            }
            return "every baseline node is online but the cluster is inactive (an operator deactivated it): activate " +
                "it with 'control.sh --set-state ACTIVE'";
        }
        String noQuorum = persistent ? io.vecgrid.cluster.WriteQuorum.refusal(ignite) : null;
        if (noQuorum != null)
            return "writes are refused here (searches are served): " + noQuorum;
        if (persistent && !offline.isEmpty()) {
            return "baseline nodes " + offline + " are offline: their copies are missing until they return; each leaves " +
                "the baseline after baselineLeaveTimeoutMillis (its data is then copied again onto the other nodes)";
        }
        return null;
    }
}
