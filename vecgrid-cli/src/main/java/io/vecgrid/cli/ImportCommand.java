package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.ClusterUnavailableException;
import io.vecgrid.client.VecgridClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code vecgrid import NAME FILE [--format fvecs|jsonl|csv] [--batch N] [--delimiter C] [--json]}: reads the file in
 * batches of N rows and inserts each batch in one call, which the server applies whole or not at all. A bad row (found
 * by the CLI while reading, or by the server) stops the import with the file's line (or vector number): nothing of
 * that batch is written, every batch before it is.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import rows from an fvecs, JSON-lines or CSV file.",
    footerHeading = "%nExamples:%n",
    footer = {"  vecgrid import fmnist base.fvecs --batch 2000 --flush   # pks 0, 1, 2, ...",
        "  vecgrid import docs docs.jsonl     # {\"id\": 7, \"vector\": [0.1, 0.2], \"tag\": 3}",
        "  vecgrid import docs docs.csv --upsert",
        "  vecgrid import docs docs.tsv --format csv --delimiter tab --json"})
final class ImportCommand implements Callable<Integer> {
    /** "row 3 (pk 17): ..." — the server names a row of the batch by its position. */
    private static final Pattern ROW = Pattern.compile("^row (\\d+)\\b");
    /** "primary key 17 already exists ..." — or by its key. */
    private static final Pattern PK = Pattern.compile("^primary key (-?\\d+)\\b");

    @ParentCommand
    VecgridCli root;

    @Parameters(index = "0", paramLabel = "NAME", description = "Collection.")
    String name;

    @Parameters(index = "1", paramLabel = "FILE", description = "fvecs, JSON-lines or CSV file.")
    Path file;

    @Option(names = "--format", paramLabel = "fvecs|jsonl|csv", description = "File format (default: from the extension).")
    String format;

    @Option(names = "--batch", paramLabel = "N", description = "Rows per insert call (default: ${DEFAULT-VALUE}).")
    int batch = 1000;

    @Option(names = "--upsert", description = "Replace rows whose primary key exists (default: such a row is an error).")
    boolean upsert;

    @Option(names = "--first-pk", paramLabel = "PK", description = "fvecs: primary key of the first vector (default: 0).")
    long firstPk;

    @Option(names = "--flush", description = "Seal the imported rows into segments at the end.")
    boolean flush;

    @Option(names = "--delimiter", paramLabel = "C",
        description = "CSV: the character between fields; 'tab' or '\\t' for a tab (default: ,).")
    String delimiter;

