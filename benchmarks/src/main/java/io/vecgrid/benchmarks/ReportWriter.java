package io.vecgrid.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns one benchmark run's results file ({@link ResultsFile}) into docs/benchmarks.md and its recall-vs-QPS plot.
 * Every number in the page comes from that file; the page also embeds the hand-written analysis file given with
 * {@code --analysis} (the causes and remedies of any shortfall, which numbers alone cannot say).
 *
 * <p>Noise: the machine is shared, so every engine ran its sweep once per round, rounds interleaved, and the page
 * reports for each (engine, ef) the best QPS over the rounds; the headline ratios are given both best-vs-best and
 * as the median of the per-round ratios.
 *
 * <p>Data sets: the run on {@value #PAGE_DATASET} owns the page. It rewrites the whole page from its results,
 * keeping every marked section of other writers ({@link DocSections}). A run on another data set (GloVe-100,
 * {@code scripts/benchmark.sh glove-100}) writes the same report as the page's section {@code segment-NAME}:
 * headings one level down, placed before the other writers' sections the first time, then replaced where it is. The
 * rest of the page is left alone. The analysis file holds each data set's part: the text before the first line
 * {@code <!-- analysis: NAME -->} belongs to the page, the text after such a line (up to the next one) to
 * data set NAME's section, used as written.
 *
 * <p>Usage: {@code ReportWriter --results R --md docs/benchmarks.md --png docs/benchmarks/x.png [--analysis F]
 * [--dataset NAME] [--meta key=value]...}. Meta keys describing the data (defaults: Fashion-MNIST's):
 * {@code data} (its display name), {@code dim}, {@code metric} ({@code L2} or {@code cosine}), {@code n},
 * {@code base.rows} (rows of the data set's base), {@code gt} (what the ground truth is), {@code tsv} (where the raw
 * records are kept).
 */
public final class ReportWriter {
    /** Recall at which the QPS goal is stated (issue 5). */
    static final double RECALL_GOAL = 0.975;
    /** Flat scan goal: this share of one core's measured bandwidth. */
    static final double SCAN_GOAL = 0.85;

    /** The data set whose run owns the page; others get a section of it ({@link #sectionId}). */
    static final String PAGE_DATASET = "fashion-mnist";

    /** A line of the analysis file that starts the part of one data set's section. */
    private static final Pattern ANALYSIS_PART = Pattern.compile("(?m)^<!-- analysis: (\\S+) -->[ \\t]*\\n?");

    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("vecgrid-jdk25", "vecgrid segment HNSW, JDK 25");
        NAMES.put("vecgrid-jdk21", "vecgrid segment HNSW, JDK 21");
        NAMES.put("vecgrid-jdk17", "vecgrid segment HNSW, JDK 17");
        NAMES.put("hnswlib-native", "hnswlib C++ (g++ -O3 -march=native)");
        NAMES.put("hnswlib-debian", "hnswlib (Debian python3-hnswlib)");
        NAMES.put("faiss-hnsw", "FAISS IndexHNSWFlat (Debian python3-faiss)");
        NAMES.put("faiss-flat", "FAISS IndexFlatL2 (Debian python3-faiss)");
        NAMES.put("cpp-probe", "C++ streaming sum");
    }

    private final Map<String, String> meta;
    /** Name of the data set measured (as scripts/fetch-datasets.sh calls it). */
    private final String dataset;
    /** Whether the run measured cosine (engines' cosine setup differs, see anchors.py and hnswlib_bench.cpp). */
    private final boolean cosine;
    /** engine -> ef -> per-round (recall, qps). */
    private final Map<String, TreeMap<Integer, List<double[]>>> search = new LinkedHashMap<>();
    /** engine -> ef -> {scored per query, ns search, ns one row, ns with memory parallelism}, best (least) of rounds. */
    private final Map<String, TreeMap<Integer, double[]>> cost = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> scan = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> probe = new LinkedHashMap<>();
    /** Per engine, its builds in the order run: {seconds, threads, CPU-seconds}; build round k is the k-th. */
    private final Map<String, List<double[]>> build = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> info = new LinkedHashMap<>();
    /** engine -> ef -> round -> qps. */
    private final Map<String, Map<Integer, Map<String, Double>>> byRound = new HashMap<>();

    private ReportWriter(List<String[]> rows, Map<String, String> meta, String dataset) {
        this.meta = meta;
        this.dataset = dataset;
        this.cosine = "cosine".equalsIgnoreCase(meta.getOrDefault("metric", "L2"));
        for (String[] r : rows) {
            switch (r[0]) {
                case "search": {
                    int ef = Integer.parseInt(r[3]);
                    double recall = Double.parseDouble(r[4]);
                    double qps = Double.parseDouble(r[5]);
                    double cpuQps = r.length > 6 ? Double.parseDouble(r[6]) : qps;
                    search.computeIfAbsent(r[1], e -> new TreeMap<>()).computeIfAbsent(ef, e -> new ArrayList<>())
                        .add(new double[] {recall, qps, cpuQps});
                    byRound.computeIfAbsent(r[1], e -> new HashMap<>()).computeIfAbsent(ef, e -> new HashMap<>())
                        .put(r[2], cpuQps);
                    break;
                }
                case "cost": {
                    double[] c = {Double.parseDouble(r[4]), Double.parseDouble(r[5]), Double.parseDouble(r[6]),
                        Double.parseDouble(r[7])};
                    cost.computeIfAbsent(r[1], e -> new TreeMap<>()).merge(Integer.parseInt(r[3]), c,
                        (x, y) -> new double[] {x[0], Math.min(x[1], y[1]), Math.min(x[2], y[2]), Math.min(x[3], y[3])});
                    break;
                }
                case "scan":
                    scan.computeIfAbsent(r[1], e -> new LinkedHashMap<>()).put(r[2], Double.parseDouble(r[3]));
                    break;
                case "probe":
                    probe.computeIfAbsent(r[1], e -> new LinkedHashMap<>()).put(r[2], Double.parseDouble(r[3]));
                    break;
                case "build":
                    build.computeIfAbsent(r[1], e -> new ArrayList<>()).add(new double[] {Double.parseDouble(r[2]),
                        Double.parseDouble(r[3]), r.length > 4 ? Double.parseDouble(r[4]) : Double.NaN});
                    break;
                case "info":
                    info.computeIfAbsent(r[1], e -> new LinkedHashMap<>()).put(r[2], r[3]);
                    break;
                default:
                    break;
            }
        }
    }

    public static void main(String[] args) throws IOException {
        ReportArgs a = new ReportArgs(args, Set.of("--results", "--md", "--png", "--analysis", "--dataset"),
            "ReportWriter --results R --md MD --png PNG [--analysis F] [--dataset NAME] [--meta k=v]...", "--results",
            "--md", "--png");
        Path results = a.path("--results");
        Path md = a.path("--md");
        Path png = a.path("--png");
        String dataset = a.get("--dataset") == null ? PAGE_DATASET : a.get("--dataset");
        Map<String, String> meta = a.meta();
        ReportWriter w = new ReportWriter(ResultsFile.read(results), meta, dataset);
        Files.createDirectories(png.toAbsolutePath().getParent());
        w.plot(png);
        String analysisText = analysisPart(a.fileText("--analysis"), dataset);
        String pngRel = md.toAbsolutePath().getParent().relativize(png.toAbsolutePath()).toString();
        String old = Files.isRegularFile(md) ? Files.readString(md, StandardCharsets.UTF_8) : null;
        String page;
        if (dataset.equals(PAGE_DATASET)) {
            page = w.markdown(pngRel, analysisText);
            // The page also holds sections other writers own (cluster, layout and memory benchmarks, the per-segment
            // sections of other data sets): keep them.
            if (old != null)
                page = DocSections.carryOver(old, page);
        }
        else {
            // Next to the page's own per-segment report: before the first section that is not a per-segment one.
            page = DocSections.replace(old == null ? "# Benchmarks\n" : old, sectionId(dataset), w.section(pngRel, analysisText),
                id -> !id.startsWith(sectionId("")));
        }
        Files.writeString(md, page, StandardCharsets.UTF_8);
        System.out.println("[report] wrote " + (dataset.equals(PAGE_DATASET) ? "" : "the " + dataset + " section of ") + md
            + " and " + png);
    }

    /** @return the id of the page's section holding the per-segment report of {@code dataset}. */
    static String sectionId(String dataset) {
        return "segment-" + dataset;
    }

    /**
     * @return the part of the analysis file for {@code dataset}: for {@value #PAGE_DATASET} the text before the first
     *     {@code <!-- analysis: NAME -->} line, else the text after that data set's line up to the next such line;
     *     {@code null} if there is none.
     */
    static String analysisPart(String text, String dataset) {
        if (text == null)
            return null;
        Matcher m = ANALYSIS_PART.matcher(text);
        if (dataset.equals(PAGE_DATASET))
            return m.find() ? text.substring(0, m.start()) : text;
        while (m.find()) {
            if (m.group(1).equals(dataset)) {
                int from = m.end();
                return m.find() ? text.substring(from, m.start()) : text.substring(from);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- numbers

    /** @return best queries per CPU-second over the rounds of one (engine, ef): the primary measure. */
    private static double bestQps(List<double[]> runs) {
        double b = 0;
        for (double[] r : runs)
            b = Math.max(b, r[2]);
        return b;
    }

    /** @return best queries per wall-clock second over the rounds of one (engine, ef). */
    private static double bestWallQps(List<double[]> runs) {
        double b = 0;
        for (double[] r : runs)
            b = Math.max(b, r[1]);
        return b;
    }

    private static double recallOf(List<double[]> runs) {
        return runs.get(0)[0];
    }

    /** @return {ef, recall, best CPU qps, best wall qps} of the fastest sweep point with recall >= goal, or null. */
    private double[] atGoal(String engine) {
        TreeMap<Integer, List<double[]>> s = search.get(engine);
        if (s == null)
            return null;
        double[] best = null;
        for (Map.Entry<Integer, List<double[]>> e : s.entrySet()) {
            double rec = recallOf(e.getValue());
            double qps = bestQps(e.getValue());
            if (rec >= RECALL_GOAL && (best == null || qps > best[2]))
                best = new double[] {e.getKey(), rec, qps, bestWallQps(e.getValue())};
        }
        return best;
    }

    /**
     * @return best QPS interpolated at exactly {@link #RECALL_GOAL}: log-linear between the last sweep point below and
     *     the first at or above it (by ef); NaN if the sweep does not cross the goal.
     */
    private double interpolatedAtGoal(String engine) {
        TreeMap<Integer, List<double[]>> s = search.get(engine);
        if (s == null)
            return Double.NaN;
        double[] prev = null;
        for (List<double[]> runs : s.values()) {
            double rec = recallOf(runs);
            double qps = bestQps(runs);
            if (rec >= RECALL_GOAL) {
                if (prev == null || prev[0] >= rec)
                    return Double.NaN;
                double t = (RECALL_GOAL - prev[0]) / (rec - prev[0]);
                return Math.exp(Math.log(prev[1]) + t * (Math.log(qps) - Math.log(prev[1])));
            }
            prev = new double[] {rec, qps};
        }
        return Double.NaN;
    }

    /** Median over the rounds both engines ran of (QPS of a at its goal ef) / (QPS of b at its goal ef). */
    private double medianRoundRatio(String a, String b) {
        double[] ga = atGoal(a);
        double[] gb = atGoal(b);
        if (ga == null || gb == null)
            return Double.NaN;
        Map<String, Double> ra = byRound.get(a).get((int)ga[0]);
        Map<String, Double> rb = byRound.get(b).get((int)gb[0]);
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<String, Double> e : ra.entrySet()) {
            Double qb = rb.get(e.getKey());
            if (qb != null)
                ratios.add(e.getValue() / qb);
        }
        return median(ratios);
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty())
            return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double best(Map<String, Double> perRound) {
        double b = 0;
        for (double v : perRound.values())
            b = Math.max(b, v);
        return b;
    }

    private List<String> vecgridEngines() {
        List<String> res = new ArrayList<>();
        for (String e : search.keySet()) {
            if (e.startsWith("vecgrid-"))
                res.add(e);
        }
        res.sort((x, y) -> Integer.compare(jdk(y), jdk(x)));
        return res;
    }

    private static int jdk(String engine) {
        return Integer.parseInt(engine.substring(engine.indexOf("jdk") + 3));
    }

    private List<String> anchorEngines() {
        List<String> res = new ArrayList<>();
        for (String e : NAMES.keySet()) {
            if (!e.startsWith("vecgrid-") && search.containsKey(e))
                res.add(e);
        }
        for (String e : search.keySet()) {
            if (!e.startsWith("vecgrid-") && !res.contains(e))
                res.add(e);
        }
        return res;
    }

    private String name(String engine) {
        if (cosine && engine.equals("faiss-flat"))
            return "FAISS IndexFlatIP (Debian python3-faiss)";
        if (NAMES.containsKey(engine))
            return NAMES.get(engine);
        if (engine.startsWith("vecgrid-jdk"))
            return "vecgrid segment HNSW, JDK " + jdk(engine);
        return engine;
    }

    /** One core's bandwidth: the best streaming sum measured by any probe in this run. */
    private double bandwidth() {
        double b = 0;
        for (Map<String, Double> p : probe.values())
            b = Math.max(b, best(p));
        return b;
    }

    // ---------------------------------------------------------------- plot

    private void plot(Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(1100).height(700)
            .title(dataLabel() + " " + thousands(meta.get("n")) + " x " + dim() + " (" + metric()
                + "), one index, recall@10 vs QPS (1 search thread)")
            .xAxisTitle("recall@10").yAxisTitle("queries per CPU-second, one search thread (log scale)").build();
        Styler st = chart.getStyler();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setDecimalPattern("#,##0.###");
        st.setAntiAlias(true);
        double minRecall = 1;
        double minQps = Double.MAX_VALUE;
        double maxQps = 0;
        List<String> engines = new ArrayList<>(vecgridEngines());
        engines.addAll(anchorEngines());
        Color[] palette = {new Color(0, 114, 178), new Color(86, 180, 233), new Color(213, 94, 0), new Color(230, 159, 0),
            new Color(0, 158, 115), new Color(204, 121, 167)};
        int ci = 0;
        for (String e : engines) {
            TreeMap<Integer, List<double[]>> s = search.get(e);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (List<double[]> runs : s.values()) {
                xs.add(recallOf(runs));
                ys.add(bestQps(runs));
                minRecall = Math.min(minRecall, recallOf(runs));
                minQps = Math.min(minQps, bestQps(runs));
                maxQps = Math.max(maxQps, bestQps(runs));
            }
            XYSeries ser = chart.addSeries(name(e), xs, ys);
            ser.setMarker(e.startsWith("vecgrid-") ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            ser.setLineStyle(e.startsWith("vecgrid-") ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
            ser.setLineColor(palette[ci % palette.length]);
            ser.setMarkerColor(palette[ci % palette.length]);
            ci++;
        }
        XYSeries goal = chart.addSeries("recall@10 = " + RECALL_GOAL + " (goal)", new double[] {RECALL_GOAL, RECALL_GOAL},
            new double[] {minQps * 0.8, maxQps * 1.25});
        goal.setMarker(SeriesMarkers.NONE);
        goal.setLineColor(Color.GRAY);
        goal.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f}, 0f));
        chart.getStyler().setXAxisMin(Math.floor(minRecall * 100) / 100);
        chart.getStyler().setXAxisMax(1.0);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    // ---------------------------------------------------------------- page

    /** @return the whole page: the report of a {@value #PAGE_DATASET} run. */
    private String markdown(String pngRel, String analysis) {
        StringBuilder md = new StringBuilder();
        String cmd = meta.getOrDefault("command", "scripts/benchmark.sh");
        md.append("# Benchmarks\n\n");
        md.append("<!-- Generated by ").append(cmd).append(" (io.vecgrid.benchmarks.ReportWriter) from one run; ")
            .append("do not edit by hand: edit benchmarks/analysis.md or rerun. -->\n\n");
        md.append("Per-segment search of vecgrid against the engines Milvus searches its segments with (hnswlib for HNSW, ")
            .append("FAISS), measured side by side in one run on the same machine, data and parameters. Command:\n\n")
            .append("```\n").append(cmd).append("\n```\n\n");
        md.append("`scripts/benchmark.sh glove-100` runs the same comparison on GloVe-100 (cosine) and writes it as a ")
            .append("section of its own further down this page, leaving the rest of the page alone.\n\n");
        report(md, "##", pngRel);
        if (analysis != null)
            md.append(analysis.strip()).append("\n");
        return md.toString();
    }

    /** @return the page's section for the run on a data set other than {@value #PAGE_DATASET}, markers excluded. */
    private String section(String pngRel, String analysis) {
        StringBuilder md = new StringBuilder();
        String cmd = meta.getOrDefault("command", "scripts/benchmark.sh " + dataset);
        md.append("## Per-segment: ").append(dataLabel()).append(", one index against hnswlib and FAISS\n\n");
        md.append("<!-- Generated by ").append(cmd).append(" (io.vecgrid.benchmarks.ReportWriter) from one run; ")
            .append("do not edit by hand: edit benchmarks/analysis.md or rerun. Raw records: ").append(tsv()).append(". -->\n\n");
        md.append("The per-segment comparison above, on ").append(dataLabel()).append(" (").append(metric())
            .append("): the same engines, parameters and method, measured side by side in one run. Command:\n\n")
            .append("```\n").append(cmd).append("\n```\n\n");
        report(md, "###", pngRel);
        if (analysis != null && !analysis.isBlank())
            md.append(analysis.strip()).append("\n\n");
        return md.toString();
    }

    private String dataLabel() {
        return meta.getOrDefault("data", "Fashion-MNIST");
    }

    private String dim() {
        return meta.getOrDefault("dim", "784");
    }

    private String metric() {
        return meta.getOrDefault("metric", "L2");
    }

    private String tsv() {
        return meta.getOrDefault("tsv", "docs/benchmarks/results.tsv");
    }

    /** @return {@code n} in thousands, as "60k" (the number itself below 1000 or when not a number). */
    private static String thousands(String n) {
        try {
            long v = Long.parseLong(n);
            return v < 1000 ? n : v / 1000 + "k";
        }
        catch (NumberFormatException e) {
            return String.valueOf(n);
        }
    }

    /**
     * Appends the report's body, from "Run" to the flat scan, its headings at level {@code h} ("##" on the page,
     * "###" in a data set's section).
     */
    private void report(StringBuilder md, String h, String pngRel) {
        md.append(h).append(" Run\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "date", meta.get("date"));
        row(md, "machine", meta.get("cpu"));
        row(md, "load average before / after", meta.get("load.before") + " / " + meta.get("load.after"));
        String n = meta.get("n");
        String all = meta.getOrDefault("base.rows", n);
        row(md, "data", dataLabel() + ": " + (all.equals(n) ? n : "the first " + n + " of " + all) + " base vectors x "
            + dim() + ", " + metric() + ", " + meta.get("nq") + " queries, "
            + meta.getOrDefault("gt", "exact ground truth (the data set's own, computed with vecgrid's kernel)"));
        if (cosine) {
            row(md, "cosine", "vecgrid: COSINE on the raw rows (row norms precomputed); hnswlib C++: inner-product space "
                + "over rows and queries normalised to unit length before the timed build and searches; hnswlib (Python): "
                + "space 'cosine' (the binding normalises inside add_items and knn_query, so inside the timed part); FAISS: "
                + "METRIC_INNER_PRODUCT (IndexHNSWFlat, IndexFlatIP for the scan) over rows and queries normalised before the "
                + "timed part. Recall is counted by ids against the same ground truth file for every engine");
        }
        row(md, "segment", "the whole " + n + "-vector base as ONE index (ann-benchmarks style, same for "
            + "every engine); a vecgrid collection seals segments of " + meta.getOrDefault("sealRows", "8192")
            + " rows by default, which search faster than one " + thousands(n) + " index at the same ef");
        row(md, "index", "HNSW, M = " + meta.get("m") + " (2M = " + 2 * Integer.parseInt(meta.getOrDefault("m", "16"))
            + " links on level 0), efConstruction = " + meta.get("efc") + ", k = 10, ef sweep " + meta.get("efs"));
        row(md, "search", "one thread, one query at a time, all queries per (engine, ef); " + meta.get("rounds")
            + " interleaved rounds, best round per point. Speed is given in queries per second of process CPU time "
            + "(all threads of the process, so GC and JIT count): on a shared machine time spent descheduled does not "
            + "count, which wall-clock QPS cannot avoid; wall-clock ratios are given beside");
        row(md, "build", "all " + meta.getOrDefault("cores", "?") + " cores");
        for (String e : vecgridEngines()) {
            Map<String, String> in = info.getOrDefault(e, Map.of());
            row(md, name(e), in.get("java") + "; distance kernel " + in.get("kernel"));
        }
        for (String e : List.of("hnswlib-native", "hnswlib-debian", "faiss-hnsw", "faiss-flat")) {
            Map<String, String> in = info.get(e);
            if (in != null)
                row(md, name(e), String.join("; ", in.values()).replace(" hnswlib ?", ""));
        }
        if (meta.containsKey("packages"))
            row(md, "Debian packages", meta.get("packages"));
        if (meta.containsKey("anchor.simd"))
            row(md, "SIMD of Debian's binaries", meta.get("anchor.simd"));
        md.append('\n');

        md.append(h).append(" Goals\n\n");
        md.append("| goal | measured | ratio | status |\n|---|---|---|---|\n");
        String ref = search.containsKey("hnswlib-native") ? "hnswlib-native" : "hnswlib-debian";
        int goalRows = 0;
        double[] gRef = atGoal(ref);
        for (String v : vecgridEngines()) {
            double[] gv = atGoal(v);
            for (String a : List.of("hnswlib-native", "hnswlib-debian", "faiss-hnsw")) {
                double[] ga = atGoal(a);
                if (ga == null || gv == null)
                    continue;
                double ratio = gv[2] / ga[2];
                double med = medianRoundRatio(v, a);
                double iv = interpolatedAtGoal(v);
                double ia = interpolatedAtGoal(a);
                md.append("| segment HNSW QPS at recall@10 >= ").append(RECALL_GOAL).append(" >= ").append(name(a))
                    .append(" (").append(name(v).replace("vecgrid segment HNSW, ", "vecgrid, ")).append(") | ")
                    .append(fmt("%.0f vs %.0f queries per CPU-second (ef %d, recall %.4f vs ef %d, recall %.4f); wall clock "
                        + "%.0f vs %.0f QPS", gv[2], ga[2], (int)gv[0], gv[1], (int)ga[0], ga[1], gv[3], ga[3]))
                    .append(" | ").append(fmt("**%.2f** (per-round median %.2f; wall clock %.2f; interpolated at exactly %.3f: %s)",
                        ratio, med, gv[3] / ga[3], RECALL_GOAL,
                        Double.isNaN(iv) || Double.isNaN(ia) ? "n/a" : fmt("%.2f", iv / ia)))
                    .append(" | ").append(ratio >= 1 ? "met" : fmt("short by %.0f%%", 100 * (1 - ratio))).append(" |\n");
                goalRows++;
            }
        }
        double bw = bandwidth();
        for (String v : vecgridEngines()) {
            Map<String, Double> sc = scan.get(v);
            if (sc == null)
                continue;
            double s = best(sc);
            List<Double> sameProcess = new ArrayList<>();
            for (Map.Entry<String, Double> e : sc.entrySet()) {
                Double p = probe.getOrDefault(v, Map.of()).get(e.getKey());
                if (p != null)
                    sameProcess.add(e.getValue() / p);
            }
            double ratio = median(sameProcess);
            md.append("| flat scan >= ").append((int)(SCAN_GOAL * 100)).append("% of one core's bandwidth (")
                .append(name(v).replace("vecgrid segment HNSW, ", "vecgrid FLAT, ")).append(") | ")
                .append(fmt("scan vs streaming sum in the same process, pass by pass: %s GB/s vs %s GB/s per round; best "
                    + "scan %.2f GB/s, best streaming sum of any probe in the run %.2f GB/s", rounds(sc),
                    rounds(probe.getOrDefault(v, Map.of())), s, bw))
                .append(" | ").append(fmt("**%.2f** (median of the rounds; best scan / best probe of the run %.2f)", ratio, s / bw))
                .append(" | ").append(ratio >= SCAN_GOAL ? "met" : fmt("short by %.0f points", 100 * (SCAN_GOAL - ratio)))
                .append(" |\n");
        }
        md.append('\n');
        if (goalRows == 0 && !search.isEmpty()) {
            List<String> best = new ArrayList<>();
            for (String e : allEngines()) {
                Map.Entry<Integer, List<double[]>> top = search.get(e).lastEntry();
                best.add(fmt("%s %.4f at ef %d", name(e), recallOf(top.getValue()), top.getKey()));
            }
            md.append("No QPS comparison at recall@10 >= ").append(RECALL_GOAL).append(": it needs a sweep point at or above ")
                .append("that recall for vecgrid and for the anchor, and the highest ef of the sweep reached ")
                .append(String.join(", ", best)).append(". The plot and table below compare the engines along the sweep.\n\n");
        }
        if (gRef != null) {
            md.append("vecgrid across JDKs at recall@10 >= ").append(RECALL_GOAL).append(": ");
            List<String> parts = new ArrayList<>();
            for (String v : vecgridEngines()) {
                double[] g = atGoal(v);
                if (g != null)
                    parts.add(fmt("JDK %d %.0f QPS", jdk(v), g[2]));
            }
            md.append(String.join(", ", parts));
            List<String> vs = vecgridEngines();
            if (vs.size() >= 2 && atGoal(vs.get(0)) != null && atGoal(vs.get(vs.size() - 1)) != null) {
                md.append(fmt(" (JDK %d / JDK %d = %.2f; per-round median %.2f)", jdk(vs.get(0)), jdk(vs.get(vs.size() - 1)),
                    atGoal(vs.get(0))[2] / atGoal(vs.get(vs.size() - 1))[2], medianRoundRatio(vs.get(0), vs.get(vs.size() - 1))));
            }
            md.append(".\n\n");
        }

        md.append(h).append(" Recall vs QPS").append(dataset.equals(PAGE_DATASET) ? "" : ": " + dataset).append("\n\n");
        md.append("![recall@10 vs QPS](").append(pngRel).append(")\n\n");
        List<String> engines = allEngines();
        TreeSet<Integer> efs = new TreeSet<>();
        for (String e : engines)
            efs.addAll(search.get(e).keySet());
        md.append("recall@10 / queries per CPU-second (best of the rounds) per ef; wall-clock QPS are in ")
            .append(tsv()).append(":\n\n| ef |");
        for (String e : engines)
            md.append(' ').append(name(e)).append(" |");
        md.append("\n|---|");
        for (int i = 0; i < engines.size(); i++)
            md.append("---|");
        md.append('\n');
        for (int ef : efs) {
            md.append("| ").append(ef).append(" |");
            for (String e : engines) {
                List<double[]> runs = search.get(e).get(ef);
                md.append(runs == null ? " |" : fmt(" %.4f / %.0f |", recallOf(runs), bestQps(runs)));
            }
            md.append('\n');
        }
        md.append('\n');

        if (!cost.isEmpty())
            timeSection(md, h);

        buildSection(md, h, engines);

        md.append(h).append(" Flat scan and memory bandwidth\n\n");
        md.append("Exact scan of the whole base for one query (nq = 1, one thread), in GB/s of vectors read, next to ")
            .append("single-thread streaming sums over the same array measured in the same run. Best pass of each round.\n\n");
        md.append("| measurement | round GB/s | best |\n|---|---|---|\n");
        for (Map.Entry<String, Map<String, Double>> e : scan.entrySet()) {
            String label = e.getKey().startsWith("vecgrid-") ? "vecgrid FLAT scan, JDK " + jdk(e.getKey()) : name(e.getKey());
            md.append("| ").append(label).append(" | ").append(rounds(e.getValue())).append(fmt(" | %.2f |\n", best(e.getValue())));
        }
        for (Map.Entry<String, Map<String, Double>> e : probe.entrySet()) {
            String label = e.getKey().startsWith("vecgrid-") ? "Java streaming sum (jdk.incubator.vector), JDK " + jdk(e.getKey())
                : name(e.getKey());
            md.append("| ").append(label).append(" | ").append(rounds(e.getValue())).append(fmt(" | %.2f |\n", best(e.getValue())));
        }
        md.append('\n');
    }

    /**
     * Build table: each engine's builds in the order run (the first wrote the searched index; the script rebuilds
     * vecgrid and hnswlib C++ in alternating order for the rounds after it), the median CPU time, and vecgrid's CPU
     * time over hnswlib C++'s round by round.
     */
    private void buildSection(StringBuilder md, String h, List<String> engines) {
        md.append(h).append(" Build\n\n| engine | build time (s) | process CPU time (s) | median CPU time (s) | threads |\n")
            .append("|---|---|---|---|---|\n");
        int rounds = 1;
        for (String e : engines) {
            List<double[]> b = build.get(e);
            if (b == null)
                continue;
            rounds = Math.max(rounds, b.size());
            StringBuilder secs = new StringBuilder(), cpu = new StringBuilder();
            List<Double> cpus = new ArrayList<>();
            for (int i = 0; i < b.size(); i++) {
                secs.append(i == 0 ? "" : ", ").append(fmt("%.1f", b.get(i)[0]));
                cpu.append(i == 0 ? "" : ", ").append(fmt("%.1f", b.get(i)[2]));
                cpus.add(b.get(i)[2]);
            }
            md.append("| ").append(name(e)).append(" | ").append(secs).append(" | ").append(cpu)
                .append(fmt(" | %.1f | %d |\n", median(cpus), (int)b.get(0)[1]));
        }
        List<double[]> anchor = build.get("hnswlib-native");
        if (rounds > 1 && anchor != null) {
            md.append("\nBuilds in rounds, vecgrid and hnswlib C++ in alternating order; CPU time over hnswlib C++'s, round by round:\n\n");
            for (String e : vecgridEngines()) {
                List<double[]> b = build.get(e);
                if (b == null)
                    continue;
                int n = Math.min(b.size(), anchor.size());
                List<Double> ratios = new ArrayList<>();
                StringBuilder per = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    ratios.add(b.get(i)[2] / anchor.get(i)[2]);
                    per.append(i == 0 ? "" : ", ").append(fmt("%.2f", ratios.get(i)));
                }
                md.append("- ").append(name(e)).append(": ").append(per).append(fmt("; median **%.2f**\n", median(ratios)));
            }
            md.append("\nCPU time is the steadier measure on a shared machine; the median of the per-round ratios is the figure ")
                .append("the goal is judged on.\n\n");
        }
        else
            md.append("\nOne build per engine on a shared machine: CPU time is the steadier of the two measures.\n\n");
    }

    private List<String> allEngines() {
        List<String> engines = new ArrayList<>(vecgridEngines());
        engines.addAll(anchorEngines());
        return engines;
    }

    /** Where a query's time goes, at each engine's ef for the recall goal (see SearchCost and hnswlib_bench cost). */
    private void timeSection(StringBuilder md, String h) {
        boolean allAtGoal = true;
        for (String e : cost.keySet())
            allAtGoal &= atGoal(e) != null;
        md.append(h).append(" Where a query's time goes\n\n");
        md.append("At each engine's ef for recall@10 >= ").append(RECALL_GOAL)
            .append(allAtGoal ? "" : " (the highest ef measured here where the sweep does not reach it)")
            .append(", on 2000 queries: the rows a query ")
            .append(fmt("scores (each a %,d-byte vector read from memory at a random place), the time per scored row in ",
                4 * Integer.parseInt(dim())))
            .append("the real search, the same distances replayed alone one row at a time, and replayed with more memory ")
            .append("parallelism: for vecgrid the four-row interleaved distance kernel its graph walk uses, ")
            .append("for hnswlib its own software prefetch of the next row. Wall clock, best of the rounds.\n\n");
        md.append("| engine | ef | rows scored per query | ns per scored row, search | distances alone, one row at a time | ")
            .append("distances with memory parallelism | search overhead beyond distances |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, TreeMap<Integer, double[]>> e : cost.entrySet()) {
            double[] g = atGoal(e.getKey());
            Integer ef = g == null ? e.getValue().lastKey() : e.getValue().floorKey((int)g[0]);
            if (ef == null)
                ef = e.getValue().firstKey();
            double[] c = e.getValue().get(ef);
            md.append("| ").append(name(e.getKey())).append(fmt(" | %d | %.0f | %.0f | %.0f | %.0f (%s) | %.0f |\n", ef, c[0], c[1],
                c[2], c[3], e.getKey().startsWith("vecgrid-") ? "4 rows interleaved, as the walk" : "prefetch", c[1] - c[3]));
        }
        md.append('\n');
    }

    private static String rounds(Map<String, Double> perRound) {
        List<String> s = new ArrayList<>();
        for (double v : perRound.values())
            s.add(fmt("%.2f", v));
        return String.join(", ", s);
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v == null ? "" : v).append(" |\n");
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
