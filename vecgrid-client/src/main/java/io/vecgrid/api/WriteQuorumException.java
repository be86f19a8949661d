package io.vecgrid.api;

/**
 * A write was refused because the node that took it is in a part of a persistent cluster that holds no majority of
 * the cluster's baseline nodes (the others failed, or the network cut this part off); nothing was written. Searches,
 * gets and counts are still served. The message names the baseline nodes this part reaches and those it does not.
 * Bring the missing nodes back (or reconnect the network) and retry; an operator who knows the missing nodes are gone
 * for good removes them from the baseline with {@code control.sh --baseline remove}.
 */
public class WriteQuorumException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public WriteQuorumException(String msg) {
        super(msg);
    }
}
