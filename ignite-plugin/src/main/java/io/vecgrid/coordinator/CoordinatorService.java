package io.vecgrid.coordinator;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionState;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.placement.CacheReplicaGroups;
import io.vecgrid.placement.ReplicaGroups;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordinator (Milvus's QueryCoord): a cluster-singleton Ignite service. Every tick it builds a view of each
 * collection (target, distribution reports, placement), asks its checkers what should be done — seal, compact,
 * re-slot for balance — and hands the tasks to one executor. It also reports replica health: a collection that
 * becomes under-replicated (a replica group without nodes, a copy not yet rebuilt) is logged and counted in the
 * {@code UnderReplicatedCollections} metric of the coordinator's node.
 */
public final class CoordinatorService implements Service {
    private static final long serialVersionUID = 1L;

    /** Service name. */
    public static final String NAME = "vecgrid-coordinator";

    @IgniteInstanceResource
    private transient Ignite ignite;

    private transient volatile boolean cancelled;
    private transient IgniteLogger log;
    private transient TaskExecutor executor;
    private transient List<Checker> checkers;
    private transient Checker recovery;
    private transient Set<String> underReplicated;
    /** Per collection and shard: the state version last seen and when it was first seen, ms. */
    private transient java.util.Map<String, long[]> lastChange;

    /** A shard whose state has not changed for this long is quiet: its small segments are merged. */
    static final long QUIET_MILLIS = 3_000;

    @Override public void init() {
        log = ignite.log().getLogger(CoordinatorService.class);
        executor = new TaskExecutor(ignite);
        recovery = new RecoveryChecker();
        checkers = List.of(new SealChecker(), new CompactionChecker(), new BalanceChecker());
        lastChange = new ConcurrentHashMap<>();
        underReplicated = ConcurrentHashMap.newKeySet();
    }

    @Override public void cancel() {
        cancelled = true;
    }

    @Override public void execute() throws InterruptedException {
        // Ignite may start the service on a node before the node's plugin has finished starting.
        Vecgrid vg;
        while ((vg = Vecgrid.localOrNull(ignite)) == null) {
            if (cancelled)
                return;
            Thread.sleep(50);
        }
        vg.metrics().underReplicated(underReplicated::size);
        log.info("vecgrid coordinator started on node " + ignite.cluster().localNode().id());
        while (!cancelled) {
            try {
                tick(vg);
            }
            catch (RuntimeException e) {
                if (!cancelled)
                    log.warning("Coordinator tick failed: " + e, e);
            }
            Thread.sleep(vg.configuration().getSealCheckMillis());
        }
    }

    private void tick(Vecgrid vg) {
        RoutingTable table = vg.routing().refresh();
        for (Cache.Entry<String, CollectionMeta> e : vg.metaStore().collections().localEntries(CachePeekMode.ALL)) {
            CollectionMeta meta = e.getValue();
            boolean reshaping = meta.state() == CollectionState.RESHAPING;
            if ((meta.state() != CollectionState.READY && !reshaping) || ignite.cache(meta.segmentsCache()) == null)
                continue;
            CollectionView view = view(vg, meta, table);
            health(view);
            List<CoordinatorTask> tasks = new ArrayList<>(recovery.check(view));
            if (reshaping) {
                // A replica change: layout operations wait; the copy goes on once those in progress are over.
                tasks.add(new CoordinatorTask(CoordinatorTask.Kind.RESHAPE, meta.name(), meta.uid(), -1, List.of(), null,
                    "replica change to " + meta.pending().spec().replicas()));
            }
            else {
                for (Checker c : checkers)
                    tasks.addAll(c.check(view));
                if (meta.retired() != null) {
                    tasks.add(new CoordinatorTask(CoordinatorTask.Kind.RETIRE, meta.name(), meta.uid(), -1, List.of(), null,
                        "drop generation " + meta.retired().uid()));
                }
            }
            executor.execute(meta, tasks);
        }
    }

    private CollectionView view(Vecgrid vg, CollectionMeta meta, RoutingTable table) {
        Affinity<Object> aff = ignite.affinity(meta.segmentsCache());
        List<List<ClusterNode>> owners = new ArrayList<>(aff.partitions());
        for (int p = 0; p < aff.partitions(); p++)
            owners.add(new ArrayList<>(aff.mapPartitionToPrimaryAndBackups(p)));
        ReplicaGroups groups = CacheReplicaGroups.of(ignite, meta.segmentsCache());
        boolean under = groups.underReplicated() || vg.collections().underReplicated(meta);
        java.util.List<io.vecgrid.collection.ShardState> shards = vg.metaStore().shardStates(meta);
        boolean[] quiet = new boolean[shards.size()];
        long now = System.currentTimeMillis();
        for (io.vecgrid.collection.ShardState st : shards) {
            long[] seen = lastChange.compute(meta.uid() + '#' + st.shard(),
                (k, prev) -> prev != null && prev[0] == st.version() ? prev : new long[] {st.version(), now});
            quiet[st.shard()] = now - seen[1] >= QUIET_MILLIS &&
                table.growingRows(meta.rowsCache(), st.shard()) < vg.configuration().getSealRows();
        }
        java.util.Set<java.util.UUID> leaders = new java.util.HashSet<>();
        Affinity<Object> rowsAff = ignite.affinity(meta.rowsCache());
        for (int sh = 0; sh < meta.spec().shards(); sh++) {
            for (ClusterNode n : rowsAff.mapPartitionToPrimaryAndBackups(sh))
                leaders.add(n.id());
        }
        return new CollectionView(meta, shards, table, groups, owners, under, vg.configuration(), quiet,
            id -> ignite.cluster().node(id) != null, executor.running(meta.uid()), leaders);
    }

    private void health(CollectionView v) {
        String name = v.meta.name();
        if (v.underReplicated && underReplicated.add(name)) {
            log.warning("Collection '" + name + "' is under-replicated: replicaNumber " + v.meta.spec().replicas() +
                ", non-empty replica groups " + v.groups.nonEmptyGroups() + "; some data has fewer copies until nodes join " +
                "or rebalancing ends");
        }
        else if (!v.underReplicated && underReplicated.remove(name))
            log.info("Collection '" + name + "' is fully replicated again (" + v.meta.spec().replicas() + " copies)");
    }
}
