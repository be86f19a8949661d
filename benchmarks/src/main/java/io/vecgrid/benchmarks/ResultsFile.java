package io.vecgrid.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's results: one tab-separated record per line, appended by every participant (the Java benchmark on
 * each JDK, the hnswlib C++ program, the Python anchors) and read back by {@link ReportWriter}. Record kinds:
 * <pre>
 * info    ENGINE KEY VALUE          facts about a participant (versions, SIMD path, parameters)
 * build   ENGINE SECONDS THREADS CPU_SECONDS   index build time (wall) and process CPU time of one engine
 * search  ENGINE ROUND EF RECALL QPS CPU_QPS  one pass of all queries at one ef, single search thread: queries per
 *                                   wall second and per second of process CPU time
 * cost    ENGINE ROUND EF SCORED NS_SEARCH NS_ONE NS_PREFETCHED_OR_FOUR  rows scored per query and ns per scored
 *                                   row: in the search, distances alone one row at a time, and with more memory
 *                                   parallelism (vecgrid: four rows interleaved; hnswlib: its software prefetch)
 * scan    ENGINE ROUND GBPS         exact scan of the whole base for one query (nq = 1), single thread
 * probe   ENGINE ROUND GBPS         single-thread streaming sum over the base vectors (memory bandwidth)
 * </pre>
 */
final class ResultsFile {
    private ResultsFile() {
    }

    static void append(Path file, Object... cols) {
        StringBuilder sb = new StringBuilder();
        for (Object c : cols) {
            if (sb.length() > 0)
                sb.append('\t');
            sb.append(c instanceof Double || c instanceof Float ? String.format(Locale.ROOT, "%.6f", ((Number)c).doubleValue())
                : String.valueOf(c).replace('\t', ' ').replace('\n', ' '));
        }
        sb.append('\n');
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    static List<String[]> read(Path file) {
        List<String[]> rows = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#"))
                    rows.add(line.split("\t", -1));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return rows;
    }
}
