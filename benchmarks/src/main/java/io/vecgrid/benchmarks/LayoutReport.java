package io.vecgrid.benchmarks;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * Turns the layout benchmark's records (scripts/layout-benchmark.sh: {@link LayoutBench}, {@code SegmentBench build}
 * and the hnswlib C++ build, every record prefixed by its data set) into the "Layout" section of docs/benchmarks.md
 * and its plot. It is the page's generated section {@value #SECTION} ({@link DocSections}): replaced where it is, or
 * appended, and the rest of the page is left as it is; {@link ReportWriter}, which rewrites the whole page, carries it
 * over.
 *
 * <p>Usage: {@code LayoutReport --results R --md docs/benchmarks.md --png docs/benchmarks/layout-qps.png
 * [--analysis benchmarks/layout-analysis.md] [--meta k=v]...}
 */
public final class LayoutReport {
    /** The section's id among the generated sections of the page ({@link DocSections}). */
    static final String SECTION = "layout";
    /** The goal for graph build CPU-seconds against hnswlib C++. */
    static final double BUILD_GOAL = 1.5;

    private final Map<String, String> meta;
    /** Data sets in the order of the run. */
    private final List<String> datasets = new ArrayList<>();
    /** dataset -> engine -> {wall s, threads, CPU s}. */
    private final Map<String, Map<String, double[]>> builds = new LinkedHashMap<>();
    /** dataset -> replicas -> {n, writers, secs, rows/s, cpu, refused, segments at last ack}. */
    private final Map<String, TreeMap<Integer, double[]>> ingest = new LinkedHashMap<>();
    /** dataset -> replicas -> {n, secs, segments, cpu}; rows per segment separately. */
    private final Map<String, TreeMap<Integer, double[]>> settle = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, String>> settleRows = new LinkedHashMap<>();
    /** dataset -> path (cluster | index) -> round -> {n, threads, ef, nq, qps, recall, cpu qps}. */
    private final Map<String, Map<String, TreeMap<Integer, double[]>>> search = new LinkedHashMap<>();
    /** dataset -> replicas -> peak number of segments seen during the ingest. */
    private final Map<String, TreeMap<Integer, Integer>> peakSegments = new LinkedHashMap<>();
    /** dataset -> replicas -> the last timeline sample {seconds since the first insert, rows acknowledged, segments}. */
    private final Map<String, TreeMap<Integer, double[]>> lastSample = new LinkedHashMap<>();
    private final Map<String, String> config = new LinkedHashMap<>();
    private String javaInfo = "";

    LayoutReport(List<String[]> rows, Map<String, String> meta) {
        this.meta = meta;
        for (String[] r : rows) {
            String ds = r[0];
            if (!datasets.contains(ds))
                datasets.add(ds);
            switch (r[1]) {
                case "build":
                    builds.computeIfAbsent(ds, k -> new LinkedHashMap<>()).put(r[2], nums(r, 3, 3));
                    break;
                case "info":
                    if ("java".equals(r[3]) && r[2].startsWith("vecgrid-"))
                        javaInfo = r[4];
                    break;
                case "layout.info":
                    if ("config".equals(r[3]))
                        config.put(ds, r[4]);
                    break;
                case "layout.ingest": {
                    // DS layout.ingest DS N R WRITERS SECS ROWS/S CPU REFUSED SEGS
                    int rep = Integer.parseInt(r[4]);
                    ingest.computeIfAbsent(ds, k -> new TreeMap<>()).put(rep, new double[] {d(r[3]), d(r[5]), d(r[6]),
                        d(r[7]), d(r[8]), d(r[9]), d(r[10])});
                    break;
                }
                case "layout.settle": {
                    // DS layout.settle DS N R SECS SEGS ROWS CPU
                    int rep = Integer.parseInt(r[4]);
                    settle.computeIfAbsent(ds, k -> new TreeMap<>()).put(rep, new double[] {d(r[3]), d(r[5]), d(r[6]),
                        d(r[8])});
                    settleRows.computeIfAbsent(ds, k -> new TreeMap<>()).put(rep, r[7].replace(";", " + "));
                    break;
                }
                case "layout.timeline": {
                    // DS layout.timeline DS R SECS ACKED SEGS OPS
                    int rep = Integer.parseInt(r[3]);
                    peakSegments.computeIfAbsent(ds, k -> new TreeMap<>()).merge(rep, Integer.parseInt(r[6]), Math::max);
                    lastSample.computeIfAbsent(ds, k -> new TreeMap<>()).put(rep, new double[] {d(r[4]), d(r[5]), d(r[6])});
                    break;
                }
                case "layout.search": {
                    // DS layout.search DS N PATH ROUND THREADS EF NQ QPS RECALL CPU_QPS
                    search.computeIfAbsent(ds, k -> new LinkedHashMap<>()).computeIfAbsent(r[4], k -> new TreeMap<>())
                        .put(Integer.parseInt(r[5]), new double[] {d(r[3]), d(r[6]), d(r[7]), d(r[8]), d(r[9]), d(r[10]),
                            d(r[11])});
                    break;
                }
                default:
                    break;
            }
        }
    }

