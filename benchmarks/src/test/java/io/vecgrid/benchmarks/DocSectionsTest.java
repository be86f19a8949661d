package io.vecgrid.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/benchmarks.md has two writers: the per-segment report rewrites the whole page, the cluster benchmark one
 * marked section per data set. Neither may lose the other's work.
 */
class DocSectionsTest {
    @Test
    void replaceAppendsAMissingSectionThenReplacesItInPlace() {
        String page = "# Benchmarks\n\nper-segment text\n";
        String once = DocSections.replace(page, "fashion-mnist", "## Cluster\nfirst run\n");
        assertEquals(page + "\n" + DocSections.begin("fashion-mnist") + "## Cluster\nfirst run\n" + DocSections.end("fashion-mnist"), once);
        String twice = DocSections.replace(once + "tail\n", "fashion-mnist", "## Cluster\nsecond run\n");
        assertEquals(page + "\n" + DocSections.begin("fashion-mnist") + "## Cluster\nsecond run\n" + DocSections.end("fashion-mnist")
            + "tail\n", twice);
    }

    @Test
    void replaceTouchesOnlyItsOwnDataSet() {
        String page = DocSections.replace(DocSections.replace("# B\n", "fashion-mnist", "F1"), "glove-100", "G1");
        String res = DocSections.replace(page, "glove-100", "G2");
        assertTrue(res.contains(DocSections.begin("fashion-mnist") + "F1\n" + DocSections.end("fashion-mnist")), res);
        assertTrue(res.contains(DocSections.begin("glove-100") + "G2\n" + DocSections.end("glove-100")), res);
        assertEquals(2, DocSections.sections(res).size());
    }

    @Test
    void carryOverKeepsSectionsTheFreshPageLacks() {
        String old = DocSections.replace("# Benchmarks\n\nold per-segment text\n", "fashion-mnist", "cluster figures");
        String fresh = "# Benchmarks\n\nnew per-segment text\n";
        String res = DocSections.carryOver(old, fresh);
        assertTrue(res.startsWith(fresh), res);
        assertEquals(DocSections.sections(old), DocSections.sections(res));
        // Carried over once, not again on the next rewrite.
        assertEquals(res, DocSections.carryOver(res, res));
    }

    /** A new section goes before the first one the predicate names, then stays where it is when replaced. */
    @Test
    void aMissingSectionGoesBeforeTheFirstOneNamed() {
        String page = DocSections.replace(DocSections.replace("# B\n\npage text\n", "memory", "M1"), "layout", "L1");
        String res = DocSections.replace(page, "segment-glove-100", "G1", id -> !id.startsWith("segment-"));
        assertTrue(res.indexOf(DocSections.begin("segment-glove-100")) < res.indexOf(DocSections.begin("memory")), res);
        assertTrue(res.startsWith("# B\n\npage text\n"), res);
        java.util.List<String> order = DocSections.sections(res);
        assertEquals(3, order.size());
        assertTrue(order.get(0).startsWith(DocSections.begin("segment-glove-100")), res);
        assertTrue(order.get(1).startsWith(DocSections.begin("memory")), res);
        assertTrue(order.get(2).startsWith(DocSections.begin("layout")), res);
        String again = DocSections.replace(res, "segment-glove-100", "G2", id -> true);
        assertEquals(res.replace("G1\n", "G2\n"), again);
        // Nothing named: appended at the end, as the three-argument form does.
        assertEquals(DocSections.replace("# B\n", "x", "X"), DocSections.replace("# B\n", "x", "X", id -> false));
    }
}
