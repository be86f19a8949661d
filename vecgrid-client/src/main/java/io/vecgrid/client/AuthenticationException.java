package io.vecgrid.client;

import io.vecgrid.api.VecgridException;

/**
 * The cluster refused the thin client's login: it has Ignite's authentication enabled
 * ({@code config/secure-config.xml}) and the user name or password is wrong, or none was given. The message names the user and says how to pass
 * credentials; {@link #user()} is the user name tried ({@code null}: none was given).
 *
 * <p>Not a {@link ClusterUnavailableException}: the cluster answered, and trying again with the same credentials
 * cannot succeed, so callers (and the CLI's exit code) must tell the two apart. In {@code io.vecgrid.client} because,
 * like {@link ClusterUnavailableException}, only the thin-client connection raises it: a server never sends it (the
 * vecgrid task runs only after the login succeeded) and the embedded API has no login.
 */
public class AuthenticationException extends VecgridException {
    private static final long serialVersionUID = 1L;

    private final String user;

    public AuthenticationException(String user, String msg, Throwable cause) {
        super(msg, cause);
        this.user = user;
    }

    /** @return the user name the client logged in with, {@code null} if it gave none. */
    public String user() {
        return user;
    }
}
