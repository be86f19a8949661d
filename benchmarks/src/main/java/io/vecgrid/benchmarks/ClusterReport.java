package io.vecgrid.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns one cluster benchmark run's results file ({@link ClusterBench}) into the "Cluster" section of
 * docs/benchmarks.md for its data set (only that section is replaced, see {@link DocSections}) and its PNG plots. Every
 * number on the page comes from that file. Records (tab-separated):
 * <pre>
 * meta   KEY VALUE                           settings and facts of the run
 * stat   PHASE KEY VALUE                     a measured figure (or "error" if the phase failed)
 * op     PHASE KIND T_MS LAT_MS OK INFO      one call (search, insert, floor, work) at T_MS since the run started
 * event  PHASE T_MS TEXT                     what the benchmark did to the cluster (SIGSTOP, kill -9, ...)
 * </pre>
 *
 * <p>Usage: {@code ClusterReport --results R --md docs/benchmarks.md --png-dir docs/benchmarks --dataset NAME
 * [--analysis benchmarks/cluster-analysis.md] [--meta key=value]...}
 */
public final class ClusterReport {
    static final double OVERHEAD_GOAL_MS = 0.3;
    static final double THROUGHPUT_GOAL = 0.7;
    static final double STALL_GOAL = 2.0;
    static final double KILL_WORST_GOAL_MS = 1000;

    private final Map<String, String> meta = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> stats = new LinkedHashMap<>();
    private final Map<String, List<String[]>> ops = new LinkedHashMap<>();
    private final Map<String, List<String[]>> events = new LinkedHashMap<>();

    private ClusterReport(List<String[]> rows, Map<String, String> extra) {
        for (String[] r : rows) {
            switch (r[0]) {
                case "meta": meta.put(r[1], r.length > 2 ? r[2] : ""); break;
                case "stat": stats.computeIfAbsent(r[1], x -> new LinkedHashMap<>()).put(r[2], r.length > 3 ? r[3] : ""); break;
                case "op": ops.computeIfAbsent(r[1], x -> new ArrayList<>()).add(r); break;
                case "event": events.computeIfAbsent(r[1], x -> new ArrayList<>()).add(r); break;
                default: break;
            }
        }
        meta.putAll(extra);
    }

    public static void main(String[] args) throws IOException {
        ReportArgs a = new ReportArgs(args, Set.of("--results", "--md", "--png-dir", "--dataset", "--analysis"),
            "ClusterReport --results R --md MD --png-dir DIR --dataset NAME [--analysis F] [--meta k=v]...",
            "--results", "--md", "--png-dir", "--dataset");
        Path results = a.path("--results");
        Path md = a.path("--md");
        Path pngDir = a.path("--png-dir");
        String dataset = a.get("--dataset");
        Map<String, String> extra = a.meta();
        ClusterReport r = new ClusterReport(ResultsFile.read(results), extra);
        Files.createDirectories(pngDir);
        String prefix = "cluster-" + dataset;
        Path base = md.toAbsolutePath().getParent();
        Map<String, String> pngs = new LinkedHashMap<>();
        for (String phase : List.of("stall", "kill", "rolling")) {
            Path png = pngDir.resolve(prefix + "-" + phase + ".png");
            if (r.timeline(phase, png))
                pngs.put(phase, base.relativize(png.toAbsolutePath()).toString());
        }
        Path bars = pngDir.resolve(prefix + "-p99.png");
        if (r.bars(bars))
            pngs.put("p99", base.relativize(bars.toAbsolutePath()).toString());
        String old = Files.isRegularFile(md) ? Files.readString(md, StandardCharsets.UTF_8) : "# Benchmarks\n";
        String analysisText = a.fileText("--analysis");
        String page = DocSections.replace(old, prefix, r.section(dataset, pngs, analysisText));
        Files.writeString(md, page, StandardCharsets.UTF_8);
        System.out.println("[cluster-report] wrote the " + dataset + " section of " + md + " and " + pngs.values());
    }

    // ---------------------------------------------------------------- numbers

    private String s(String phase, String key) {
        return stats.getOrDefault(phase, Map.of()).get(key);
    }

