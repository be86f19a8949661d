package io.vecgrid.api;

/**
 * The node that received an operation is stopping gracefully and did not start it: nothing was applied. Resend it; a
 * client given several addresses reaches another node once this one has closed its connections
 * ({@code VecgridClient} resends by itself).
 */
public class NodeStoppingException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public NodeStoppingException(String msg) {
        super(msg);
    }
}
