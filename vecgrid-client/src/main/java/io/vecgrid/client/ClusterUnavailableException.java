package io.vecgrid.client;

import io.vecgrid.api.VecgridException;

/**
 * No vecgrid server node answered the thin client at any of the addresses it was given (or the connection broke
 * during a call that is not safe to resend). The message names the addresses. Client-side only: the server never
 * sends it.
 */
public class ClusterUnavailableException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public ClusterUnavailableException(String msg) {
        super(msg);
    }
}