    private double d(String phase, String key) {
        String v = s(phase, key);
        if (v == null || v.isEmpty())
            return Double.NaN;
        try {
            return Double.parseDouble(v);
        }
        catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private long l(String phase, String key) {
        double v = d(phase, key);
        return Double.isNaN(v) ? -1 : Math.round(v);
    }

    private String error(String phase) {
        return s(phase, "error");
    }

    private static String f(String fmt, Object... a) {
        return String.format(Locale.ROOT, fmt, a);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : f("%.0f", v);
    }

    private static String ms(double v) {
        if (Double.isNaN(v))
            return "n/a";
        return v < 10 ? f("%.2f ms", v) : f("%.0f ms", v);
    }

    private static String status(boolean measured, boolean met) {
        return !measured ? "not measured" : met ? "met" : "**not met**";
    }

    private String notMeasured(String... phases) {
        for (String p : phases) {
            if (error(p) != null)
                return "not measured: " + p + " failed: " + error(p);
        }
        return null;
    }

    // ---------------------------------------------------------------- the section

    /** @param analysis the hand-written analysis (causes and remedies, which numbers alone cannot say), or {@code null}. */
    private String section(String dataset, Map<String, String> pngs, String analysis) {
        StringBuilder md = new StringBuilder();
        String cmd = meta.getOrDefault("command", "scripts/cluster-benchmark.sh " + meta.get("nodes") + " " + dataset);
        md.append("## Cluster: ").append(dataset).append(", ").append(meta.get("nodes")).append(" node processes\n\n");
        md.append("<!-- Generated by scripts/cluster-benchmark.sh (io.vecgrid.benchmarks.ClusterReport) from one run; ")
            .append("do not edit by hand, rerun it. Raw records: docs/benchmarks/cluster-").append(dataset).append(".tsv. -->\n\n");
        md.append("What the distributed layer costs and what it survives, measured in one run: ").append(meta.get("nodes"))
            .append(" server nodes as separate JVM processes (scripts/start-node.sh, the shipped persistent ")
            .append("config/default-config.xml, ports and work directories of the run's own), the data set loaded into a ")
            .append("collection and settled, then each measurement below. Every figure is a ratio or count from this run ")
            .append("with its raw numbers beside it. Command:\n\n```\n").append(cmd).append("\n```\n\n");

        md.append("### Run\n\n| | |\n|---|---|\n");
        row(md, "date", meta.get("date"));
        row(md, "machine", meta.get("cpu"));
        row(md, "load average before / after", meta.get("load.before") + " / " + meta.get("load.after")
            + " (1, 5, 15 min; the machine is shared: other builds ran meanwhile)");
        row(md, "processes", meta.get("nodes") + " node JVMs (" + meta.get("node.jvm.opts") + ", searchThreads "
            + meta.get("search.threads") + " each, from the shipped config) and the benchmark's JVM (two thick clients, "
            + "a thin client, the in-JVM search); all share the machine's " + meta.getOrDefault("cores", "?") + " cores, nothing is pinned");
        row(md, "JDK", meta.get("java"));
        row(md, "data", dataset + ": " + meta.get("rows") + " vectors x " + meta.get("dim") + ", " + meta.get("metric") + "; "
            + meta.get("queries") + " queries (the data set's own query set, cycled)");
        row(md, "collection", meta.get("index") + ", " + meta.get("shards") + " shards, inserted in "
            + f("%.0f s", d("load", "insert.seconds")) + " through a thick client, settled (sealed and compacted, every copy "
            + "serviceable) in " + f("%.0f s", d("load", "settle.seconds")) + (l("load", "settled") == 1 ? "" : " (**did not settle**)")
            + " into " + s("load", "segments") + " segments: " + s("load", "segment.list"));
        row(md, "searches", "top-" + meta.get("k") + " of one query vector per search, ef " + meta.get("ef")
            + " given explicitly (the same ef in the in-JVM search)");
        row(md, "duration", f("%.0f min", d("run", "seconds") / 60));
        if (error("run") != null)
            row(md, "run error", error("run"));
        md.append('\n');

        goals(md);
        if (analysis != null && !analysis.isBlank()) {
            // Its headings sit below this section's.
            md.append(analysis.strip().replaceAll("(?m)^# ", "### ")).append("\n\n");
        }
        details(md, pngs);
        return md.toString();
    }

    private void goals(StringBuilder md) {
        md.append("### Goals\n\n| # | goal | measured | raw numbers | status |\n|---|---|---|---|---|\n");
        // 1. router overhead
        {
            String nm = notMeasured("overhead");
            double sp = d("overhead", "search.p50.ms");
            double fp = d("overhead", "floor.p50.ms");
            double wp = d("overhead", "work.p50.ms");
            double net = sp - fp - wp;
            double gross = sp - fp;
            md.append("| 1 | router overhead: p50 of a single-query search (replicaNumber 1, one client thread, thick client) ")
                .append("<= ").append(OVERHEAD_GOAL_MS).append(" ms over the Ignite compute floor | ");
            if (nm != null)
                md.append(" | | ").append(nm).append(" |\n");
            else {
                md.append(f("**%.3f ms** over the floor net of the segment search itself (p50 search - p50 floor - p50 segment search); "
                    + "%.3f ms gross (p50 search - p50 floor); paired per query, median %.3f ms", net, gross,
                    d("overhead", "paired.net.p50.ms")))
                    .append(" | ").append(f("search p50 %.3f / p99 %.3f ms; floor (empty job broadcast to the same %d nodes, same client) "
                        + "p50 %.3f / p99 %.3f ms; segment search in-JVM, slowest segment of the query, p50 %.3f / p99 %.3f ms; %d queries each",
                        sp, d("overhead", "search.p99.ms"), l("overhead", "fanout"), fp, d("overhead", "floor.p99.ms"), wp,
                        d("overhead", "work.p99.ms"), l("overhead", "queries")))
                    .append(" | ").append(status(true, net <= OVERHEAD_GOAL_MS))
                    .append(gross <= OVERHEAD_GOAL_MS ? "" : f(" (gross %.3f ms: not met)", gross)).append(" |\n");
            }
        }
        // 2. throughput
        {
            String nm = notMeasured("throughput");
            String[][] clients = {{"cluster", "the thick client (routing in the benchmark's JVM)", "a"},
                {"thin", "a thin client (routed by the server node it is connected to, " + s("throughput", "thin.router") + ")", "b"}};
            boolean any = false;
            for (String[] cl : clients) {
                List<Double> ratios = new ArrayList<>();
                List<Double> cpuRatios = new ArrayList<>();
                StringBuilder raw = new StringBuilder();
                for (int r = 1; r <= 10; r++) {
                    String p = "round" + r;
                    double c = d("throughput", p + "." + cl[0] + ".qps");
                    double dd = d("throughput", p + ".direct.qps");
                    if (Double.isNaN(c) || Double.isNaN(dd))
                        continue;
                    ratios.add(c / dd);
                    double ce = perCpu(p + "." + cl[0], true);
                    double de = perCpu(p + ".direct", false);
                    if (!Double.isNaN(ce) && !Double.isNaN(de))
                        cpuRatios.add(ce / de);
                    raw.append(raw.length() == 0 ? "" : "; ").append(f("round %d: cluster %.0f QPS (p99 %s, %s searches per CPU-second of "
                        + "the nodes and the benchmark's JVM) vs in-JVM %.0f QPS (p99 %s, %s per CPU-second of the benchmark's JVM)",
                        r, c, ms(d("throughput", p + "." + cl[0] + ".p99.ms")), num(ce), dd, ms(d("throughput", p + ".direct.p99.ms")), num(de)));
                }
                if (ratios.isEmpty())
                    continue;
                any = true;
                double med = median(ratios);
                double cpuMed = median(cpuRatios);
                md.append("| 2").append(cl[2]).append(" | throughput: cluster QPS with ").append(meta.get("threads"))
                    .append(" client threads through ").append(cl[1]).append(" >= ").append(THROUGHPUT_GOAL)
                    .append(" x the same segments searched in one JVM with the same threads | ")
                    .append(f("QPS **%.2f x**; searches per CPU-second **%s x** (medians of %d rounds; per round %s and %s)", med,
                        Double.isNaN(cpuMed) ? "n/a" : f("%.2f", cpuMed), ratios.size(), list(ratios), cpuRatios.isEmpty() ? "n/a" : list(cpuRatios)))
                    .append(" | ").append(raw);
                if (cl[0].equals("cluster")) {
                    md.append(f("; %d of %d queries returned identical top-%s both ways, recall@10 %.4f (cluster) / %.4f (in-JVM)",
                        l("throughput", "identical.results"), l("throughput", "recall.queries"), meta.get("k"),
                        d("throughput", "cluster.recall"), d("throughput", "direct.recall")));
                    if (s("throughput", "fanout") != null)
                        md.append(f("; a search touched %s node(s) (%s)", s("throughput", "fanout"), s("throughput", "fanout.nodes")));
                }
                md.append(" | ");
                if (Double.isNaN(cpuMed))
                    md.append(status(true, med >= THROUGHPUT_GOAL));
                else if (med >= THROUGHPUT_GOAL && cpuMed < THROUGHPUT_GOAL)
                    md.append("**not met** by CPU per search (QPS ratio above the goal only because the busy machine gives CPU by runnable thread: see below)");
                else
                    md.append(status(true, med >= THROUGHPUT_GOAL && cpuMed >= THROUGHPUT_GOAL));
                md.append(" |\n");
            }
            if (!any)
                md.append("| 2 | throughput | | | ").append(nm != null ? nm : "not measured").append(" |\n");
        }
        // 3. stall
        {
            String nm = notMeasured("stall");
            String v = s("stall", "victim");
            if (nm != null && Double.isNaN(d("stall", "thin.calls")))
                md.append("| 3 | SIGSTOP of one node | | | ").append(nm).append(" |\n");
            else {
                String[][] routers = {{"thin", "a thin client connected to a live node (the router is that server node)"},
                    {"thick", "a thick client (it routes itself)"}};
                String letter = "abcdef";
                int li = 0;
                for (String[] r : routers) {
                    double hp = d("stall", r[0] + ".healthy.p99.ms");
                    double sp = d("stall", r[0] + ".during.p99.ms");
                    if (Double.isNaN(hp))
                        continue;
                    md.append("| 3").append(letter.charAt(li++)).append(" | SIGSTOP of one node for ").append(meta.get("stall.seconds"))
                        .append(" s (below failure detection), replicaNumber 2, ").append(meta.get("steady.threads"))
                        .append(" search threads through ").append(r[1]).append(": p99 of the searches in flight during the stall <= ")
                        .append(STALL_GOAL).append(" x healthy p99; failed searches = 0 | ")
                        .append(f("**%.2f x**, **%d failed**, worst %s", sp / hp, l("stall", r[0] + ".failed"), ms(d("stall", r[0] + ".worst.ms"))))
                        .append(" | ").append(f("stopped %s; p99 %s over %d searches in flight during the stall (%d of them over 1 s), "
                            + "healthy p99 %s (p50 %s) over %d searches before it; after SIGCONT p99 %s; %d searches hedged; %d searches in the phase",
                            v, ms(sp), l("stall", r[0] + ".during.calls"), l("stall", r[0] + ".during.over.1s"), ms(hp),
                            ms(d("stall", r[0] + ".healthy.p50.ms")), l("stall", r[0] + ".healthy.calls"), ms(d("stall", r[0] + ".after.p99.ms")),
                            l("stall", r[0] + ".hedged.calls"), l("stall", r[0] + ".calls")))
                        .append(" | ").append(status(true, sp <= STALL_GOAL * hp)).append(" (p99), ")
                        .append(status(true, l("stall", r[0] + ".failed") == 0)).append(" (failed) |\n");
                }
                long used = Math.max(l("stall", "thin.victim.used.after"), l("stall", "thick.victim.used.after"));
                md.append("| 3").append(letter.charAt(li)).append(" | stall: the resumed node is used again (diagnostics segmentNodes) | **")
                    .append(used > 0 ? "yes" : "no").append("** | ")
                    .append(f("%s served segments of %d of %d thin-client searches after SIGCONT (the first %s after it) and of %d of %d thick-client ones",
                        v, l("stall", "thin.victim.used.after"), l("stall", "thin.after.calls"), ms(d("stall", "thin.victim.first.use.after.cont.ms")),
                        l("stall", "thick.victim.used.after"), l("stall", "thick.after.calls")))
                    .append(" | ").append(status(true, used > 0)).append(" |\n");
            }
        }
        // 3'. slow node
        {
            String nm = notMeasured("slow");
            md.append("| 3s | a slow node (throttled: stopped ").append(meta.get("slow.stop.ms")).append(" ms of every ")
                .append(slowPeriod()).append(" ms): adaptive replica choice (default) vs round-robin, ")
                .append(meta.get("slow.threads")).append(" search threads, thick clients | ");
            double[] a = slowAgg("adaptive");
            double[] rr = slowAgg("round-robin");
            if (Double.isNaN(a[0]) || Double.isNaN(rr[0]))
                md.append(" | | ").append(nm != null ? nm : "not measured").append(" |\n");
            else {
                md.append(f("p99 **%s vs %s**, QPS **%.0f vs %.0f** (adaptive vs round-robin; the worse round's p99, QPS over all rounds)", ms(a[2]), ms(rr[2]), a[0], rr[0]))
                    .append(" | ").append(f("slow node %s; share of segment searches on it %.0f%% vs %.0f%%; the same clients with every node healthy: p99 %s vs %s, QPS %.0f vs %.0f",
                        s("slow", "victim"), 100 * a[5], 100 * rr[5], ms(d("slow", "healthy.adaptive.p99.ms")),
                        ms(d("slow", "healthy.round-robin.p99.ms")), d("slow", "healthy.adaptive.qps"), d("slow", "healthy.round-robin.qps")))
                    .append(" | no goal set; ").append(a[2] <= rr[2] ? "adaptive has the lower p99" : "adaptive has the HIGHER p99")
                    .append(nm != null ? " (" + nm + ")" : "").append(" |\n");
            }
        }
        // 4. kill
        {
            String nm = notMeasured("kill");
            if (nm != null && Double.isNaN(d("kill", "search.calls")))
                md.append("| 4 | kill -9 under search + insert load | | | ").append(nm).append(" |\n");
            else {
                long fs = l("kill", "search.failed");
                md.append("| 4a | kill -9 of the thin client's node under search + insert load (replicaNumber 2, thin client given every ")
                    .append("address): failed searches = 0 | **").append(fs).append("** | ")
                    .append(f("killed %s; %d searches (%d in flight or started after the kill)", s("kill", "victim"), l("kill", "search.calls"),
                        l("kill", "search.after.kill.calls")))
                    .append(" | ").append(status(true, fs == 0)).append(" |\n");
                long lost = l("kill", "acked.lost");
                md.append("| 4b | kill -9: acknowledged inserts lost = 0 | **").append(lost).append("** | ")
                    .append(f("%d insert batches, %d failed (not acknowledged: may or may not have landed); %d acknowledged rows, each read back with get",
                        l("kill", "insert.calls"), l("kill", "insert.failed"), l("kill", "inserted.acked.rows")))
                    .append(" | ").append(status(lost >= 0, lost == 0)).append(" |\n");
                double worst = d("kill", "search.max.ms");
                md.append("| 4c | kill -9: worst search latency < 1 s | **").append(ms(worst)).append("** | ")
                    .append(f("search p50 %s, p99 %s over the phase; after the kill p99 %s; worst insert %s%s", ms(d("kill", "search.p50.ms")),
                        ms(d("kill", "search.p99.ms")), ms(d("kill", "search.after.kill.p99.ms")), ms(d("kill", "insert.max.ms")),
                        Double.isNaN(d("kill", "thin.hedged")) ? "" : f("; the thin client hedged %d searches on its standby connection, "
                            + "%d answered there first", l("kill", "thin.hedged"), l("kill", "thin.hedge.wins"))))
                    .append(" | ").append(status(!Double.isNaN(worst), worst < KILL_WORST_GOAL_MS)).append(" |\n");
                if (nm != null)
                    md.append("| 4 | kill phase error | | | ").append(nm).append(" |\n");
            }
        }
        // 5. rolling
        {
            String nm = notMeasured("rolling");
            if (nm != null && Double.isNaN(d("rolling", "search.calls")))
                md.append("| 5 | rolling restart | | | ").append(nm).append(" |\n");
            else {
                long fs = l("rolling", "search.failed");
                md.append("| 5a | rolling restart of every node under load (SIGTERM, start, wait until every copy is back on 2 nodes, next): ")
                    .append("failed searches = 0 | **").append(fs).append("** | ")
                    .append(f("%d searches, worst %s, p99 %s", l("rolling", "search.calls"), ms(d("rolling", "search.max.ms")),
                        ms(d("rolling", "search.p99.ms"))))
                    .append(" | ").append(status(true, fs == 0)).append(" |\n");
                long fi = l("rolling", "insert.failed");
                md.append("| 5b | rolling restart: failed inserts (reported), acknowledged inserts lost = 0 | **").append(fi)
                    .append(" failed, ").append(l("rolling", "acked.lost")).append(" lost** | ")
                    .append(f("%d insert batches, worst %s; %d acknowledged rows, each read back with get", l("rolling", "insert.calls"),
                        ms(d("rolling", "insert.max.ms")), l("rolling", "inserted.acked.rows")))
                    .append(" | ").append(status(true, l("rolling", "acked.lost") == 0)).append(fi == 0 ? "" : " (inserts failed)")
                    .append(nm != null ? " (" + nm + ")" : "").append(" |\n");
            }
        }
        // 6. scaling
        {
            StringBuilder m = new StringBuilder();
            for (int r = 1; r <= 3; r++) {
                double q = d("scaling.r" + r, "cluster.qps");
                if (!Double.isNaN(q))
                    m.append(m.length() == 0 ? "" : ", ").append(f("R=%d: %.0f QPS (p99 %s)", r, q, ms(d("scaling.r" + r, "cluster.p99.ms"))));
                else if (error("scaling.r" + r) != null || error("reshape.r" + r) != null)
                    m.append(m.length() == 0 ? "" : ", ").append("R=").append(r).append(": not measured");
            }
            md.append("| 6 | replica scaling: QPS at replicaNumber 1, 2, 3 with a fixed per-node search pool (searchThreads ")
                .append(meta.get("search.threads")).append("), ").append(meta.get("threads")).append(" client threads | ")
                .append(m).append(" | see Replica scaling below | no goal; ")
                .append(meta.getOrDefault("cores", "?")).append(" shared cores cannot show added capacity |\n");
        }
        md.append('\n');
    }

    /**
     * @param cluster whether the searches ran on the nodes (CPU of the nodes and of the benchmark's JVM) or in the
     *     benchmark's JVM alone.
     * @return searches per CPU-second in a measured window, or NaN if its CPU time was not recorded.
     */
    private double perCpu(String key, boolean cluster) {
        return perCpu("throughput", key, cluster);
    }

    private double perCpu(String phase, String key, boolean cluster) {
        double calls = d(phase, key + ".calls");
        double cpu = d(phase, key + ".cpu.bench.s") + (cluster ? d(phase, key + ".cpu.nodes.s") : 0);
        return calls / cpu;
    }

    /** @return the JIT compilers' CPU in a measured throughput window and the warm-up before it, or n/a. */
    private String jit(String key) {
        double j = d("throughput", key + ".cpu.jit.s");
        return Double.isNaN(j) ? "n/a" : f("%.2f, %.0f s", j, d("throughput", key + ".warmup.s"));
    }

    /** @return the machine stalls the benchmark's JVM saw in a measured window: their sum and the longest. */
    private String stalls(String phase, String key) {
        double sum = d(phase, key + ".stalls.ms");
        if (Double.isNaN(sum))
            return "n/a";
        return sum == 0 ? "none" : f("%.1f s (%s)", sum / 1000, ms(d(phase, key + ".stall.max.ms")));
    }

    private String slowPeriod() {
        try {
            return Integer.toString(Integer.parseInt(meta.get("slow.stop.ms")) + Integer.parseInt(meta.get("slow.run.ms")));
        }
        catch (RuntimeException e) {
            return "?";
        }
    }

    /** @return {qps, p50, p99, calls, failed, victim share} of a replica choice over the slow rounds (calls-weighted). */
    private double[] slowAgg(String choice) {
        double calls = 0;
        double secs = 0;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        double share = 0;
        double failed = 0;
        int rounds = 0;
        for (int r = 1; r <= 10; r++) {
            String k = "round" + r + ".slow." + choice;
            double q = d("slow", k + ".qps");
            if (Double.isNaN(q))
                continue;
            double c = d("slow", k + ".calls");
            calls += c;
            secs += c / q;
            p50 = Double.isNaN(p50) ? d("slow", k + ".p50.ms") : Math.max(p50, d("slow", k + ".p50.ms"));
            p99 = Double.isNaN(p99) ? d("slow", k + ".p99.ms") : Math.max(p99, d("slow", k + ".p99.ms"));
            share += d("slow", k + ".victim.share") * c;
            failed += d("slow", k + ".failed");
            rounds++;
        }
        if (rounds == 0)
            return new double[] {Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN};
        return new double[] {calls / secs, p50, p99, calls, failed, share / calls};
    }

    private void details(StringBuilder md, Map<String, String> pngs) {
        md.append("### Router overhead\n\n");
        md.append("The thick client in the benchmark's JVM routes (plans, sends one job per node, merges). With replicaNumber 1 ")
            .append("and ").append(meta.get("shards")).append(" shards a search touches ").append(s("overhead", "fanout"))
            .append(" node(s) (").append(s("overhead", "fanout.nodes")).append("). The floor is Ignite's own cost for the same fan-out: ")
            .append("an empty job (Ignite's NoOpClosure) broadcast to the same nodes through the same client, timed alternately with ")
            .append("the searches").append(s("overhead", "warmup.queries") == null ? "" : ", after " + s("overhead", "warmup.queries")
                + " warm-up rounds of each (at least " + meta.get("warmup.seconds") + " s, then until the JIT compilers of every "
                + "process were quiet, as in the throughput windows)").append(". The segment search itself (HNSW at ef ").append(meta.get("ef"))
            .append(") is timed in the benchmark's JVM on the same segments; the nodes search their segments in parallel, so a query's ")
            .append("work is its slowest segment.\n\n");
        md.append("| | p50 | p99 | mean | max |\n|---|---|---|---|---|\n");
        for (String[] w : new String[][] {{"search", "cluster search"}, {"floor", "empty compute broadcast (floor)"},
            {"work", "segment search in-JVM, slowest segment"}, {"work.sum", "segment search in-JVM, all segments one after the other"}}) {
            md.append("| ").append(w[1]).append(" | ").append(f("%.3f", d("overhead", w[0] + ".p50.ms"))).append(" | ")
                .append(f("%.3f", d("overhead", w[0] + ".p99.ms"))).append(" | ").append(f("%.3f", d("overhead", w[0] + ".mean.ms")))
                .append(" | ").append(f("%.3f", d("overhead", w[0] + ".max.ms"))).append(" |\n");
        }
        md.append("\nAll in ms.\n\n");

        md.append("### Throughput against the same segments in one JVM\n\n");
        md.append("The target's sealed segments were read from the cluster's segments cache (SegmentStorage), decoded (SealedSegment) ")
            .append("and their stored HNSW indexes read (VectorIndexes, no rebuild) in the benchmark's JVM, then searched with the same ef ")
            .append("and merged to the top-").append(meta.get("k")).append(" as the router merges (by distance, ties by key). ")
            .append("Both ran ").append(meta.get("threads")).append(" closed-loop client threads, ").append(meta.get("warmup.seconds"))
            .append(" s warm-up then ").append(meta.get("seconds")).append(" s measured, in turns (in-JVM, thick client, thin client) ")
            .append("within each round.\n\n");
        md.append("| round | in-JVM QPS | p50 / p99 | per CPU-s | thick client QPS | p50 / p99 | per CPU-s | ratio QPS / per CPU-s | "
            + "thin client QPS | p50 / p99 | per CPU-s | ratio QPS / per CPU-s | machine stalls (in-JVM / thick / thin) | "
            + "JIT compiler CPU-s in the window, warm-up s (in-JVM / thick / thin) |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int r = 1; r <= 10; r++) {
            String p = "round" + r;
            double dd = d("throughput", p + ".direct.qps");
            if (Double.isNaN(dd))
                continue;
            double de = perCpu(p + ".direct", false);
            md.append(f("| %d | %.0f | %s / %s | %.0f", r, dd, ms(d("throughput", p + ".direct.p50.ms")), ms(d("throughput", p + ".direct.p99.ms")), de));
            for (String c : List.of("cluster", "thin")) {
                double q = d("throughput", p + "." + c + ".qps");
                double e = perCpu(p + "." + c, true);
                md.append(f(" | %.0f | %s / %s | %.0f | %.2f / %.2f", q, ms(d("throughput", p + "." + c + ".p50.ms")),
                    ms(d("throughput", p + "." + c + ".p99.ms")), e, q / dd, e / de));
            }
            md.append(" | ").append(stalls("throughput", p + ".direct")).append(" / ").append(stalls("throughput", p + ".cluster"))
                .append(" / ").append(stalls("throughput", p + ".thin")).append(" | ").append(jit(p + ".direct")).append(" / ")
                .append(jit(p + ".cluster")).append(" / ").append(jit(p + ".thin")).append(" |\n");
        }
        md.append("\nPer CPU-s: searches completed per second of CPU time (user + system, from /proc) used in the measured window by the ")
            .append("processes doing the work: the benchmark's JVM for the in-JVM search; the three node processes and the benchmark's JVM ")
            .append("(clients, and for the thick client the routing) for the cluster. On a machine shared with other work the QPS ratio is ")
            .append("not the cluster's cost: the kernel shares a busy CPU by runnable thread, and the cluster runs more threads (")
            .append(meta.get("threads")).append(" clients, ").append(meta.get("search.threads")).append(" search threads per node, Ignite's ")
            .append("pools) than the in-JVM search (").append(meta.get("threads")).append("), so it gets a larger share of what the other ")
            .append("work leaves. CPU per search does not depend on that share; on a machine of its own, saturated, QPS is cores times ")
            .append("searches per CPU-second, so the CPU ratio is the throughput ratio such a machine would show. Machine stalls: ")
            .append("wake-ups of a thread in the benchmark's JVM more than 100 ms late; in the in-JVM windows that thread competes with the ")
            .append("same JVM's ").append(meta.get("threads")).append(" search threads on ").append(meta.getOrDefault("cores", "?"))
            .append(" cores, so its late wake-ups there are that JVM's own queueing (as is the in-JVM p99). Each warm-up lasts ")
            .append(meta.get("warmup.seconds")).append(" s and then until the JIT compiler threads of every process involved ")
            .append("(the nodes and the benchmark's JVM) use less than ").append(meta.getOrDefault("jit.quiet.cpu", "?"))
            .append(" cores together over a second (at most ").append(meta.getOrDefault("jit.warmup.max.seconds", "?"))
            .append(" s), so the windows measure warmed code; the compilers' CPU left in a window is in the last column and ")
            .append("counts in the CPU per search.\n");
        md.append('\n');

        md.append("### Stall, hedging and a slow node\n\n");
        if (pngs.containsKey("stall"))
            md.append("![search latency over time, SIGSTOP and SIGCONT marked](").append(pngs.get("stall")).append(")\n\n");
        if (pngs.containsKey("p99"))
            md.append("![p99 healthy, stalled, hedged; slow node adaptive vs round-robin](").append(pngs.get("p99")).append(")\n\n");
        md.append(f("Node %s was stopped (SIGSTOP) for %s s and resumed (SIGCONT), under two search loads at once: %s threads through a thin "
            + "client connected to %s (the search router is that server node: it reads the collection's metadata from its own replica) "
            + "and %s threads through the benchmark's thick client (it routes itself, and a client node holds no replica of the metadata: "
            + "it reads the collection's catalog entry and target from their primary nodes, %s and %s). ", s("stall", "victim"),
            meta.get("stall.seconds"), meta.get("steady.threads"), s("stall", "thin.router"), meta.get("steady.threads"),
            s("stall", "catalog.primary"), s("stall", "state.primary")))
            .append(l("stall", "victim.state.primary") == 1 || l("stall", "victim.catalog.primary") == 1
                ? "The stopped node is a primary of that metadata (chosen so: the worst case for a thick client).\n\n"
                : "The stopped node is no primary of that metadata.\n\n");
        md.append("| client | searches | calls | p50 | p99 | max |\n|---|---|---|---|---|---|\n");
        for (String r : List.of("thin", "thick")) {
            for (String[] w : new String[][] {{"healthy", "healthy (before SIGSTOP)"}, {"during", "in flight during the stall"},
                {"hedged", "hedged (a job passed its deadline)"}, {"after", "after SIGCONT"}}) {
                md.append("| ").append(r).append(" | ").append(w[1]).append(" | ").append(l("stall", r + "." + w[0] + ".calls")).append(" | ")
                    .append(ms(d("stall", r + "." + w[0] + ".p50.ms"))).append(" | ").append(ms(d("stall", r + "." + w[0] + ".p99.ms")))
                    .append(" | ").append(ms(d("stall", r + "." + w[0] + ".max.ms"))).append(" |\n");
            }
        }
        md.append('\n');
        md.append("Slow node ").append(s("slow", "victim")).append(" (no primary of the collection's metadata, so only the copies the routers ")
            .append("choose meet it; of such nodes the one round-robin gave the most segment searches while all were healthy): stopped ").append(meta.get("slow.stop.ms")).append(" ms of every ").append(slowPeriod())
            .append(" ms by a shell loop sending SIGSTOP and SIGCONT, as CFS bandwidth control throttles a container that used its CPU quota ")
            .append("for the period; it stays in the topology, work sent to it waits up to ").append(meta.get("slow.stop.ms"))
            .append(" ms and runs at a part of its speed, and it burns no CPU of the shared machine. Two thick clients in the benchmark's ")
            .append("JVM route, one with replicaChoice adaptive (the default), one round-robin, taking turns (")
            .append(meta.get("slow.threads")).append(" threads, ").append(meta.get("warmup.seconds")).append(" s warm-up, ")
            .append(meta.get("seconds")).append(" s measured each).\n\n");
        md.append("| replica choice | nodes | QPS | p50 | p99 | share of segment searches on the slow node | segment searches by node |\n|---|---|---|---|---|---|---|\n");
        for (String c : List.of("adaptive", "round-robin")) {
            md.append(f("| %s | healthy | %.0f | %s | %s | %.0f%% | %s |\n", c, d("slow", "healthy." + c + ".qps"), ms(d("slow", "healthy." + c + ".p50.ms")),
                ms(d("slow", "healthy." + c + ".p99.ms")), 100 * d("slow", "healthy." + c + ".victim.share"),
                s("slow", "healthy." + c + ".segments.by.node")));
            for (int r = 1; r <= 10; r++) {
                String k = "round" + r + ".slow." + c;
                if (Double.isNaN(d("slow", k + ".qps")))
                    continue;
                md.append(f("| %s | %s throttled, round %d | %.0f | %s | %s | %.0f%% | %s |\n", c, s("slow", "victim"), r, d("slow", k + ".qps"),
                    ms(d("slow", k + ".p50.ms")), ms(d("slow", k + ".p99.ms")), 100 * d("slow", k + ".victim.share"),
                    s("slow", k + ".segments.by.node")));
            }
        }
        md.append('\n');

        md.append("### kill -9 under load\n\n");
        if (pngs.containsKey("kill"))
            md.append("![every search's and insert's latency over time, the kill marked](").append(pngs.get("kill")).append(")\n\n");
        md.append(f("Node %s (the one the thin client's searches were routed through) was killed with SIGKILL; it was then started again, ", s("kill", "victim")))
            .append(f("and every copy was back on 2 nodes %.0f s later. ", d("kill", "restart.back.seconds")))
            .append(f("Searches: %d, failed %d, p99 %s, worst %s. Inserts: %d batches of %s rows, failed %d, worst %s; %d rows acknowledged, %d lost.\n\n",
                l("kill", "search.calls"), l("kill", "search.failed"), ms(d("kill", "search.p99.ms")), ms(d("kill", "search.max.ms")),
                l("kill", "insert.calls"), meta.get("insert.batch"), l("kill", "insert.failed"), ms(d("kill", "insert.max.ms")),
                l("kill", "inserted.acked.rows"), l("kill", "acked.lost")));
        failures(md, "kill");

        md.append("### Rolling restart\n\n");
        if (pngs.containsKey("rolling"))
            md.append("![latency over time during the rolling restart](").append(pngs.get("rolling")).append(")\n\n");
        md.append("| node | SIGTERM to exit (drain and stop) | start to serving | serving to every copy back on 2 nodes |\n|---|---|---|---|\n");
        for (Map.Entry<String, String> e : stats.getOrDefault("rolling", Map.of()).entrySet()) {
            if (!e.getKey().endsWith(".stop.seconds"))
                continue;
            String node = e.getKey().substring(0, e.getKey().length() - ".stop.seconds".length());
            md.append(f("| %s | %.1f s | %.1f s | %.1f s%s |\n", node, d("rolling", node + ".stop.seconds"), d("rolling", node + ".serving.seconds"),
                d("rolling", node + ".copies.back.seconds"), l("rolling", node + ".settled") == 1 ? "" : " (timed out)"));
        }
        md.append(f("\nSearches: %d, failed %d, p99 %s, worst %s. Inserts: %d batches, failed %d, worst %s; %d rows acknowledged, %d lost.\n\n",
            l("rolling", "search.calls"), l("rolling", "search.failed"), ms(d("rolling", "search.p99.ms")), ms(d("rolling", "search.max.ms")),
            l("rolling", "insert.calls"), l("rolling", "insert.failed"), ms(d("rolling", "insert.max.ms")), l("rolling", "inserted.acked.rows"),
            l("rolling", "acked.lost")));
        failures(md, "rolling");

        md.append("### Replica scaling\n\n");
        md.append("| replicaNumber | QPS | p50 | p99 | searches per CPU-second (nodes + benchmark JVM) | machine stalls in the window (longest) | replica change | every copy serviceable after | nodes quiet after |\n")
            .append("|---|---|---|---|---|---|---|---|---|\n");
        for (int r = 1; r <= 3; r++) {
            String p = "scaling.r" + r;
            if (stats.get(p) == null)
                continue;
            String q = r == 1 ? "load" : "reshape.r" + r;
            md.append(f("| %d | %.0f | %s | %s | %.0f | %s | %s | %s | %s |\n", r, d(p, "cluster.qps"), ms(d(p, "cluster.p50.ms")), ms(d(p, "cluster.p99.ms")),
                perCpu(p, "cluster", true), stalls(p, "cluster"), r == 1 ? "(created with 1)" : f("%.0f s", d("reshape.r" + r, "change.seconds")),
                r == 1 ? "" : f("%.0f s", d("reshape.r" + r, "settle.seconds")),
                Double.isNaN(d(q, "quiet.wait.seconds")) ? "" : f("%.0f s%s", d(q, "quiet.wait.seconds"), l(q, "quiet") == 1 ? "" : " (not quiet: timed out)")));
        }
        md.append("\nMeasured in the order 1, 3, 2 (replica changes copy segments, they do not rebuild them), each after the nodes ")
            .append("were quiet (their processes together below ").append(meta.getOrDefault("quiet.cpu", "0.3"))
            .append(" of a core over 3 s, and the machine's dirty pages below ").append(meta.getOrDefault("quiet.dirty.mb", "128"))
            .append(" MB, at most ").append(meta.getOrDefault("quiet.timeout", "90")).append(" s). Machine stalls: wake-ups of a ")
            .append("thread in the benchmark's JVM more than 100 ms late (the nodes log theirs at the same instants: the whole machine ")
            .append("stood still). ")
            .append("**What this machine can and cannot show:** every node process, the benchmark's clients and its in-JVM search run on the ")
            .append("same ").append(meta.getOrDefault("cores", "?")).append(" cores, so more replicas add no CPU to search with: a change ")
            .append("in QPS here is the cost or gain of routing over more copies (more candidate nodes per segment, jobs spread over more ")
            .append("processes), not capacity. On machines where each node has cores of its own, R copies multiply the CPU that serves ")
            .append("a segment, which is what replica scaling is for; run the same script there (NODES and sizes are arguments and ")
            .append("environment variables).\n\n");
        List<String> errs = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : stats.entrySet()) {
            if (e.getValue().containsKey("error"))
                errs.add(e.getKey() + ": " + e.getValue().get("error"));
        }
        if (!errs.isEmpty()) {
            md.append("### Errors in this run\n\n");
            for (String e : errs)
                md.append("- ").append(e.replace("|", "\\|")).append('\n');
            md.append('\n');
        }
    }

