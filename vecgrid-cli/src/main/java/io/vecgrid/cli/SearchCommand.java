package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.Consistency;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.dataset.Ivecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vecgrid search NAME (--vector '[...]' ... | --queries FILE) [--top-k K] [--ef EF] [--filter EXPR]
 * [--output FILE.ivecs] [--json]}. Query vectors come from the command line or from an fvecs or JSON-lines file. With
 * {@code --output}, writes per query, in query order, one ivecs record of K primary keys nearest first (padded with
 * -1 when fewer than K rows match); the file appears whole or not at all. Without it, prints a table, or with
 * {@code --json} one document.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = {"Top-k search: the K nearest rows of each query vector.",
        "Queries: --vector (repeat for several) or --queries FILE (fvecs, or JSON lines: one array of numbers per "
            + "line, or an object with the collection's vector field)."},
    footerHeading = "%nExamples:%n",
    footer = {"  vecgrid search docs --vector '[0.1, 0.2, 0.3, 0.4]' --top-k 5",
        "  vecgrid search docs --vector '[0.1, 0.2, 0.3, 0.4]' --filter \"category == 3\" \\",
        "      --output-fields title --json",
        "  vecgrid search docs --queries queries.jsonl --top-k 10",
        "  vecgrid search fmnist --queries query.fvecs --ef 128 --output top10.ivecs"})
final class SearchCommand implements Callable<Integer> {
    @ParentCommand
    VecgridCli root;

    @Parameters(paramLabel = "NAME", description = "Collection.")
    String name;

    @Option(names = "--vector", paramLabel = "'[x1, x2, ...]'",
        description = "A query vector: numbers separated by commas or spaces, brackets optional; repeat for several.")
    List<String> vectors;

    @Option(names = "--queries", paramLabel = "FILE", description = "Query vectors: an fvecs or JSON-lines file.")
    Path queries;

    @Option(names = "--query-format", paramLabel = "fvecs|jsonl",
        description = "Format of --queries (default: from the extension: .fvecs; .jsonl, .ndjson, .json).")
    String queryFormat;

    @Option(names = "--top-k", paramLabel = "K", description = "Hits per query (default: ${DEFAULT-VALUE}).")
    int topK = 10;

    @Option(names = "--ef", paramLabel = "EF", description = "HNSW search beam width (default: the collection's).")
    int ef;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Filter over scalar fields, e.g. \"tag == 3 and price < 10\".")
    String filter;

    @Option(names = "--output", paramLabel = "FILE.ivecs", description = "Write the pks as ivecs instead of a table.")
    Path output;

    @Option(names = "--output-fields", split = ",", paramLabel = "FIELD", description = "Scalar fields to show with each hit.")
    List<String> outputFields = List.of();

    @Option(names = "--consistency", paramLabel = "STRONG|EVENTUALLY", description = "Default: STRONG.")
    String consistency = "STRONG";

    @Option(names = "--batch", paramLabel = "N", description = "Queries per search call (default: ${DEFAULT-VALUE}).")
    int batch = 100;

    @Option(names = "--json", description = "One JSON document: the hits of every query (with --output: a summary).")
    boolean json;

    @Override public Integer call() throws IOException {
        if ((vectors == null) == (queries == null))
            throw new BadInputException("search: give query vectors with --vector or --queries FILE" +
                (vectors == null ? "" : ", not both"));
        if (queryFormat != null && queries == null)
            throw new BadInputException("--query-format applies to --queries only");
        String fmt = queries == null ? null : Queries.format(queries, queryFormat);
        float[][] given = vectors == null ? null : Queries.parse(vectors);
        if (topK < 1)
            throw new BadInputException("--top-k must be at least 1, got " + topK);
        if (batch < 1)
            throw new BadInputException("--batch must be at least 1, got " + batch);
        if (ef < 0)
            throw new BadInputException("--ef must be positive, got " + ef);
        Consistency cons;
        try {
            cons = Consistency.valueOf(consistency.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new BadInputException("--consistency must be STRONG or EVENTUALLY, got '" + consistency + "'");
        }
        if (queries != null && !Files.isRegularFile(queries))
            throw new BadInputException("--queries '" + queries + "' does not exist or is not a regular file");
        try (VecgridClient c = root.connect()) {
            CollectionSpec spec = c.describeCollection(name).spec();
            float[][] qs = given != null ? Queries.check(given, spec) : Queries.read(queries, fmt, spec);
            List<List<SearchHit>> hits = new ArrayList<>(qs.length);
            long start = System.nanoTime();
            for (int from = 0; from < qs.length; from += batch) {
                float[][] part = Arrays.copyOfRange(qs, from, Math.min(qs.length, from + batch));
                SearchResult res = c.search(SearchRequest.builder(name, part, topK).ef(ef).filter(filter)
                    .consistency(cons).outputFields(output == null ? outputFields : null).build());
                hits.addAll(res.hits());
            }
            double ms = (System.nanoTime() - start) / 1e6;
            if (output != null) {
                writeIvecs(hits);
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("collection", name);
                    doc.put("topK", (long)topK);
                    doc.put("queries", (long)qs.length);
                    doc.put("output", output.toString());
                    doc.put("millis", Math.round(ms * 10) / 10.0);
                    root.printJson(doc);
                }
                else {
                    root.out().println(String.format(Locale.ROOT, "wrote %d result rows of %d ids to %s (%d queries in " +
                        "%.1f ms)", hits.size(), topK, output, qs.length, ms));
                }
            }
            else if (json)
                root.printJson(Views.search(name, topK, hits, outputFields));
            else
                table(root.out(), hits);
        }
        return VecgridCli.EXIT_OK;
    }

    /** Writes beside the target, then moves it in place, so a failure leaves no partial file. */
    private void writeIvecs(List<List<SearchHit>> hits) throws IOException {
        Path abs = output.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        try {
            try (Ivecs.Writer w = Ivecs.openWriter(tmp, topK)) {
                int[] row = new int[topK];
                for (int q = 0; q < hits.size(); q++) {
                    Arrays.fill(row, -1);
                    List<SearchHit> h = hits.get(q);
                    for (int i = 0; i < h.size() && i < topK; i++) {
                        long pk = h.get(i).pk();
                        if (pk < Integer.MIN_VALUE || pk > Integer.MAX_VALUE) {
                            throw new BadInputException("query " + q + ": primary key " + pk + " does not fit in an " +
                                "ivecs int32; print a table instead (no --output)");
                        }
                        row[i] = (int)pk;
                    }
                    w.write(row);
                }
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void table(PrintWriter out, List<List<SearchHit>> hits) {
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-7s %-5s %-20s %-14s", "query", "rank", "pk",
            "distance"));
        for (String f : outputFields)
            head.append(' ').append(String.format(Locale.ROOT, "%-14s", f));
        out.println(head.toString().stripTrailing());
        for (int q = 0; q < hits.size(); q++) {
            List<SearchHit> h = hits.get(q);
            for (int i = 0; i < h.size(); i++) {
                SearchHit hit = h.get(i);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-7d %-5d %-20d %-14s", q, i + 1,
                    hit.pk(), Float.toString(hit.distance())));
                for (String f : outputFields)
                    sb.append(' ').append(String.format(Locale.ROOT, "%-14s", hit.fields().get(f)));
                out.println(sb.toString().stripTrailing());
            }
        }
    }
}