    public static void main(String[] args) throws IOException {
        ReportArgs a = new ReportArgs(args, Set.of("--results", "--md", "--png", "--analysis"),
            "LayoutReport --results R --md MD --png PNG [--analysis F] [--meta k=v]...", "--results", "--md", "--png");
        Path results = a.path("--results");
        Path md = a.path("--md");
        Path png = a.path("--png");
        Map<String, String> meta = a.meta();
        LayoutReport rep = new LayoutReport(ResultsFile.read(results), meta);
        Files.createDirectories(png.toAbsolutePath().getParent());
        rep.plot(png);
        String section = rep.section(md.toAbsolutePath().getParent().relativize(png.toAbsolutePath()).toString(),
            a.fileText("--analysis"));
        String page = Files.isRegularFile(md) ? Files.readString(md, StandardCharsets.UTF_8) : "# Benchmarks\n";
        Files.writeString(md, DocSections.replace(page, SECTION, section), StandardCharsets.UTF_8);
        System.out.println("[layout-report] wrote the layout section of " + md + " and " + png);
    }

    // ---------------------------------------------------------------- figures

    private static String label(String ds) {
        switch (ds) {
            case "fashion-mnist": return "Fashion-MNIST";
            case "glove-100": return "GloVe-100";
            default: return ds;
        }
    }

    private static String metric(String ds) {
        return "glove-100".equals(ds) ? "cosine" : "L2";
    }

    private static String dims(String ds) {
        return "glove-100".equals(ds) ? "100" : "784";
    }

    private int rowsOf(String ds) {
        Map<String, TreeMap<Integer, double[]>> s = search.get(ds);
        if (s != null && !s.isEmpty())
            return (int)s.values().iterator().next().firstEntry().getValue()[0];
        TreeMap<Integer, double[]> in = ingest.get(ds);
        return in == null || in.isEmpty() ? 0 : (int)in.firstEntry().getValue()[0];
    }

    private String sizeLabel(String ds) {
        int n = rowsOf(ds);
        return label(ds) + " " + (n >= 1000 ? Math.round(n / 1000.0) + "k" : String.valueOf(n));
    }

