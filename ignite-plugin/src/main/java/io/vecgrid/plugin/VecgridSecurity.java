package io.vecgrid.plugin;

import io.vecgrid.collection.CacheWriteGuard;
import org.apache.ignite.internal.GridKernalContext;
import org.apache.ignite.internal.processors.authentication.IgniteAuthenticationProcessor;
import org.apache.ignite.internal.processors.security.GridSecurityProcessor;
import org.apache.ignite.internal.processors.security.SecurityContext;
import org.apache.ignite.plugin.security.SecurityException;
import org.apache.ignite.plugin.security.SecurityPermission;

/**
 * A node's security processor on a cluster with Ignite's built-in authentication ({@code authenticationEnabled},
 * config/secure-config.xml): Ignite's own {@link IgniteAuthenticationProcessor} (users, passwords, logins, everything
 * it does), whose {@code authorize}, a no-op there, runs {@link CacheWriteGuard}. Ignite 2.17 calls
 * {@code authorize(cacheName, CACHE_PUT / CACHE_REMOVE)} before a cache write or a data streamer's batch is applied,
 * in the caller's thread, and its exception reaches the caller: the one hook of Ignite 2.17 early enough to refuse a
 * write to a collection's caches that goes around vecgrid. Ignite accepts no other class than a subclass of its own
 * with authentication on.
 *
 * <p>Without authentication vecgrid installs no security processor ({@link #create} returns {@code null}): any security
 * processor makes Ignite look up every compute task's name in its utility cache, which on a thick client is a remote
 * read from that cache's primary on every search (a stalled primary would stall searches again), and waits forever on
 * a thick client that joined while the cluster was inactive (Ignite's task processor counts that latch down only on a
 * node that sees the activation as a server). On a cluster without authentication anyone who reaches it may do
 * anything to its caches anyway; direct writes there are dropped by the caches' interceptors (with a warning in the
 * node's log) or, through a data streamer without {@code allowOverwrite}, stored where vecgrid never reads them.
 */
public class VecgridSecurity extends IgniteAuthenticationProcessor {
    public VecgridSecurity(GridKernalContext ctx) {
        super(ctx);
    }

    /** @return the security processor for a node of this configuration, or {@code null} (see the class comment). */
    static GridSecurityProcessor create(GridKernalContext ctx) {
        return ctx.config().isAuthenticationEnabled() ? new VecgridSecurity(ctx) : null;
    }

    @Override public void authorize(String name, SecurityPermission perm, SecurityContext securityCtx)
        throws SecurityException {
        CacheWriteGuard.check(name, perm);
    }
}
