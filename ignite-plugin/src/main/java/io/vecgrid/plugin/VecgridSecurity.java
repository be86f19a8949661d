package io.vecgrid.plugin;

import io.vecgrid.collection.CacheWriteGuard;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.internal.GridKernalContext;
import org.apache.ignite.internal.processors.GridProcessorAdapter;
import org.apache.ignite.internal.processors.authentication.IgniteAuthenticationProcessor;
import org.apache.ignite.internal.processors.security.GridSecurityProcessor;
import org.apache.ignite.internal.processors.security.SecurityContext;
import org.apache.ignite.plugin.security.AuthenticationContext;
import org.apache.ignite.plugin.security.SecurityCredentials;
import org.apache.ignite.plugin.security.SecurityException;
import org.apache.ignite.plugin.security.SecurityPermission;
import org.apache.ignite.plugin.security.SecuritySubject;
import org.apache.ignite.plugin.security.SecuritySubjectType;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.UUID;

import static org.apache.ignite.internal.IgniteNodeAttributes.ATTR_IGNITE_INSTANCE_NAME;
import static org.apache.ignite.internal.IgniteNodeAttributes.ATTR_SECURITY_CREDENTIALS;

/**
 * The node's Ignite security processor, installed by the plugin ({@link VecgridPluginProvider#createComponent}) for
 * one reason: Ignite's {@code authorize(cacheName, CACHE_PUT / CACHE_REMOVE)} is the one hook of Ignite 2.17 that runs
 * before a cache write or a data streamer's batch is applied and whose exception reaches the caller, and
 * {@link CacheWriteGuard} uses it to refuse writes to vecgrid's caches that do not come from vecgrid (see there for
 * the call sites). Ignite calls it only when the node has a security processor, so vecgrid installs one on every node:
 * <ul>
 *   <li>with Ignite's built-in authentication ({@code authenticationEnabled}, config/secure-config.xml):
 *   {@link Authentication}, Ignite's own {@link IgniteAuthenticationProcessor} (users, passwords, everything it did)
 *   whose {@code authorize}, a no-op there, runs the guard. Ignite accepts no other class with authentication on;</li>
 *   <li>without it: this class, which authenticates nobody, exactly as Ignite without security: every node joins,
 *   every thin client, JDBC or ODBC connection is accepted whatever its credentials, and every operation is allowed
 *   except the writes the guard refuses. Its node and client handling copies {@link IgniteAuthenticationProcessor}'s
 *   (every node joins without credentials, subjects are the node or the connection).</li>
 * </ul>
 * Ignite refuses a node whose security processor class differs from the cluster's (a node without vecgrid, or with
 * another authentication setting), naming both classes.
 */
public class VecgridSecurity extends GridProcessorAdapter implements GridSecurityProcessor {
    public VecgridSecurity(GridKernalContext ctx) {
        super(ctx);
    }

    /** @return the security processor for a node of this configuration (see the class comment). */
    static GridSecurityProcessor create(GridKernalContext ctx) {
        return ctx.config().isAuthenticationEnabled() ? new Authentication(ctx) : new VecgridSecurity(ctx);
    }

    /**
     * Gives the node empty credentials: Ignite's discovery authenticates every node, itself included, and expects a
     * node without built-in authentication to carry some ({@code SecurityUtils.authenticateLocalNode}); they are not
     * checked.
     */
    @Override public void start() {
        if (!ctx.hasNodeAttribute(ATTR_SECURITY_CREDENTIALS))
            ctx.addNodeAttribute(ATTR_SECURITY_CREDENTIALS, new SecurityCredentials());
    }

    /** Every node joins, as in {@link IgniteAuthenticationProcessor#authenticateNode}. */
    @Override public SecurityContext authenticateNode(ClusterNode node, SecurityCredentials cred) {
        return new Context(node.id(), node.attribute(ATTR_IGNITE_INSTANCE_NAME), SecuritySubjectType.REMOTE_NODE,
            node.addresses().isEmpty() ? null : new InetSocketAddress(node.addresses().iterator().next(), 0));
    }

    @Override public boolean isGlobalNodeAuthentication() {
        return false;
    }

    /** Every client connection is accepted, whatever its credentials (none are configured). */
    @Override public SecurityContext authenticate(AuthenticationContext authCtx) {
        SecurityCredentials cred = authCtx.credentials();
        return new Context(authCtx.subjectId(), cred == null ? null : cred.getLogin(), authCtx.subjectType(),
            authCtx.address());
    }

    @Override public Collection<SecuritySubject> authenticatedSubjects() {
        return Collections.emptyList();
    }

    @Override public SecuritySubject authenticatedSubject(UUID subjId) {
        return null;
    }

    /**
     * @return a context for a client connection's subject (an operation of a thin client or JDBC connection that
     *      another node carries out), {@code null} for a node (Ignite then uses the node's own).
     */
    @Override public SecurityContext securityContext(UUID subjId) {
        if (ctx.discovery().node(subjId) != null || ctx.discovery().historicalNode(subjId) != null)
            return null;
        return new Context(subjId, null, SecuritySubjectType.REMOTE_CLIENT, null);
    }

    @Override public void authorize(String name, SecurityPermission perm, SecurityContext securityCtx)
        throws SecurityException {
        CacheWriteGuard.check(name, perm);
    }

    @Override public void onSessionExpired(UUID subjId) {
        // No sessions kept.
    }

    @Override public boolean enabled() {
        return true;
    }

    /** Ignite's built-in authentication, with vecgrid's cache write guard as its {@code authorize}. */
    public static class Authentication extends IgniteAuthenticationProcessor {
        public Authentication(GridKernalContext ctx) {
            super(ctx);
        }

        @Override public void authorize(String name, SecurityPermission perm, SecurityContext securityCtx)
            throws SecurityException {
            CacheWriteGuard.check(name, perm);
        }
    }

    /** A subject and its context: no permissions kept (every check but the guard's passes). */
    private static final class Context implements SecurityContext, SecuritySubject, Serializable {
        private static final long serialVersionUID = 1L;

        private final UUID id;
        private final Object login;
        private final SecuritySubjectType type;
        private final InetSocketAddress addr;

        Context(UUID id, Object login, SecuritySubjectType type, InetSocketAddress addr) {
            this.id = id;
            this.login = login;
            this.type = type;
            this.addr = addr;
        }

        @Override public SecuritySubject subject() {
            return this;
        }

        @Override public UUID id() {
            return id;
        }

        @Override public SecuritySubjectType type() {
            return type;
        }

        @Override public Object login() {
            return login;
        }

        @Override public InetSocketAddress address() {
            return addr;
        }

        @Override public String toString() {
            return "VecgridSecurity.Context[id=" + id + ", login=" + login + ", type=" + type + ']';
        }
    }
}
