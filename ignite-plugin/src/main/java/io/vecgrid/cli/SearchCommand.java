package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.Consistency;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.dataset.Fvecs;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code vecgrid search NAME --queries FILE.fvecs --top-k K [--ef EF] [--filter EXPR] [--output FILE.ivecs]}. With
 * {@code --output}, writes per query, in query order, one ivecs record of K primary keys nearest first (padded with
 * -1 when fewer than K rows match); the file appears whole or not at all. Without it, prints a table.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "Top-k search with the query vectors of an fvecs file.")
final class SearchCommand implements Callable<Integer> {
    @ParentCommand
    VecgridCli root;

    @Parameters(paramLabel = "NAME", description = "Collection.")
    String name;

    @Option(names = "--queries", required = true, paramLabel = "FILE.fvecs", description = "Query vectors.")
    Path queries;

    @Option(names = "--top-k", required = true, paramLabel = "K", description = "Hits per query.")
    int topK;

    @Option(names = "--ef", paramLabel = "EF", description = "HNSW search beam width (default: the collection's).")
    int ef;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Filter over scalar fields, e.g. \"tag == 3 and price < 10\".")
    String filter;

    @Option(names = "--output", paramLabel = "FILE.ivecs", description = "Write the pks as ivecs instead of a table.")
    Path output;

    @Option(names = "--output-fields", split = ",", paramLabel = "FIELD", description = "Scalar fields to show in the table.")
    List<String> outputFields = List.of();

    @Option(names = "--consistency", paramLabel = "STRONG|EVENTUALLY", description = "Default: STRONG.")
    String consistency = "STRONG";

    @Option(names = "--batch", paramLabel = "N", description = "Queries per search call (default: ${DEFAULT-VALUE}).")
    int batch = 100;

    @Override public Integer call() throws IOException {
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
        if (!Files.isRegularFile(queries))
            throw new BadInputException("--queries '" + queries + "' does not exist or is not a regular file");
        try (VecgridClient c = root.connect()) {
            CollectionSpec spec = c.describeCollection(name).spec();
            float[][] qs = read(spec);
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
                root.out().println(String.format(Locale.ROOT, "wrote %d result rows of %d ids to %s (%d queries in %.1f ms)",
                    hits.size(), topK, output, qs.length, ms));
            }
            else
                table(root.out(), hits);
        }
        return VecgridCli.EXIT_OK;
    }

    private float[][] read(CollectionSpec spec) throws IOException {
        List<float[]> res = new ArrayList<>();
        try (Fvecs.Reader r = Fvecs.openReader(queries)) {
            float[] v;
            while ((v = r.next()) != null) {
                if (v.length != spec.dimension()) {
                    throw new BadInputException("--queries " + queries + " vector #" + res.size() + " has dimension " +
                        v.length + ", collection '" + name + "' expects " + spec.dimension());
                }
                res.add(v);
            }
        }
        if (res.isEmpty())
            throw new BadInputException("--queries " + queries + " holds no vector");
        return res.toArray(new float[0][]);
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
