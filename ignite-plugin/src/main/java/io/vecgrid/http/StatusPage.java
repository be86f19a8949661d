package io.vecgrid.http;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.metrics.VecgridMetrics;
import io.vecgrid.plugin.ClusterSettings;
import io.vecgrid.plugin.NodeCall;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterMetrics;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.lang.IgniteFuture;

import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The node's read-only status page: the cluster as an operator sees it in a Milvus console. Nodes (with their HTTP
 * pages, heap, segment memory, loading segments), every collection with its replica groups, each group's shard
 * leaders and the segments each node serves (rows, state, memory), under-replication warnings, the latest failovers
 * and takeovers of searches, and the search latency of the last minutes per router node as an inline SVG chart. Built
 * on each request from the node's API ({@code describeCollection}, {@code replicas}) and a status call to every
 * server (bounded wait: a node that does not answer is shown as such). Refreshes itself every 10 seconds.
 */
final class StatusPage {
    /** Longest wait for a node's status, ms. */
    private static final long NODE_WAIT_MILLIS = 3_000;
    /** Line colours of the latency chart, one per node. */
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

    private final Ignite ignite;

    StatusPage(Ignite ignite) {
        this.ignite = ignite;
    }

    String render() {
        StringBuilder b = new StringBuilder(32 << 10);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"10\">")
            .append("<title>vecgrid status</title><style>")
            .append("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:20px;color:#222;background:#f6f7f9}")
            .append("h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:2px solid #ccd;padding-bottom:4px}")
            .append("table{border-collapse:collapse;margin:8px 0;background:#fff}th,td{border:1px solid #ccd;padding:4px 8px;text-align:left;font-size:13px}")
            .append("th{background:#e8eaf0}.ok{color:#2a7d2a;font-weight:bold}.warn{color:#b00;font-weight:bold}.load{color:#b76e00;font-weight:bold}")
            .append(".box{background:#fff;border:1px solid #ccd;padding:8px 12px;margin:8px 0}.warnbox{background:#fde8e8;border:1px solid #e99;padding:8px 12px;margin:8px 0}")
            .append(".muted{color:#777}code{font-size:12px}.group{display:inline-block;vertical-align:top;margin-right:16px}")
            .append("</style></head><body>");
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        b.append("<h1>vecgrid</h1><div class=\"muted\">page of node <code>").append(esc(String.valueOf(
            ignite.cluster().localNode().consistentId()))).append("</code> at ").append(time(System.currentTimeMillis()))
            .append(" &middot; <a href=\"/metrics\">metrics</a> &middot; refreshes every 10 s</div>");
        if (vg == null || !vg.serving()) {
            b.append("<div class=\"warnbox\" id=\"not-serving\">vecgrid is not serving on this node: the node is starting or the cluster is inactive.</div>");
            appendNodes(b, Map.of());
            return b.append("</body></html>").toString();
        }
        Map<UUID, NodeStatus> status = statuses();
        List<String> names = new ArrayList<>(vg.listCollections());
        names.sort(String::compareTo);
        List<String> warnings = new ArrayList<>();
        Map<String, ReplicaInfo> replicas = new LinkedHashMap<>();
        Map<String, CollectionDescription> descs = new LinkedHashMap<>();
        for (String n : names) {
            try {
                CollectionDescription d = vg.describeCollection(n);
                descs.put(n, d);
                ReplicaInfo r = vg.replicas(n);
                replicas.put(n, r);
                if (r.underReplicated())
                    warnings.add("Collection '" + n + "' is under-replicated: replicaNumber " + r.replicaNumber() +
                        ", but some replica group has no live node or misses copies of its segments.");
            }
            catch (RuntimeException e) {
                warnings.add("Collection '" + n + "': " + e.getMessage());
            }
        }
        for (ClusterNode n : ignite.cluster().forServers().nodes()) {
            if (!status.containsKey(n.id()))
                warnings.add("Node " + n.consistentId() + " did not answer the status call within " + NODE_WAIT_MILLIS + " ms.");
        }
        b.append("<h2>Warnings</h2>");
        if (warnings.isEmpty())
            b.append("<div class=\"box ok\" id=\"warnings\">No warnings: every collection has all its copies.</div>");
        else {
            b.append("<div class=\"warnbox\" id=\"warnings\"><ul>");
            for (String w : warnings)
                b.append("<li class=\"warn\">").append(esc(w)).append("</li>");
            b.append("</ul></div>");
        }
        appendNodes(b, status);
        appendLatency(b, status);
        appendCollections(b, descs, replicas, status);
        appendEvents(b, status);
        return b.append("</body></html>").toString();
    }

    /** @return each server's status, from those that answered in time. */
    private Map<UUID, NodeStatus> statuses() {
        Map<UUID, IgniteFuture<NodeStatus>> futs = new LinkedHashMap<>();
        for (ClusterNode n : ignite.cluster().forServers().nodes()) {
            try {
                futs.put(n.id(), NodeCall.callOnAsync(ignite, n, ig -> NodeStatus.of(Vecgrid.local(ig))));
            }
            catch (RuntimeException e) {
                // Left out: shown as not answering.
            }
        }
        Map<UUID, NodeStatus> res = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NODE_WAIT_MILLIS);
        for (Map.Entry<UUID, IgniteFuture<NodeStatus>> e : futs.entrySet()) {
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                res.put(e.getKey(), e.getValue().get(left, TimeUnit.MILLISECONDS));
            }
            catch (RuntimeException ex) {
                // Not answered in time or failed: shown as not answering.
            }
        }
        return res;
    }

    private void appendNodes(StringBuilder b, Map<UUID, NodeStatus> status) {
        List<ClusterNode> nodes = new ArrayList<>(ignite.cluster().nodes());
        nodes.sort(Comparator.comparingLong(ClusterNode::order));
        ClusterNode oldest = ignite.cluster().forServers().forOldest().node();
        b.append("<h2>Nodes</h2><table id=\"nodes\"><tr><th>node</th><th>id</th><th>role</th><th>addresses</th><th>page</th>")
            .append("<th>heap used</th><th>CPU</th><th>segment memory</th><th>segments loading</th><th>search jobs running</th></tr>");
        for (ClusterNode n : nodes) {
            NodeStatus st = status.get(n.id());
            ClusterMetrics m = n.metrics();
            String url = n.attribute(ClusterSettings.HTTP_ATTR);
            b.append("<tr><td><b>").append(esc(String.valueOf(n.consistentId()))).append("</b></td><td><code>")
                .append(shortId(n.id())).append("</code></td><td>").append(n.isClient() ? "client" : "server")
                .append(oldest != null && oldest.id().equals(n.id()) ? " (oldest)" : "").append("</td><td>")
                .append(esc(String.join(", ", n.addresses()))).append("</td><td>")
                .append(url == null ? "<span class=\"muted\">off</span>" : "<a href=\"" + esc(url) + "\">" + esc(url) + "</a>")
                .append("</td><td>").append(bytes(m.getHeapMemoryUsed())).append(" of ").append(bytes(m.getHeapMemoryMaximum()))
                .append("</td><td>").append(String.format("%.0f%%", Math.max(0, m.getCurrentCpuLoad()) * 100)).append("</td><td>");
            if (n.isClient())
                b.append("-</td><td>-</td><td>-</td></tr>");
            else if (st == null)
                b.append("<span class=\"warn\">no answer</span></td><td></td><td></td></tr>");
            else
                b.append(bytes(st.loadedBytes)).append("</td><td>").append(st.loadingSegments == 0 ? "0" :
                    "<span class=\"load\">" + st.loadingSegments + "</span>").append("</td><td>").append(st.inFlightJobs)
                    .append("</td></tr>");
        }
        b.append("</table>");
    }

    private void appendCollections(StringBuilder b, Map<String, CollectionDescription> descs,
        Map<String, ReplicaInfo> replicas, Map<UUID, NodeStatus> status) {
        b.append("<h2>Collections</h2>");
        if (descs.isEmpty())
            b.append("<div class=\"box muted\">No collections.</div>");
        for (Map.Entry<String, CollectionDescription> e : descs.entrySet()) {
            String name = e.getKey();
            CollectionDescription d = e.getValue();
            ReplicaInfo r = replicas.get(name);
            b.append("<div class=\"box collection\" id=\"collection-").append(esc(name)).append("\"><h3>").append(esc(name))
                .append("</h3><div>").append(esc(String.valueOf(d.state()))).append(" &middot; ").append(d.rowCount())
                .append(" rows &middot; ").append(d.segmentCount()).append(" sealed segments &middot; ")
                .append(d.spec().shards()).append(" shards &middot; replica number ").append(d.replicaNumber())
                .append(" &middot; dimension ").append(d.spec().dimension()).append(" &middot; ")
                .append(esc(String.valueOf(d.spec().metric()))).append(" &middot; ")
                .append(r != null && r.underReplicated() ? "<span class=\"warn\">under-replicated</span>" : "<span class=\"ok\">fully replicated</span>")
                .append("</div>");
            if (r == null) {
                b.append("</div>");
                continue;
            }
            for (ReplicaGroupInfo g : r.groups()) {
                b.append("<div class=\"group\"><h4>Replica group ").append(g.id()).append("</h4>");
                b.append("<table class=\"leaders\"><tr><th>shard</th><th>leader</th></tr>");
                for (int s = 0; s < d.spec().shards(); s++) {
                    UUID leader = g.shardLeaders().get(s);
                    b.append("<tr><td>shard ").append(s).append("</td><td>").append(leader == null ?
                        "<span class=\"warn\">none</span>" : esc(nodeName(leader))).append("</td></tr>");
                }
                b.append("</table><table class=\"served\"><tr><th>node</th><th>segments</th><th>rows</th><th>serviceable</th>")
                    .append("<th>loading</th><th>memory</th></tr>");
                StringBuilder detail = new StringBuilder();
                int copies = 0;
                if (g.nodes().isEmpty())
                    b.append("<tr><td colspan=\"6\" class=\"warn\">no live node in this group</td></tr>");
                for (UUID n : g.nodes()) {
                    List<ReplicaGroupInfo.SegmentCopy> segs = g.segments().getOrDefault(n, List.of());
                    NodeStatus st = status.get(n);
                    Map<Long, long[]> local = st == null ? Map.of() : st.copies.getOrDefault(name, Map.of());
                    long rows = 0, mem = 0;
                    int serviceable = 0, loading = 0;
                    for (ReplicaGroupInfo.SegmentCopy c : segs) {
                        long[] l = local.get(c.segmentId());
                        boolean ok = c.serviceable() || l != null && l[2] == 1;
                        String state = ok ? "<span class=\"ok\">serviceable</span>" :
                            l != null ? "<span class=\"load\">loading</span>" : "<span class=\"warn\">missing</span>";
                        rows += c.rows();
                        mem += l == null ? 0 : l[1];
                        serviceable += ok ? 1 : 0;
                        loading += !ok && l != null ? 1 : 0;
                        copies++;
                        detail.append("<tr><td>").append(esc(nodeName(n))).append("</td><td>").append(c.segmentId())
                            .append("</td><td>").append(c.shard()).append("</td><td>").append(c.rows()).append("</td><td>")
                            .append(state).append("</td><td>").append(l == null ? "-" : bytes(l[1])).append("</td></tr>");
                    }
                    b.append("<tr><td>").append(esc(nodeName(n))).append("</td><td>").append(segs.size()).append("</td><td>")
                        .append(rows).append("</td><td>").append(serviceable == segs.size() ? "<span class=\"ok\">" +
                            serviceable + "</span>" : "<span class=\"warn\">" + serviceable + "</span>").append("</td><td>")
                        .append(loading == 0 ? "0" : "<span class=\"load\">" + loading + "</span>").append("</td><td>")
                        .append(bytes(mem)).append("</td></tr>");
                }
                b.append("</table>");
                if (copies > 0) {
                    b.append("<details").append(copies <= 12 ? " open" : "").append("><summary>").append(copies)
                        .append(" segment copies</summary><table class=\"segments\"><tr><th>node</th><th>segment</th>")
                        .append("<th>shard</th><th>rows</th><th>state</th><th>memory</th></tr>").append(detail).append("</table></details>");
                }
                b.append("</div>");
            }
            b.append("</div>");
        }
    }

    private void appendEvents(StringBuilder b, Map<UUID, NodeStatus> status) {
        List<Object[]> all = new ArrayList<>();
        for (NodeStatus st : status.values()) {
            for (VecgridMetrics.Event e : st.events)
                all.add(new Object[] {e, st.node});
        }
        all.sort((x, y) -> Long.compare(((VecgridMetrics.Event)y[0]).timeMillis, ((VecgridMetrics.Event)x[0]).timeMillis));
        b.append("<h2>Recent failovers and takeovers</h2>");
        if (all.isEmpty()) {
            b.append("<div class=\"box muted\" id=\"events\">None since the nodes started.</div>");
            return;
        }
        b.append("<table id=\"events\"><tr><th>time</th><th>router</th><th>kind</th><th>what</th></tr>");
        for (Object[] o : all.subList(0, Math.min(30, all.size()))) {
            VecgridMetrics.Event e = (VecgridMetrics.Event)o[0];
            b.append("<tr><td>").append(time(e.timeMillis)).append("</td><td>").append(esc(nodeName((UUID)o[1])))
                .append("</td><td class=\"").append("failover".equals(e.kind) ? "warn" : "load").append("\">")
                .append(esc(e.kind)).append("</td><td>").append(esc(named(e.what))).append("</td></tr>");
        }
        b.append("</table>");
    }

    /** Draws each router node's p95 search latency over the last minutes. */
    private void appendLatency(StringBuilder b, Map<UUID, NodeStatus> status) {
        b.append("<h2>Search latency</h2>");
        long now = System.currentTimeMillis();
        long from = now - 120 * VecgridMetrics.SAMPLE_MILLIS;
        double max = 1;
        boolean any = false;
        for (NodeStatus st : status.values()) {
            for (VecgridMetrics.LatencySample s : st.latency) {
                if (s.searches > 0) {
                    any = true;
                    max = Math.max(max, s.p95Millis);
                }
            }
        }
        if (!any) {
            b.append("<div class=\"box muted\" id=\"latency\">No searches in the last 10 minutes.</div>");
            return;
        }
        int w = 900, h = 260, left = 60, right = 20, top = 14, bottom = 34;
        double pw = w - left - right, ph = h - top - bottom;
        max = niceCeil(max);
        b.append("<svg id=\"latency\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
            .append("\" style=\"background:#fff;border:1px solid #ccd\" font-family=\"DejaVu Sans,Arial\" font-size=\"11\">");
        for (int i = 0; i <= 4; i++) {
            double y = top + ph - ph * i / 4;
            b.append("<line x1=\"").append(left).append("\" x2=\"").append(w - right).append("\" y1=\"").append(fmt(y))
                .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#e2e4ea\"/><text x=\"").append(left - 6)
                .append("\" y=\"").append(fmt(y + 4)).append("\" text-anchor=\"end\">").append(fmt(max * i / 4)).append(" ms</text>");
        }
        for (int i = 0; i <= 5; i++) {
            double x = left + pw * i / 5;
            b.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(h - 12).append("\" text-anchor=\"middle\">-")
                .append(10 - 2 * i).append(" min</text>");
        }
        int c = 0;
        StringBuilder legend = new StringBuilder();
        for (NodeStatus st : status.values()) {
            String colour = COLOURS[c++ % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (VecgridMetrics.LatencySample s : st.latency) {
                if (s.timeMillis < from || s.searches == 0)
                    continue;
                double x = left + pw * (s.timeMillis - from) / (now - from);
                double y = top + ph - ph * Math.min(1, s.p95Millis / max);
                pts.append(fmt(x)).append(',').append(fmt(y)).append(' ');
                b.append("<circle cx=\"").append(fmt(x)).append("\" cy=\"").append(fmt(y)).append("\" r=\"2.5\" fill=\"")
                    .append(colour).append("\"><title>").append(esc(nodeName(st.node))).append(": ").append(s.searches)
                    .append(" searches, mean ").append(fmt(s.meanMillis)).append(" ms, p95 &lt;= ").append(s.p95Millis)
                    .append(" ms</title></circle>");
            }
            if (pts.length() > 0) {
                b.append("<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour)
                    .append("\" points=\"").append(pts.toString().trim()).append("\"/>");
                legend.append("<span style=\"color:").append(colour).append("\">&#9632; ").append(esc(nodeName(st.node)))
                    .append("</span> &nbsp; ");
            }
        }
        b.append("</svg><div class=\"muted\">95th percentile of the searches each node routed, per 5 s (bucket bound). ")
            .append(legend).append("</div>");
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v)
                return m * p;
        }
        return 10 * p;
    }

    /** @return the text with node ids replaced by the nodes' names. */
    private String named(String what) {
        String res = what;
        for (ClusterNode n : ignite.cluster().nodes())
            res = res.replace(n.id().toString(), String.valueOf(n.consistentId()));
        return res;
    }

    private String nodeName(UUID id) {
        ClusterNode n = ignite.cluster().node(id);
        return n == null ? shortId(id) + " (gone)" : String.valueOf(n.consistentId());
    }

    private static String shortId(UUID id) {
        return id.toString().substring(0, 8);
    }

    private static String time(long millis) {
        return new SimpleDateFormat("HH:mm:ss").format(new Date(millis));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long)v) : String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    static String bytes(long n) {
        if (n < 1024)
            return n + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, u[i]);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(ch);
            }
        }
        return b.toString();
    }
}