    @Option(names = "--json", description = "A JSON document at the end: collection, file, format, rows, seconds, flushed.")
    boolean json;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|none",
        description = "Progress on stderr: a bar on a terminal, periodic lines otherwise (default: auto).")
    String progress = "auto";

    @Override public Integer call() throws IOException {
        if (batch < 1)
            throw new BadInputException("--batch must be at least 1, got " + batch);
        if (!Files.isRegularFile(file))
            throw new BadInputException("FILE '" + file + "' does not exist or is not a regular file");
        String fmt = RowSource.format(file, format);
        char delim = delimiter(fmt);
        Progress.Mode mode = Progress.mode(progress);
        try (VecgridClient c = root.connect()) {
            CollectionSpec spec = c.describeCollection(name).spec();
            long rows;
            Progress p;
            try (RowSource src = RowSource.open(file, format, spec, firstPk, delim)) {
                p = new Progress(root.err(), mode, "import " + name, src.totalRows(), src.totalBytes());
                try {
                    rows = copy(c, src, p);
                }
                finally {
                    p.finish();
                }
            }
            if (flush)
                c.flush(name);
            double secs = Math.max(1e-3, p.elapsedSeconds());
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("collection", name);
                doc.put("file", file.toString());
                doc.put("format", fmt);
                doc.put("rows", rows);
                doc.put("seconds", Math.round(secs * 1000) / 1000.0);
                doc.put("rowsPerSecond", Math.round(rows / secs));
                doc.put("flushed", flush);
                root.printJson(doc);
            }
            else {
                root.out().println(String.format(Locale.ROOT, "imported %d rows into '%s' from %s in %.1f s (%d rows/s)%s",
                    rows, name, file, secs, Math.round(rows / secs), flush ? ", flushed" : ""));
            }
        }
        return VecgridCli.EXIT_OK;
    }

    /** @return the CSV delimiter of {@code --delimiter}. @throws BadInputException if it is not one character. */
    private char delimiter(String fmt) {
        if (delimiter == null)
            return ',';
        if (!fmt.equals("csv"))
            throw new BadInputException("--delimiter applies to CSV files only; '" + file + "' is read as " + fmt);
        String d = delimiter.equalsIgnoreCase("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
        if (d.length() != 1 || d.charAt(0) == '"' || d.charAt(0) == '\n' || d.charAt(0) == '\r') {
            throw new BadInputException("--delimiter must be one character other than a double quote or a line break " +
                "('tab' or '\\t' for a tab), got '" + delimiter + "'");
        }
        return d.charAt(0);
    }

    /** @return rows written. */
    private long copy(VecgridClient c, RowSource src, Progress p) throws IOException {
        List<VectorRow> rows = new ArrayList<>(batch);
        List<String> wheres = new ArrayList<>(batch);
        long done = 0;
        while (true) {
            VectorRow r;
            try {
                r = src.next();
            }
            catch (BadInputException | IOException e) {
                throw new BadInputException(e.getMessage() + "\n" + stopped(done, wheres));
            }
            if (r != null) {
                rows.add(r);
                wheres.add(src.where());
            }
            if (rows.size() == batch || (r == null && !rows.isEmpty())) {
                send(c, rows, wheres, done);
                done += rows.size();
                rows.clear();
                wheres.clear();
                p.update(done, src.bytesRead());
            }
            if (r == null)
                return done;
        }
    }

    private void send(VecgridClient c, List<VectorRow> rows, List<String> wheres, long done) {
        try {
            if (upsert)
                c.upsert(name, rows);
            else
                c.insert(name, rows);
        }
        catch (InvalidRequestException e) {
            String where = locate(e.getMessage(), rows, wheres);
            throw new BadInputException(file + (where == null ? "" : " " + where) + ": " + e.getMessage() + "\n" +
                stopped(done, wheres));
        }
        catch (ClusterUnavailableException e) {
            // The connection broke: the batch may or may not have been applied.
            throw new ClusterUnavailableException(e.getMessage() + "\nimport of '" + name + "' stopped: " + done +
                " row(s) before the batch starting at " + wheres.get(0) + " were written; that batch may or may not " +
                "have been; run the import again with --upsert to complete it");
        }
        catch (VecgridException e) {
            throw new VecgridException(e.getMessage() + "\n" + stopped(done, wheres));
        }
    }

    /** @return the line of the row the server's message names, or {@code null}. */
    private static String locate(String msg, List<VectorRow> rows, List<String> wheres) {
        if (msg == null)
            return null;
        Matcher m = ROW.matcher(msg);
        if (m.find()) {
            int i = Integer.parseInt(m.group(1));
            return i < wheres.size() ? wheres.get(i) : null;
        }
        m = PK.matcher(msg);
        if (m.find()) {
            long pk = Long.parseLong(m.group(1));
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).pk() == pk)
                    return wheres.get(i);
            }
        }
        return null;
    }

    private String stopped(long done, List<String> batchWheres) {
        return "import of '" + name + "' stopped: " + done + " row(s) before " +
            (batchWheres.isEmpty() ? "it" : "the batch starting at " + batchWheres.get(0)) +
            " were written; nothing of " + (batchWheres.isEmpty() ? "the failing batch" : "that batch") + " was written";
    }
}
