package io.vecgrid.cluster;

import io.vecgrid.api.WriteQuorumException;
import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.TopologyValidator;
import org.apache.ignite.plugin.CacheTopologyValidatorProvider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Keeps a part of a persistent cluster that is cut off from the rest (split brain) from acknowledging writes.
 *
 * <p>Ignite 2's discovery has no quorum: when the network splits a cluster, or a node is frozen long enough for the
 * others to drop it, each part can go on as a cluster of its own, and Ignite clusters never merge again. Writes one
 * part acknowledged are lost when its nodes are restarted into the other. So vecgrid accepts writes only in a part
 * that holds a <em>majority of the baseline</em>: more than half of the baseline nodes online, or exactly half when
 * those include the baseline node whose consistent id sorts first (a tie-breaker both halves of an even split agree on
 * without talking to each other). At most one part of a split holds it. A part without it keeps serving searches,
 * gets and counts from the copies it holds, and refuses every write with a {@link WriteQuorumException} naming the
 * nodes it misses; {@link BaselineKeeper} does not change the baseline there either (a cut-off part that removed the
 * others would give itself a majority).
 *
 * <p>Enforced twice: by the write path before a write starts ({@link #check}, for a message that says what to do),
 * and by Ignite itself on every update of vecgrid's caches, through a {@link TopologyValidator} this plugin gives each
 * of them (evaluated on each topology change; a cache whose topology is not valid refuses updates and serves reads),
 * which also covers vecgrid's own background writes (seals, merges, balancing) and writes that started before the
 * split was noticed. Applies to persistent clusters only (an in-memory cluster's baseline follows its topology, and a
 * restarted in-memory node holds nothing to lose) and only while the cluster setting {@code writeQuorum} is on (the
 * default; off trades this protection for writes on any surviving node, e.g. on a two-node cluster).
 *
 * <p>Stateless and thread-safe.
 */
public final class WriteQuorum {
    /** Node attribute set on a server node that keeps data in native persistence. */
    public static final String PERSISTENT_ATTR = "vecgrid.persistent";
    /** Node attribute of the cluster setting (see {@link io.vecgrid.plugin.ClusterSettings}). */
    private static final String SETTING_ATTR = "vecgrid.setting.writeQuorum";

    private WriteQuorum() {
    }

    /**
     * @param baseline consistent ids of the baseline nodes.
     * @param online consistent ids of the server nodes online in this part of the cluster.
     * @return whether {@code online} holds a majority of {@code baseline} (ties go to the half holding the baseline
     *      node whose consistent id sorts first).
     */
    public static boolean held(Collection<String> baseline, Collection<String> online) {
        if (baseline.isEmpty())
            return true;
        int alive = 0;
        for (String id : baseline) {
            if (online.contains(id))
                alive++;
        }
        if (2 * alive != baseline.size())
            return 2 * alive > baseline.size();
        return online.contains(new TreeSet<>(baseline).first());
    }

    /**
     * @return why writes are refused in this part of the cluster, or {@code null} if they are not (the quorum is
     *      held, the cluster is in memory, has no baseline yet, or the setting is off).
     */
    public static String refusal(Ignite ignite) {
        List<String> base = baselineIds(ignite);
        Collection<ClusterNode> servers = ignite.cluster().forServers().nodes();
        if (base == null || !applies(servers))
            return null;
        return refusal(base, onlineIds(servers));
    }

    /**
     * @return the consistent ids of the cluster's baseline, or {@code null} if it has none: read from the cluster
     *      state, not through the public API, which throws on a thick client that is reconnecting (the topology
     *      validator below runs in Ignite's exchange worker, where that exception stopped the client).
     */
    static List<String> baselineIds(Ignite ignite) {
        org.apache.ignite.internal.processors.cluster.BaselineTopology blt =
            ((org.apache.ignite.internal.IgniteEx)ignite).context().state().clusterState().baselineTopology();
        if (blt == null)
            return null;
        List<String> res = new ArrayList<>();
        for (Object id : blt.consistentIds())
            res.add(String.valueOf(id));
        return res;
    }

    /** @return why {@code online} holds no quorum of {@code baseline}, or {@code null} if it does. */
    static String refusal(List<String> baseline, List<String> online) {
        if (held(baseline, online))
            return null;
        List<String> missing = new ArrayList<>(baseline);
        missing.removeAll(online);
        List<String> here = new ArrayList<>(baseline);
        here.retainAll(online);
        return "this part of the cluster reaches " + here.size() + " of its " + baseline.size() + " baseline nodes " +
            here + "; " + missing + " are not reachable, and writes need a majority of the baseline (" +
            (baseline.size() / 2 + 1) + (baseline.size() % 2 == 0 ? ", or half of it including " +
            new TreeSet<>(baseline).first() : "") + ") so that a part of the cluster cut off from the rest never " +
            "acknowledges writes the rest does not see. Searches are still served from the copies this part holds. " +
            "Bring the missing nodes back (or repair the network) and retry; if they are gone for good, remove them " +
            "from the baseline (control.sh --baseline remove)";
    }

    /**
     * @param what the refused operation, for the message (e.g. "insert into collection 'docs'").
     * @throws WriteQuorumException if this part of the cluster holds no majority of the baseline.
     */
    public static void check(Ignite ignite, String what) {
        String why = refusal(ignite);
        if (why != null)
            throw new WriteQuorumException(what + " refused, nothing was written: " + why);
    }

    /** @return whether the rule applies to a cluster of these server nodes (persistent, setting on). */
    static boolean applies(Collection<ClusterNode> servers) {
        for (ClusterNode n : servers) {
            if (!n.isClient() && Boolean.parseBoolean(String.valueOf(n.<Object>attribute(PERSISTENT_ATTR))) &&
                !"false".equals(String.valueOf(n.<Object>attribute(SETTING_ATTR))))
                return true;
        }
        return false;
    }

    private static List<String> onlineIds(Collection<ClusterNode> nodes) {
        List<String> res = new ArrayList<>();
        for (ClusterNode n : nodes) {
            if (!n.isClient())
                res.add(String.valueOf(n.consistentId()));
        }
        return res;
    }

    /**
     * Gives each of vecgrid's caches that holds collection data (catalog, state, rows, locations, segments, delete
     * marks) the quorum as its topology validator. Not the distribution reports or the SQL functions cache: they hold
     * no acknowledged data, and a cut-off part keeps reporting what it serves.
     */
    public static final class Validators implements CacheTopologyValidatorProvider {
        private final Ignite ignite;
        /** Topology version of the last refusal logged: one line per topology change, not one per cache. */
        private final java.util.concurrent.atomic.AtomicLong loggedTopVer = new java.util.concurrent.atomic.AtomicLong(-1);

        public Validators(Ignite ignite) {
            this.ignite = Objects.requireNonNull(ignite);
        }

        @Override public TopologyValidator topologyValidator(String cacheName) {
            if (!MetaStore.COLLECTIONS_CACHE.equals(cacheName) && !cacheName.startsWith("vecgrid_"))
                return null;
            return new Validator(ignite, this);
        }

        /** @return whether the refusal at the current topology version is still to be logged (claims it). */
        boolean claimLog() {
            long ver = ((org.apache.ignite.internal.IgniteEx)ignite).context().discovery().topologyVersion();
            long prev = loggedTopVer.get();
            return prev != ver && loggedTopVer.compareAndSet(prev, ver);
        }
    }

    /** The quorum as Ignite's topology validator of one cache (never serialized: given by the plugin on each node). */
    private static final class Validator implements TopologyValidator {
        private static final long serialVersionUID = 1L;
        private final transient Ignite ignite;
        private final transient Validators owner;

        Validator(Ignite ignite, Validators owner) {
            this.ignite = ignite;
            this.owner = owner;
        }

        /** Runs in Ignite's exchange worker, where an exception is a critical failure that stops the node. */
        @Override public boolean validate(Collection<ClusterNode> nodes) {
            List<String> base = baselineIds(ignite);
            if (base == null || !applies(nodes))
                return true;
            boolean ok = held(base, onlineIds(nodes));
            if (!ok && owner.claimLog()) {
                ignite.log().getLogger(WriteQuorum.class).warning("vecgrid refuses writes in this part of the " +
                    "cluster: " + refusal(base, onlineIds(nodes)));
            }
            return ok;
        }
    }
}
