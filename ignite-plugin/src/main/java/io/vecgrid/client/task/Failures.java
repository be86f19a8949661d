package io.vecgrid.client.task;

import io.vecgrid.api.VecgridException;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.compute.ComputeTaskTimeoutException;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Turns whatever an operation threw into a {@link VecgridException} a thin-client user can act on: a vecgrid error
 * found anywhere in the cause chain is used as it is; an Ignite or JVM failure becomes a {@link VecgridException}
 * whose message says what happened in plain words (its cause is not sent).
 */
final class Failures {
    private Failures() {
    }

    /** @return the first {@link VecgridException} in {@code t}'s cause chain, or {@code null}. */
    static VecgridException vecgridCause(Throwable t) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable c = t; c != null && seen.put(c, true) == null; c = c.getCause()) {
            if (c instanceof VecgridException)
                return (VecgridException)c;
        }
        return null;
    }

    /**
     * @param what what failed, e.g. {@code "search of collection 'docs'"}.
     * @return a vecgrid error for {@code t}.
     */
    static VecgridException translate(String what, String node, Throwable t) {
        VecgridException v = vecgridCause(t);
        if (v != null)
            return v;
        if (has(t, ClusterTopologyException.class)) {
            return new VecgridException(what + " failed on node " + node + " because the cluster topology changed (" +
                describe(t) + "); retry");
        }
        if (has(t, ComputeTaskTimeoutException.class))
            return new VecgridException(what + " timed out on node " + node + " (" + describe(t) + ")");
        return new VecgridException(what + " failed on node " + node + ": " + describe(t));
    }

    /** @return the innermost message of {@code t}'s cause chain, with the exception's simple name. */
    static String describe(Throwable t) {
        Throwable root = t;
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable c = t; c != null && seen.put(c, true) == null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank())
                root = c;
        }
        String msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static boolean has(Throwable t, Class<? extends Throwable> type) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable c = t; c != null && seen.put(c, true) == null; c = c.getCause()) {
            if (type.isInstance(c))
                return true;
        }
        return false;
    }
}
