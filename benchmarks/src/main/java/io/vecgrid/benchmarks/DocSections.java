package io.vecgrid.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generated sections of docs/benchmarks.md that belong to another writer than the page's: each lies between
 * {@code <!-- section:begin ID -->} and {@code <!-- section:end ID -->}. The cluster benchmark ({@link ClusterReport},
 * one section per data set), the layout benchmark ({@link LayoutReport}) and the memory benchmark
 * ({@link MemoryBench}) each replace only their own section; the per-segment report ({@link ReportWriter}) rewrites
 * the whole page and carries every such section over.
 */
final class DocSections {
    private static final Pattern SECTION = Pattern.compile(
        "<!-- section:begin ([^ ]+) -->.*?<!-- section:end \\1 -->\n?", Pattern.DOTALL);

    private DocSections() {
    }

    static String begin(String id) {
        return "<!-- section:begin " + id + " -->\n";
    }

    static String end(String id) {
        return "<!-- section:end " + id + " -->\n";
    }

    /** @return every marked section of {@code page}, markers included, in order. */
    static List<String> sections(String page) {
        List<String> res = new ArrayList<>();
        Matcher m = SECTION.matcher(page);
        while (m.find())
            res.add(m.group().endsWith("\n") ? m.group() : m.group() + "\n");
        return res;
    }

    /**
     * @param body the section's text without markers.
     * @return {@code page} with section {@code id} replaced by {@code body} (appended at the end if absent).
     */
    static String replace(String page, String id, String body) {
        String block = begin(id) + (body.endsWith("\n") ? body : body + "\n") + end(id);
        Matcher m = SECTION.matcher(page);
        while (m.find()) {
            if (m.group(1).equals(id))
                return page.substring(0, m.start()) + block + page.substring(m.end());
        }
        String p = page.isEmpty() || page.endsWith("\n\n") ? page : page.endsWith("\n") ? page + "\n" : page + "\n\n";
        return p + block;
    }

    /** @return {@code fresh} with every marked section of {@code old} that {@code fresh} lacks appended. */
    static String carryOver(String old, String fresh) {
        String res = fresh;
        for (String s : sections(old)) {
            Matcher m = SECTION.matcher(s);
            if (!m.find())
                continue;
            String id = m.group(1);
            boolean present = false;
            for (String f : sections(res)) {
                if (f.startsWith(begin(id)))
                    present = true;
            }
            if (!present)
                res = (res.endsWith("\n\n") ? res : res.endsWith("\n") ? res + "\n" : res + "\n\n") + s;
        }
        return res;
    }
}
