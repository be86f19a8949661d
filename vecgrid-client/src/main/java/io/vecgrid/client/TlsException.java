package io.vecgrid.client;

import io.vecgrid.api.VecgridException;

/**
 * The thin client and the cluster could not agree on TLS ({@code config/secure-config.xml} encrypts client
 * connections): the cluster requires TLS and the client has none, the node's certificate is not signed by a CA in the
 * client's trust store, the cluster refused the client's certificate (or wanted one), or the node does not use TLS at
 * all. {@link #reason()} says which; the message names the addresses and says what to pass.
 *
 * <p>Not a {@link ClusterUnavailableException}: the cluster answered, and trying again with the same settings cannot
 * succeed. Bad TLS settings found before connecting (a missing store file, a wrong store password) are
 * {@link io.vecgrid.api.InvalidRequestException}s naming the setting instead.
 */
public class TlsException extends VecgridException {
    private static final long serialVersionUID = 1L;

    /** What went wrong in the handshake. */
    public enum Reason {
        /** The cluster requires TLS and the client connected without it. */
        TLS_REQUIRED,
        /** The node's certificate is not signed by a CA the client trusts (no trust store, or the wrong one). */
        SERVER_NOT_TRUSTED,
        /** The cluster requires a client certificate signed by its CA, and the client had none or another one. */
        CLIENT_CERTIFICATE_REFUSED,
        /** The client uses TLS and the node does not. */
        SERVER_WITHOUT_TLS,
        /** Another handshake failure (no protocol or cipher suite in common, an expired certificate, ...). */
        HANDSHAKE_FAILED
    }

    private final Reason reason;

    public TlsException(Reason reason, String msg, Throwable cause) {
        super(msg, cause);
        this.reason = reason;
    }

    /** @return what went wrong. */
    public Reason reason() {
        return reason;
    }
}
