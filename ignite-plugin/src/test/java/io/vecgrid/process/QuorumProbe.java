package io.vecgrid.process;

import io.vecgrid.TestRows;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;

import java.util.List;

/**
 * Run by {@link MultiHostProcessIT} inside a cut-off node's network namespace (the only place that reaches it): a thin
 * client connected to that node alone tries one insert and one search and prints what happened, one line each:
 * {@code INSERT ACCEPTED} or {@code INSERT REFUSED <exception class>: <message>}, then {@code SEARCH <n> hits} or
 * {@code SEARCH FAILED <exception>}.
 *
 * <p>Arguments: the node's thin-client address, the collection, its dimension, the primary key to insert.
 */
public final class QuorumProbe {
    private QuorumProbe() {
    }

    public static void main(String[] args) {
        String addr = args[0];
        String coll = args[1];
        int dim = Integer.parseInt(args[2]);
        long pk = Long.parseLong(args[3]);
        try (VecgridClient c = VecgridClient.builder().addresses(addr).connect()) {
            try {
                c.insert(coll, List.of(new VectorRow(pk, TestRows.vector(pk, dim))));
                System.out.println("INSERT ACCEPTED");
            }
            catch (VecgridException e) {
                System.out.println("INSERT REFUSED " + e.getClass().getName() + ": " + e.getMessage());
            }
            try {
                System.out.println("SEARCH " + c.search(coll, new float[][] {TestRows.vector(pk, dim)}, 10).hits(0).size() +
                    " hits");
            }
            catch (VecgridException e) {
                System.out.println("SEARCH FAILED " + e);
            }
        }
    }
}