    /** Lists the first failed calls of a phase, and the thread dumps taken while a call hung. */
    private void failures(StringBuilder md, String phase) {
        for (String[] ev : events.getOrDefault(phase, List.of())) {
            if (ev[3].contains("thread dumps"))
                md.append("Watchdog: ").append(ev[3].replace("|", "\\|")).append(" (files kept with the run's logs, not in the repository).\n\n");
        }
        List<String> fs = new ArrayList<>();
        for (String[] o : ops.getOrDefault(phase, List.of())) {
            if ("0".equals(o[5]) && fs.size() < 5)
                fs.add(f("%s at %.1f s after %s: %s", o[2], Double.parseDouble(o[3]) / 1000, ms(Double.parseDouble(o[4])),
                    o.length > 6 ? o[6].replace("|", "\\|") : ""));
        }
        if (!fs.isEmpty()) {
            md.append("First failed calls:\n\n");
            for (String x : fs)
                md.append("- ").append(x).append('\n');
            md.append('\n');
        }
    }

    private static String list(List<Double> xs) {
        List<String> s = new ArrayList<>();
        for (double x : xs)
            s.add(f("%.2f", x));
        return String.join(", ", s);
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty())
            return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v == null ? "" : v.replace("|", "\\|")).append(" |\n");
    }

    // ---------------------------------------------------------------- plots

    /** Every search's (and insert's) latency over the phase, log scale, the benchmark's actions marked. */
    private boolean timeline(String phase, Path png) throws IOException {
        List<String[]> os = ops.get(phase);
        if (os == null || os.isEmpty())
            return false;
        double t0 = Double.MAX_VALUE;
        double t1 = 0;
        for (String[] o : os) {
            t0 = Math.min(t0, Double.parseDouble(o[3]));
            t1 = Math.max(t1, Double.parseDouble(o[3]));
        }
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        double ymin = Double.MAX_VALUE;
        double ymax = 0;
        for (String[] o : os) {
            String name = o[2] + ("1".equals(o[5]) ? "" : " FAILED");
            double y = Math.max(0.05, Double.parseDouble(o[4]));
            series.computeIfAbsent(name, x -> new ArrayList<>()).add(new double[] {(Double.parseDouble(o[3]) - t0) / 1000, y});
            ymin = Math.min(ymin, y);
            ymax = Math.max(ymax, y);
        }
        String title = meta.get("dataset") + ", " + meta.get("nodes") + " nodes, replicaNumber 2: " + switch (phase) {
            case "stall" -> "SIGSTOP of one node for " + meta.get("stall.seconds") + " s (thin and thick client at once)";
            case "kill" -> "kill -9 of one node under search + insert load (thin client)";
            default -> "rolling restart of every node under search + insert load (thin client)";
        };
        XYChart chart = new XYChartBuilder().width(1200).height(650).title(title)
            .xAxisTitle("seconds since the load started (each point one call, at its start)").yAxisTitle("latency, ms (log scale)").build();
        Styler st = chart.getStyler();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setDecimalPattern("#,##0.##");
        st.setAntiAlias(true);
        Map<String, Color> colors = new java.util.HashMap<>(Map.of("search", new Color(0, 114, 178), "insert", new Color(0, 158, 115),
            "search FAILED", Color.RED, "insert FAILED", new Color(230, 100, 0), "floor", Color.GRAY, "work", Color.DARK_GRAY));
        colors.put(ClusterBench.THIN_SEARCH, new Color(0, 114, 178));
        colors.put(ClusterBench.THICK_SEARCH, new Color(230, 159, 0));
        colors.put(ClusterBench.THIN_SEARCH + " FAILED", Color.RED);
        colors.put(ClusterBench.THICK_SEARCH + " FAILED", new Color(150, 0, 0));
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            double[] xs = new double[e.getValue().size()];
            double[] ys = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = e.getValue().get(i)[0];
                ys[i] = e.getValue().get(i)[1];
            }
            XYSeries s = chart.addSeries(e.getKey() + " (" + xs.length + ")", xs, ys);
            s.setMarker(e.getKey().contains("FAILED") ? SeriesMarkers.CROSS : SeriesMarkers.CIRCLE);
            s.setMarkerColor(colors.getOrDefault(e.getKey(), Color.BLACK));
        }
        Color[] evColors = {new Color(213, 94, 0), new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233),
            Color.BLACK, new Color(120, 120, 0)};
        int ci = 0;
        for (String[] ev : events.getOrDefault(phase, List.of())) {
            double x = (Double.parseDouble(ev[2]) - t0) / 1000;
            String what = ev[3];
            if (x < 0 || x > (t1 - t0) / 1000 + 1 || what.contains("load starts") || what.contains("load stopped"))
                continue;
            if (phase.equals("rolling") && !what.startsWith("SIGTERM") && !what.endsWith("serving"))
                continue;
            XYSeries s = chart.addSeries(f("%.1f s: %s", x, what.length() > 48 ? what.substring(0, 48) : what),
                new double[] {x, x}, new double[] {Math.max(0.05, ymin * 0.8), ymax * 1.25});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(evColors[ci++ % evColors.length]);
            s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    /**
     * p99 of the stall's searches (healthy, in flight during the stall, hedged, after SIGCONT), thin and thick client side
     * by side, log scale (a stall's p99 can be a hundred times the healthy one); and beside it, p99 of the slow-node test,
     * adaptive and round-robin side by side, every node healthy and one throttled. Two charts in one image.
     */
    private boolean bars(Path png) throws IOException {
        List<String> stallCats = new ArrayList<>();
        Map<String, List<Double>> stall = new LinkedHashMap<>();
        String[][] keys = {{"healthy", "healthy"}, {"during", "in flight during the stall"}, {"hedged", "hedged"}, {"after", "after SIGCONT"}};
        for (String[] k : keys) {
            // A category needs a value in every series (log scale: no zero, no gap).
            double thin = d("stall", "thin." + k[0] + ".p99.ms");
            double thick = d("stall", "thick." + k[0] + ".p99.ms");
            if (Double.isNaN(thin) || Double.isNaN(thick) || thin <= 0 || thick <= 0)
                continue;
            stallCats.add(k[1]);
            stall.computeIfAbsent("thin client", x -> new ArrayList<>()).add(thin);
            stall.computeIfAbsent("thick client", x -> new ArrayList<>()).add(thick);
        }
        List<String> slowCats = new ArrayList<>();
        Map<String, List<Double>> slow = new LinkedHashMap<>();
        double[][] sv = {{d("slow", "healthy.adaptive.p99.ms"), d("slow", "healthy.round-robin.p99.ms")},
            {slowAgg("adaptive")[2], slowAgg("round-robin")[2]}};
        String[] slowNames = {"every node healthy", "one node throttled"};
        for (int i = 0; i < 2; i++) {
            if (Double.isNaN(sv[i][0]) || Double.isNaN(sv[i][1]))
                continue;
            slowCats.add(slowNames[i]);
            slow.computeIfAbsent("adaptive", x -> new ArrayList<>()).add(sv[i][0]);
            slow.computeIfAbsent("round-robin", x -> new ArrayList<>()).add(sv[i][1]);
        }
        if (stallCats.isEmpty() && slowCats.isEmpty())
            return false;
        List<java.awt.image.BufferedImage> imgs = new ArrayList<>();
        if (!stallCats.isEmpty()) {
            imgs.add(BitmapEncoder.getBufferedImage(barChart(f("SIGSTOP of one node, %s s: p99 (log scale)", meta.get("stall.seconds")),
                stallCats, stall, true, new Color[] {new Color(0, 114, 178), new Color(230, 159, 0)})));
        }
        if (!slowCats.isEmpty()) {
            imgs.add(BitmapEncoder.getBufferedImage(barChart(f("a node stopped %s of every %s ms: p99",
                meta.get("slow.stop.ms"), slowPeriod()), slowCats, slow, false, new Color[] {new Color(0, 158, 115), new Color(213, 94, 0)})));
        }
        int w = 0;
        int h = 0;
        for (java.awt.image.BufferedImage im : imgs) {
            w += im.getWidth();
            h = Math.max(h, im.getHeight());
        }
        java.awt.image.BufferedImage out = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (java.awt.image.BufferedImage im : imgs) {
            g.drawImage(im, x, 0, null);
            x += im.getWidth();
        }
        g.dispose();
        javax.imageio.ImageIO.write(out, "png", png.toFile());
        return true;
    }

    private CategoryChart barChart(String title, List<String> cats, Map<String, List<Double>> series, boolean log, Color[] colors) {
        CategoryChart chart = new CategoryChartBuilder().width(700).height(520)
            .title(meta.get("dataset") + ", " + meta.get("nodes") + " nodes, R = 2: " + title).xAxisTitle("").yAxisTitle("p99 latency, ms").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.#");
        chart.getStyler().setYAxisLogarithmic(log);
        if (log)
            chart.getStyler().setYAxisMin(1.0);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setSeriesColors(colors);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
        for (Map.Entry<String, List<Double>> e : series.entrySet())
            chart.addSeries(e.getKey(), cats, e.getValue());
        return chart;
    }
}
