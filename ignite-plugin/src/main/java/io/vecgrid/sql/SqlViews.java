package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.VecgridException;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.managers.systemview.GridSystemViewManager;
import org.apache.ignite.spi.systemview.view.SystemViewRowAttributeWalker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * vecgrid's system views, in Ignite's {@code SYS} schema (and JMX, like every Ignite system view):
 * <ul>
 *   <li>{@code SYS.VECGRID_COLLECTIONS}: one row per collection: name, state, dimension, metric, index, shards,
 *   replica number, rows, segments, under-replicated;</li>
 *   <li>{@code SYS.VECGRID_REPLICAS}: one row per collection, replica group and node: the shards the node leads,
 *   segments and rows it serves (loaded copies), serviceable;</li>
 *   <li>{@code SYS.VECGRID_SEGMENTS}: one row per segment copy: collection, segment, shard, rows, replica group,
 *   node, serviceable, loading.</li>
 * </ul>
 * Every row comes from the API ({@code describeCollection}, {@code replicas}) when the view is read, on the node the
 * client is connected to: the same answer on every node, current within the routing refresh interval.
 */
public final class SqlViews {
    private SqlViews() {
    }

    /** Registers the views on this node. */
    public static void register(Vecgrid vg) {
        GridSystemViewManager mgr = ((IgniteEx)vg.ignite()).context().systemView();
        Table collections = new Table(
            new String[] {"name", "state", "dimension", "metric", "indexType", "shards", "replicaNumber", "rows",
                "segments", "underReplicated"},
            new Class<?>[] {String.class, String.class, Integer.class, String.class, String.class, Integer.class,
                Integer.class, Long.class, Integer.class, Boolean.class});
        mgr.registerView("vecgridCollections", "vecgrid collections", collections, () -> collectionRows(vg),
            Function.identity());
        Table replicas = new Table(
            new String[] {"collection", "replicaGroup", "nodeId", "leaderOfShards", "segments", "rows", "serviceable"},
            new Class<?>[] {String.class, Integer.class, UUID.class, String.class, Integer.class, Long.class,
                Boolean.class});
        mgr.registerView("vecgridReplicas", "vecgrid replica groups: nodes, shard leaders, segments served",
            replicas, () -> replicaRows(vg), Function.identity());
        Table segments = new Table(
            new String[] {"collection", "segmentId", "shard", "rows", "replicaGroup", "nodeId", "serviceable",
                "loading"},
            new Class<?>[] {String.class, Long.class, Integer.class, Integer.class, Integer.class, UUID.class,
                Boolean.class, Boolean.class});
        mgr.registerView("vecgridSegments", "vecgrid segment copies per node", segments, () -> segmentRows(vg),
            Function.identity());
    }

    private static Collection<Object[]> collectionRows(Vecgrid vg) {
        List<Object[]> res = new ArrayList<>();
        for (String name : vg.listCollections()) {
            CollectionDescription d;
            try {
                d = vg.describeCollection(name);
            }
            catch (VecgridException e) {
                continue; // Dropped meanwhile.
            }
            CollectionSpec s = d.spec();
            res.add(new Object[] {name, d.state().name(), s.dimension(), s.metric().name(), s.index().type().name(),
                s.shards(), s.replicas(), d.rowCount(), d.segmentCount(), d.underReplicated()});
        }
        return res;
    }

    private static List<ReplicaInfo> replicaInfos(Vecgrid vg) {
        List<ReplicaInfo> res = new ArrayList<>();
        for (String name : vg.listCollections()) {
            try {
                res.add(vg.replicas(name));
            }
            catch (VecgridException e) {
                // Dropped, or not serving yet.
            }
        }
        return res;
    }

    private static Collection<Object[]> replicaRows(Vecgrid vg) {
        List<Object[]> res = new ArrayList<>();
        for (ReplicaInfo info : replicaInfos(vg)) {
            for (ReplicaGroupInfo g : info.groups()) {
                for (UUID node : g.nodes()) {
                    String led = new TreeMap<>(g.shardLeaders()).entrySet().stream().filter(e -> node.equals(e.getValue()))
                        .map(e -> String.valueOf(e.getKey())).collect(Collectors.joining(","));
                    List<ReplicaGroupInfo.SegmentCopy> copies = g.segments().getOrDefault(node, List.of());
                    long rows = 0;
                    boolean serviceable = true;
                    for (ReplicaGroupInfo.SegmentCopy c : copies) {
                        rows += c.rows();
                        serviceable &= c.serviceable();
                    }
                    res.add(new Object[] {info.collection(), g.id(), node, led, copies.size(), rows, serviceable});
                }
            }
        }
        return res;
    }

    private static Collection<Object[]> segmentRows(Vecgrid vg) {
        List<Object[]> res = new ArrayList<>();
        for (ReplicaInfo info : replicaInfos(vg)) {
            for (ReplicaGroupInfo g : info.groups()) {
                for (Map.Entry<UUID, List<ReplicaGroupInfo.SegmentCopy>> e : g.segments().entrySet()) {
                    for (ReplicaGroupInfo.SegmentCopy c : e.getValue()) {
                        res.add(new Object[] {info.collection(), c.segmentId(), c.shard(), c.rows(), g.id(), e.getKey(),
                            c.serviceable(), !c.serviceable()});
                    }
                }
            }
        }
        return res;
    }

    /** A view's columns: names (Ignite turns {@code camelCase} into {@code CAMEL_CASE}) and boxed types. */
    private static final class Table implements SystemViewRowAttributeWalker<Object[]> {
        private final String[] names;
        private final Class<?>[] types;

        Table(String[] names, Class<?>[] types) {
            this.names = names;
            this.types = types;
        }

        @Override public int count() {
            return names.length;
        }

        @Override public void visitAll(AttributeVisitor v) {
            for (int i = 0; i < names.length; i++)
                v.accept(i, names[i], types[i]);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        @Override public void visitAll(Object[] row, AttributeWithValueVisitor v) {
            for (int i = 0; i < names.length; i++)
                v.accept(i, names[i], (Class)types[i], row[i]);
        }
    }
}
