package io.vecgrid.cli;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.ClusterStatus;
import io.vecgrid.sql.DescriptionJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What {@code describe}, {@code replicas}, {@code list}, {@code status}, {@code get} and {@code search} print: a
 * JSON document with stable field names for scripts ({@code --json}; documented in docs/clients.md — add fields,
 * never rename them) and a text view for people.
 */
final class Views {
    private Views() {
    }

    /** The node's document ({@link DescriptionJson}), so SQL's {@code VECGRID_DESCRIBE_COLLECTION} returns the same. */
    static Map<String, Object> describe(CollectionDescription d) {
        return DescriptionJson.document(d);
    }

    /**
     * @param outputFields the fields asked for ({@code null}: all).
     * @return a row as {@code get} prints it and {@code import} reads it (JSON lines): the primary key, the vector
     *     (when asked for) and every scalar field asked for, {@code null} when the row has no value, under the
     *     collection's field names, in schema order. So every row of one command has the same fields.
     */
    static Map<String, Object> row(CollectionSpec s, VectorRow r, List<String> outputFields) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put(s.pkField(), r.pk());
        if (r.vector() != null)
            doc.put(s.vectorField(), r.vector());
        for (ScalarField f : s.scalarFields()) {
            if (outputFields == null || outputFields.contains(f.name()))
                doc.put(f.name(), r.fields().get(f.name()));
        }
        return doc;
    }

    /**
     * @param fields the output fields asked for, in that order.
     * @return the {@code search --json} document: per query, in order, its hits nearest first.
     */
    static Map<String, Object> search(String collection, int topK, List<List<SearchHit>> hits, List<String> fields) {
        List<Object> results = new ArrayList<>(hits.size());
        for (int q = 0; q < hits.size(); q++) {
            List<Object> hs = new ArrayList<>();
            for (SearchHit h : hits.get(q)) {
                Map<String, Object> hm = new LinkedHashMap<>();
                hm.put("pk", h.pk());
                hm.put("distance", h.distance());
                Map<String, Object> fm = new LinkedHashMap<>();
                for (String f : fields)
                    fm.put(f, h.fields().get(f));
                hm.put("fields", fm);
                hs.add(hm);
            }
            Map<String, Object> qm = new LinkedHashMap<>();
            qm.put("query", (long)q);
            qm.put("hits", hs);
            results.add(qm);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("collection", collection);
        doc.put("topK", (long)topK);
        doc.put("queries", (long)hits.size());
        doc.put("results", results);
        return doc;
    }

    static String describeText(CollectionDescription d) {
        CollectionSpec s = d.spec();
        StringBuilder sb = new StringBuilder();
        sb.append("collection      ").append(d.name()).append(" (").append(d.state()).append(")\n");
        sb.append("primary key     ").append(s.pkField()).append(" (LONG)\n");
        sb.append("vector          ").append(s.vectorField()).append(" (FLOAT x ").append(s.dimension()).append(")\n");
        for (ScalarField f : s.scalarFields())
            sb.append("scalar          ").append(f.name()).append(" (").append(f.type()).append(")\n");
        sb.append("metric          ").append(s.metric()).append('\n');
        sb.append("index           ").append(s.index()).append('\n');
        sb.append("shards          ").append(s.shards()).append('\n');
        sb.append("replicas        ").append(d.replicaNumber())
            .append(d.underReplicated() ? " (UNDER-REPLICATED: some replica group has no node)" : "").append('\n');
        sb.append("rows            ").append(d.rowCount()).append('\n');
        sb.append("segments        ").append(d.segmentCount()).append(" sealed (target version ")
            .append(d.targetVersion()).append(")\n");
        return sb.toString();
    }

    static Map<String, Object> replicas(ReplicaInfo r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("collection", r.collection());
        doc.put("replicaNumber", (long)r.replicaNumber());
        doc.put("underReplicated", r.underReplicated());
        doc.put("targetVersion", r.targetVersion());
        List<Object> groups = new ArrayList<>();
        for (ReplicaGroupInfo g : r.groups()) {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("id", (long)g.id());
            gm.put("nodes", strings(g.nodes()));
            Map<String, Object> leaders = new LinkedHashMap<>();
            for (Map.Entry<Integer, UUID> e : new java.util.TreeMap<>(g.shardLeaders()).entrySet())
                leaders.put(String.valueOf(e.getKey()), e.getValue().toString());
            gm.put("shardLeaders", leaders);
            Map<String, Object> segs = new LinkedHashMap<>();
            for (Map.Entry<UUID, List<ReplicaGroupInfo.SegmentCopy>> e : g.segments().entrySet()) {
                List<Object> copies = new ArrayList<>();
                for (ReplicaGroupInfo.SegmentCopy c : e.getValue()) {
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("segmentId", c.segmentId());
                    cm.put("shard", (long)c.shard());
                    cm.put("rows", (long)c.rows());
                    cm.put("serviceable", c.serviceable());
                    copies.add(cm);
                }
                segs.put(e.getKey().toString(), copies);
            }
            gm.put("segments", segs);
            groups.add(gm);
        }
        doc.put("groups", groups);
        return doc;
    }

    static String replicasText(ReplicaInfo r) {
        StringBuilder sb = new StringBuilder();
        sb.append("collection ").append(r.collection()).append(": ").append(r.replicaNumber()).append(" replica group(s), ")
            .append("target version ").append(r.targetVersion())
            .append(r.underReplicated() ? ", UNDER-REPLICATED" : "").append('\n');
        for (ReplicaGroupInfo g : r.groups()) {
            sb.append("group ").append(g.id()).append(": ").append(g.nodes().size()).append(" node(s)\n");
            for (Map.Entry<Integer, UUID> e : new java.util.TreeMap<>(g.shardLeaders()).entrySet())
                sb.append("  shard ").append(e.getKey()).append(" leader  ").append(e.getValue()).append('\n');
            for (UUID n : g.nodes()) {
                List<ReplicaGroupInfo.SegmentCopy> copies = g.segments().getOrDefault(n, List.of());
                long loaded = copies.stream().filter(ReplicaGroupInfo.SegmentCopy::serviceable).count();
                sb.append("  node ").append(n).append("  ").append(copies.size()).append(" segment(s), ")
                    .append(loaded).append(" serviceable").append(copies.isEmpty() ? "" : ":");
                for (ReplicaGroupInfo.SegmentCopy c : copies)
                    sb.append(' ').append(c.segmentId()).append(c.serviceable() ? "" : "(loading)");
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    static Map<String, Object> list(List<String> names) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("collections", new ArrayList<>(names));
        return doc;
    }

    static Map<String, Object> status(ClusterStatus st) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("igniteVersion", st.igniteVersion());
        doc.put("servedBy", st.servedBy().toString());
        doc.put("state", st.state());
        doc.put("persistent", st.persistent());
        doc.put("serverNodes", (long)st.nodes().size());
        List<Object> nodes = new ArrayList<>();
        for (ClusterStatus.Node n : st.nodes()) {
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("id", n.id().toString());
            nm.put("consistentId", n.consistentId());
            nm.put("addresses", new ArrayList<>(n.addresses()));
            nm.put("order", n.order());
            nodes.add(nm);
        }
        doc.put("nodes", nodes);
        List<Object> blt = new ArrayList<>();
        for (ClusterStatus.BaselineMember b : st.baseline()) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("consistentId", b.consistentId());
            bm.put("online", b.online());
            blt.add(bm);
        }
        doc.put("baseline", blt);
        if (st.advice() != null)
            doc.put("advice", st.advice());
        List<Object> colls = new ArrayList<>();
        for (CollectionDescription d : st.collections())
            colls.add(describe(d));
        doc.put("collections", colls);
        return doc;
    }

    static String statusText(ClusterStatus st) {
        StringBuilder sb = new StringBuilder();
        sb.append("cluster: ").append(st.state()).append(", ").append(st.nodes().size()).append(" server node(s), ")
            .append(st.persistent() ? "native persistence" : "in memory").append(", Ignite ").append(st.igniteVersion())
            .append('\n');
        for (ClusterStatus.Node n : st.nodes()) {
            sb.append("  node ").append(n.id()).append("  ").append(n.consistentId()).append("  ")
                .append(String.join(",", n.addresses())).append('\n');
        }
        if (!st.baseline().isEmpty()) {
            long online = st.baseline().stream().filter(ClusterStatus.BaselineMember::online).count();
            sb.append("baseline: ").append(st.baseline().size()).append(" node(s), ").append(online).append(" online")
                .append('\n');
            for (ClusterStatus.BaselineMember b : st.baseline())
                sb.append("  ").append(b.consistentId()).append(b.online() ? "  online" : "  OFFLINE").append('\n');
        }
        if (st.advice() != null)
            sb.append("advice: ").append(st.advice()).append('\n');
        sb.append("collections: ").append(st.collections().size()).append('\n');
        for (CollectionDescription d : st.collections()) {
            sb.append(String.format("  %-24s %-8s rows %-10s segments %-5d replicas %d%s%n", d.name(), d.state(),
                d.rowCount() < 0 ? "?" : String.valueOf(d.rowCount()), d.segmentCount(), d.replicaNumber(),
                d.underReplicated() ? " UNDER-REPLICATED" : ""));
            if (d.rowCount() < 0)
                sb.append("    (rows '?': partitions are moving after a node left or joined; 'count' waits for them)\n");
        }
        return sb.toString();
    }

    private static List<Object> strings(List<?> l) {
        List<Object> res = new ArrayList<>(l.size());
        for (Object o : l)
            res.add(String.valueOf(o));
        return res;
    }
}
