package io.vecgrid.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generated sections of docs/benchmarks.md that belong to another writer than the page's: each lies between
 * {@code <!-- section:begin ID -->} and {@code <!-- section:end ID -->}. The cluster benchmark ({@link ClusterReport},
 * one section per data set), the layout benchmark ({@link LayoutReport}), the memory benchmark ({@link MemoryBench})
 * and the per-segment report of a data set other than Fashion-MNIST ({@link ReportWriter}, section
 * {@code segment-NAME}) each replace only their own section; the per-segment report of Fashion-MNIST rewrites the
 * whole page and carries every such section over.
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
        return replace(page, id, body, other -> false);
    }

    /**
     * @param body the section's text without markers.
     * @param before which sections a new section goes before, by id.
     * @return {@code page} with section {@code id} replaced by {@code body} where it is; if absent, inserted just before
     *     the first section whose id {@code before} accepts, or appended at the end if there is none.
     */
    static String replace(String page, String id, String body, Predicate<String> before) {
        String block = begin(id) + (body.endsWith("\n") ? body : body + "\n") + end(id);
        Matcher m = SECTION.matcher(page);
        while (m.find()) {
            if (m.group(1).equals(id))
                return page.substring(0, m.start()) + block + page.substring(m.end());
        }
        m.reset();
        while (m.find()) {
            if (before.test(m.group(1)))
                return page.substring(0, m.start()) + block + "\n" + page.substring(m.start());
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
