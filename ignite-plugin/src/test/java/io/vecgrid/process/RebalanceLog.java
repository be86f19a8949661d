package io.vecgrid.process;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a node received by rebalance, read from the lines Ignite 2.17 logs at INFO when a supplier finished sending
 * one cache group to it ({@code GridDhtPartitionDemander}):
 * <pre>
 * Completed [(final) ]rebalancing [rebalanceId=.., grp=G, supplier=.., partitions=N, entries=E, duration=..,
 *   bytesRcvd=1.2 KB, bandwidth=.., histPartitions=H, histEntries=.., histBytesRcvd=.., fullPartitions=F,
 *   fullEntries=.., fullBytesRcvd=.., topVer=.., progress=..]
 * </pre>
 * {@code full*} counts whole partitions sent entry by entry (what a node without data gets); {@code hist*} counts
 * what the supplier replayed from its write-ahead log since the demander's update counters (historical rebalance:
 * only the missed updates). Byte counts are logged rounded (one decimal, binary units).
 */
record RebalanceLog(String group, int partitions, long entries, long bytes, int histPartitions, long histEntries,
    long histBytes, int fullPartitions, long fullEntries, long fullBytes) {

    private static final Pattern LINE = Pattern.compile("Completed (\\(final\\) )?rebalancing \\[");

    /** @return every completed rebalance of a cache group in the lines, in order. */
    static List<RebalanceLog> parse(List<String> lines) {
        List<RebalanceLog> res = new ArrayList<>();
        for (String l : lines) {
            if (!LINE.matcher(l).find())
                continue;
            res.add(new RebalanceLog(str(l, "grp"), (int)num(l, "partitions"), num(l, "entries"), bytes(l, "bytesRcvd"),
                (int)num(l, "histPartitions"), num(l, "histEntries"), bytes(l, "histBytesRcvd"),
                (int)num(l, "fullPartitions"), num(l, "fullEntries"), bytes(l, "fullBytesRcvd")));
        }
        return res;
    }

    /** @return the rebalances of groups whose name starts with {@code prefix}. */
    static List<RebalanceLog> ofGroups(List<RebalanceLog> all, String prefix) {
        return all.stream().filter(r -> r.group().startsWith(prefix)).toList();
    }

    private static String str(String line, String key) {
        Matcher m = Pattern.compile("[\\[ ]" + key + "=([^,\\]]+)").matcher(line);
        if (!m.find())
            throw new IllegalArgumentException("no " + key + " in: " + line);
        return m.group(1);
    }

    private static long num(String line, String key) {
        return Long.parseLong(str(line, key));
    }

    /** Parses Ignite's {@code U.humanReadableByteCount}: {@code "%.1f %sB"} with a prefix of " KMGTPE", base 1024. */
    static long bytes(String line, String key) {
        String v = str(line, key).trim();
        Matcher m = Pattern.compile("([0-9]+(?:[.,][0-9]+)?) ?([KMGTPE]?)B").matcher(v);
        if (!m.matches())
            throw new IllegalArgumentException("not a byte count: " + key + "=" + v);
        double n = Double.parseDouble(m.group(1).replace(',', '.'));
        int exp = " KMGTPE".indexOf(m.group(2).isEmpty() ? " " : m.group(2));
        return Math.round(n * Math.pow(1024, exp));
    }

    @Override public String toString() {
        return group + ": " + partitions + " partitions (" + histPartitions + " historical, " + fullPartitions +
            " full), " + entries + " entries (" + histEntries + " + " + fullEntries + "), " + bytes + " bytes (" +
            histBytes + " + " + fullBytes + ")";
    }
}
