package io.vecgrid.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Import progress on standard error: on a terminal a bar redrawn in place with rows/s and ETA, otherwise a plain line
 * every few seconds (so logs of scripted imports stay readable). The fraction done comes from the row count when the
 * file's row count is known (fvecs), else from the bytes read. Not thread-safe.
 */
final class Progress {
    /** How progress shows. */
    enum Mode { BAR, LINES, NONE }

    private static final long BAR_REDRAW_NANOS = 100_000_000L;
    private static final long LINE_EVERY_NANOS = 2_000_000_000L;
    private static final int BAR_WIDTH = 30;

    private final PrintWriter err;
    private final Mode mode;
    private final String what;
    private final long totalRows;
    private final long totalBytes;
    private final long start = System.nanoTime();
    private long lastShown = start;
    private boolean barShown;

    Progress(PrintWriter err, Mode mode, String what, long totalRows, long totalBytes) {
        this.err = err;
        this.mode = mode;
        this.what = what;
        this.totalRows = totalRows;
        this.totalBytes = totalBytes;
    }

    /**
     * @return the mode for {@code --progress}: {@code auto} is a bar on a terminal, lines otherwise (also on Java 22+,
     *     whose console exists when output is redirected).
     */
    static Mode mode(String opt) {
        switch (opt.toLowerCase(Locale.ROOT)) {
            case "auto": return Terminal.interactive() ? Mode.BAR : Mode.LINES;
            case "bar": return Mode.BAR;
            case "lines": return Mode.LINES;
            case "none": return Mode.NONE;
            default: throw new BadInputException("--progress must be auto, bar, lines or none, got '" + opt + "'");
        }
    }

    /** Reports {@code rows} written and {@code bytes} of the file consumed. */
    void update(long rows, long bytes) {
        long now = System.nanoTime();
        if (mode == Mode.NONE || now - lastShown < (mode == Mode.BAR ? BAR_REDRAW_NANOS : LINE_EVERY_NANOS))
            return;
        lastShown = now;
        show(rows, bytes, now);
    }

    private void show(long rows, long bytes, long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double f = fraction(rows, bytes);
        long rate = Math.round(rows / secs);
        String eta = f <= 0 ? "?" : clock(secs * (1 - f) / f);
        String counts = totalRows > 0 ? rows + "/" + totalRows + " rows" : rows + " rows";
        if (mode == Mode.BAR) {
            int filled = (int)Math.round(f * BAR_WIDTH);
            err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %s  %d rows/s  ETA %s   ", what,
                "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), Math.round(f * 100), counts, rate, eta));
            barShown = true;
        }
        else {
            err.println(String.format(Locale.ROOT, "%s: %s (%d%%), %d rows/s, ETA %s", what, counts,
                Math.round(f * 100), rate, eta));
        }
        err.flush();
    }

    private double fraction(long rows, long bytes) {
        double f = totalRows > 0 ? (double)rows / totalRows : totalBytes > 0 ? (double)bytes / totalBytes : 0;
        return Math.min(1, Math.max(0, f));
    }

    /** Ends the bar's line, if one is drawn. */
    void finish() {
        if (barShown) {
            err.println();
            err.flush();
            barShown = false;
        }
    }

    /** @return elapsed seconds since the start. */
    double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    static String clock(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) :
            String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