    /** @return the best (highest) wall-clock QPS of a path over the rounds. */
    private static double best(TreeMap<Integer, double[]> rounds, int col) {
        double b = 0;
        for (double[] v : rounds.values())
            b = Math.max(b, v[col]);
        return b;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** @return per-round ratios cluster / index of column {@code col}. */
    private static List<Double> roundRatios(Map<String, TreeMap<Integer, double[]>> s, int col) {
        List<Double> res = new ArrayList<>();
        TreeMap<Integer, double[]> c = s.get("cluster");
        TreeMap<Integer, double[]> i = s.get("index");
        if (c == null || i == null)
            return res;
        for (Map.Entry<Integer, double[]> e : c.entrySet()) {
            double[] o = i.get(e.getKey());
            if (o != null)
                res.add(e.getValue()[col] / o[col]);
        }
        return res;
    }

    private static String join(List<Double> xs, String fmt) {
        List<String> s = new ArrayList<>();
        for (double x : xs)
            s.add(fmt(fmt, x));
        return String.join(", ", s);
    }

    // ---------------------------------------------------------------- plot

    private void plot(Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(600)
            .title("Search cost vs data size: the cluster path against one in-process index over the same rows")
            .xAxisTitle("data set and rows").yAxisTitle("queries per second (wall clock, best round, "
                + meta.getOrDefault("threads", "8") + " client threads, ef " + meta.getOrDefault("ef", "32") + ")").build();
        org.knowm.xchart.style.CategoryStyler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setDecimalPattern("#,##0");
        st.setLabelsVisible(true);
        st.setAntiAlias(true);
        List<String> cats = new ArrayList<>();
        List<Double> cl = new ArrayList<>();
        List<Double> one = new ArrayList<>();
        for (String ds : datasets) {
            Map<String, TreeMap<Integer, double[]>> s = search.get(ds);
            if (s == null || s.get("cluster") == null || s.get("index") == null)
                continue;
            cats.add(sizeLabel(ds));
            cl.add(best(s.get("cluster"), 4));
            one.add(best(s.get("index"), 4));
        }
        if (cats.isEmpty()) {
            cats.add("no search measured");
            cl.add(0.0);
            one.add(0.0);
        }
        CategorySeries a = chart.addSeries("cluster path (3 nodes in one JVM, R = 2, one segment per shard)", cats, cl);
        a.setFillColor(new Color(0, 114, 178));
        CategorySeries b = chart.addSeries("one in-process index over all rows", cats, one);
        b.setFillColor(new Color(230, 159, 0));
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    // ---------------------------------------------------------------- section

    /** @param analysis hand-written reading of the figures (benchmarks/layout-analysis.md), or {@code null}. */
    String section(String pngRel, String analysis) {
        StringBuilder md = new StringBuilder();
        String cmd = meta.getOrDefault("command", "scripts/layout-benchmark.sh");
        boolean quick = "1".equals(meta.get("quick"));
        md.append("## Layout: search cost vs data size, ingest\n\n");
        md.append("<!-- Generated by scripts/layout-benchmark.sh (io.vecgrid.benchmarks.LayoutReport) from one run; do not "
            + "edit by hand: rerun. -->\n\n");
        if (quick)
            md.append("**A smoke run (`--quick`: fewer rows, queries and rounds); rerun without `--quick` for the figures "
                + "of record.**\n\n");
        md.append("What the collection layout costs against one big index, and how fast a collection ingests and settles, "
            + "measured side by side in one run. Command:\n\n```\n").append(cmd).append("\n```\n\n");

        md.append("| | |\n|---|---|\n");
        row(md, "date", meta.get("date"));
        row(md, "machine", meta.get("cpu") + "; **shared with other engineers' builds and tests**, so wall-clock "
            + "figures are depressed and noisy and only the ratios of one run count");
        row(md, "load average before / after", meta.get("load.before") + " / " + meta.get("load.after"));
        row(md, "JVM", meta.getOrDefault("java", "?") + (javaInfo.isEmpty() ? "" : " (" + javaInfo + ")"));
        List<String> data = new ArrayList<>();
        for (String ds : datasets)
            data.add(label(ds) + ": " + fmt("%,d", rowsOf(ds)) + " x " + dims(ds) + ", " + metric(ds));
        row(md, "data", String.join("; ", data) + "; queries held out from the base (the data sets' own query sets), "
            + "exact ground truth");
        String cfg = config.isEmpty() ? "?" : config.values().iterator().next();
        row(md, "cluster", "3 server nodes in one JVM (as the demo's EmbeddedCluster), in-memory data regions, "
            + "shipped VecgridConfiguration defaults (" + cfg + ")");
        row(md, "search", "each query one request through a node picked at random as router, ef "
            + meta.getOrDefault("ef", "32") + ", k 10, " + meta.getOrDefault("threads", "8") + " client threads; the same "
            + meta.getOrDefault("nq", "?") + " queries, threads and ef on one in-process index (io.vecgrid.index, built by "
            + "`SegmentBench build` over all rows); " + meta.getOrDefault("rounds", "?") + " interleaved rounds (order "
            + "alternated), best round per path, per-round ratios beside");
        row(md, "ingest", "batches of 1,000 rows through the Java API (`VectorGrid.insert`) from "
            + meta.getOrDefault("writers", "4") + " threads, each through another node; rows/s from the first insert to "
            + "the last acknowledgement; then `flush` (the last partial growing rows sealed) and the wait until every "
            + "shard serves one segment with no layout operation in progress");
        row(md, "graph build", "one index over all rows on all " + meta.getOrDefault("cores", "?") + " cores, M "
            + meta.getOrDefault("m", "16") + ", efConstruction " + meta.getOrDefault("efc", "200") + "; hnswlib C++ from "
            + "Debian's libhnswlib-dev headers with g++ -O3 -march=native (cosine: rows normalised, inner-product space, "
            + "as hnswlib's Python binding does)");
        md.append('\n');

        // -------------------------------------------------- search cost
        md.append("### Search cost vs data size\n\n");
        md.append("![cluster path QPS against one in-process index](").append(pngRel).append(")\n\n");
        md.append("| data | rows | segments searched | cluster QPS | one index QPS | cluster / one index | per-round ratios "
            + "| per CPU-second: cluster / one index | recall@10 cluster | recall@10 one index |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (String ds : datasets) {
            Map<String, TreeMap<Integer, double[]>> s = search.get(ds);
            if (s == null || s.get("cluster") == null || s.get("index") == null)
                continue;
            TreeMap<Integer, double[]> c = s.get("cluster");
            TreeMap<Integer, double[]> i = s.get("index");
            double cq = best(c, 4);
            double iq = best(i, 4);
            double ccpu = best(c, 6);
            double icpu = best(i, 6);
            double[] st = settle.getOrDefault(ds, new TreeMap<>()).get(2);
            md.append("| ").append(label(ds)).append(" | ").append(fmt("%,d", rowsOf(ds))).append(" | ")
                .append(st == null ? "?" : String.valueOf((int)st[2])).append(" | ")
                .append(fmt("%,.0f", cq)).append(" | ").append(fmt("%,.0f", iq)).append(" | **")
                .append(fmt("%.2f", cq / iq)).append("** | ").append(join(roundRatios(s, 4), "%.2f"))
                .append(" (median ").append(fmt("%.2f", median(roundRatios(s, 4)))).append(") | ")
                .append(fmt("%,.0f / %,.0f = %.2f", ccpu, icpu, ccpu / icpu)).append(" | ")
                .append(fmt("%.4f", c.lastEntry().getValue()[5])).append(" | ")
                .append(fmt("%.4f", i.lastEntry().getValue()[5])).append(" |\n");
        }
        md.append("\nQPS in queries per wall-clock second. \"Per CPU-second\" divides the queries by the CPU time of the "
            + "whole process over the pass (all threads: nodes, routers, GC and JIT count), so it says how much work a "
            + "query costs on each path, largely independent of the other tenants; both paths run in the same process "
            + "with the nodes idle in between. Recall is of the last round (the same every round up to a few queries).\n\n");

        // -------------------------------------------------- ingest
        md.append("### Ingest and settling\n\n");
        md.append("| data | rows | replicaNumber | writers | rows/s | process CPU-s while inserting | batches refused and retried | segments: at the last "
            + "insert / most during ingest | last insert to one segment per shard (process CPU-s meanwhile) | settled "
            + "segments (rows) | process "
            + "CPU-s, first insert to settled |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String ds : datasets) {
            TreeMap<Integer, double[]> in = ingest.get(ds);
            if (in == null)
                continue;
            for (Map.Entry<Integer, double[]> e : in.entrySet()) {
                double[] v = e.getValue();
                double[] st = settle.getOrDefault(ds, new TreeMap<>()).get(e.getKey());
                Integer peak = peakSegments.getOrDefault(ds, new TreeMap<>()).get(e.getKey());
                md.append("| ").append(label(ds)).append(" | ").append(fmt("%,d", (int)v[0])).append(" | ")
                    .append(e.getKey()).append(" | ").append((int)v[1]).append(" | **").append(fmt("%,.0f", v[3]))
                    .append("** | ").append(fmt("%.0f", v[4])).append(" | ").append((int)v[5]).append(" | ").append((int)v[6]).append(" / ")
                    .append(peak == null ? "?" : String.valueOf(peak)).append(" | **")
                    .append(st == null ? unsettled(ds, e.getKey()) : fmt("%.1f s", st[1])).append("**")
                    .append(st == null ? "" : fmt(" (%.0f CPU-s)", st[3] - v[4])).append(" | ")
                    .append(st == null ? "?" : (int)st[2] + " (" + settleRows.get(ds).get(e.getKey()) + ")").append(" | ")
                    .append(st == null ? "?" : fmt("%.0f", st[3])).append(" |\n");
            }
        }
        List<String> rr = new ArrayList<>();
        for (String ds : datasets) {
            TreeMap<Integer, double[]> in = ingest.get(ds);
            if (in != null && in.get(1) != null && in.get(2) != null)
                rr.add(label(ds) + " " + fmt("%.2f in rows/s, %.2f in rows per process CPU-second while inserting",
                    in.get(2)[3] / in.get(1)[3], (in.get(2)[0] / in.get(2)[4]) / (in.get(1)[0] / in.get(1)[4])));
        }
        if (!rr.isEmpty())
            md.append("\nIngest rate with replicaNumber 2 against 1: ").append(String.join(", ", rr)).append(".\n");
        md.append("\nEach write is one transaction on every copy of its rows, and while rows arrive the nodes seal every "
            + "8,192 growing rows of a shard into a small HNSW segment and merge small segments four at a time, so the "
            + "ingest rate includes those builds competing for the same cores. The settle time runs from the last "
            + "acknowledged insert to the moment every shard serves one segment (the last seal and the final merges, "
            + "each merge growing its largest source's graph by the other sources' rows, or building one over all "
            + "rows when every source has more than a tenth of its rows deleted).\n\n");

        // -------------------------------------------------- build
        md.append("### Graph build CPU against hnswlib C++\n\n");
        md.append("| data | rows | vecgrid CPU-s (wall s) | hnswlib C++ CPU-s (wall s) | vecgrid / hnswlib (CPU) | goal <= "
            + BUILD_GOAL + " |\n|---|---|---|---|---|---|\n");
        for (String ds : datasets) {
            Map<String, double[]> b = builds.get(ds);
            if (b == null)
                continue;
            double[] v = null;
            for (Map.Entry<String, double[]> e : b.entrySet()) {
                if (e.getKey().startsWith("vecgrid-"))
                    v = e.getValue();
            }
            double[] h = b.get("hnswlib-native");
            if (v == null || h == null)
                continue;
            double ratio = v[2] / h[2];
            md.append("| ").append(label(ds)).append(" | ").append(fmt("%,d", rowsOf(ds))).append(" | ")
                .append(fmt("%.1f (%.1f)", v[2], v[0])).append(" | ").append(fmt("%.1f (%.1f)", h[2], h[0]))
                .append(" | **").append(fmt("%.2f", ratio)).append("** | ").append(ratio <= BUILD_GOAL ? "met" : "not met")
                .append(" |\n");
        }
        md.append("\nOne build per engine, one after the other; CPU time is the steadier measure on a shared machine. "
            + "Compaction makes graph builds the layout's main background cost: every row is built into a graph once "
            + "when sealed and inserted again by each merge that takes its segment as one of the smaller sources (a "
            + "merge starts from the graph of its largest source with at most a tenth of its rows deleted).\n");
        if (analysis != null && !analysis.isBlank()) {
            md.append("\n### Reading\n\n");
            md.append(analysis.strip()).append('\n');
        }
        return md.toString();
    }

    /** @return what the ingest table says when the run ended before the collection settled. */
    private String unsettled(String ds, int replicas) {
        double[] last = lastSample.getOrDefault(ds, new TreeMap<>()).get(replicas);
        if (last == null)
            return "not measured";
        return fmt("not reached: the run ended %.0f s after the first insert, at %d segments", last[0], (int)last[2]);
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v == null ? "?" : v).append(" |\n");
    }

    private static double[] nums(String[] r, int from, int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++)
            v[i] = d(r[from + i]);
        return v;
    }

    private static double d(String s) {
        return Double.parseDouble(s.trim());
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
