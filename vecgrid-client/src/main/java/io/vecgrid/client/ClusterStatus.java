package io.vecgrid.client;

import io.vecgrid.api.CollectionDescription;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * What {@code vecgrid status} reports: the server nodes of the cluster and a description of every collection.
 * Immutable snapshot, taken by the node that served the request.
 */
public final class ClusterStatus implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String igniteVersion;
    private final UUID servedBy;
    private final ArrayList<Node> nodes;
    private final ArrayList<CollectionDescription> collections;
    private final String state;
    private final boolean persistent;
    private final ArrayList<BaselineMember> baseline;
    private final String advice;

    /**
     * @param state Ignite cluster state (ACTIVE, INACTIVE, ACTIVE_READ_ONLY).
     * @param persistent whether the nodes keep data in native persistence.
     * @param baseline baseline nodes (persistent clusters; empty before the first activation or in memory).
     * @param advice what the operator should do, or {@code null} when the cluster serves normally.
     */
    public ClusterStatus(String igniteVersion, UUID servedBy, List<Node> nodes, List<CollectionDescription> collections,
        String state, boolean persistent, List<BaselineMember> baseline, String advice) {
        this.igniteVersion = igniteVersion;
        this.servedBy = servedBy;
        this.nodes = new ArrayList<>(nodes);
        this.collections = new ArrayList<>(collections);
        this.state = state;
        this.persistent = persistent;
        this.baseline = new ArrayList<>(baseline);
        this.advice = advice;
    }

    /** @return the Ignite cluster state: ACTIVE, INACTIVE or ACTIVE_READ_ONLY. */
    public String state() {
        return state;
    }

    /** @return whether the nodes keep their data in Ignite native persistence. */
    public boolean persistent() {
        return persistent;
    }

    /** @return the baseline nodes with whether each is online (empty in memory or before the first activation). */
    public List<BaselineMember> baseline() {
        return Collections.unmodifiableList(baseline);
    }

    /** @return what the operator should do, or {@code null} when the cluster serves normally. */
    public String advice() {
        return advice;
    }

    /** @return Ignite version of the node that answered. */
    public String igniteVersion() {
        return igniteVersion;
    }

    /** @return id of the node that answered. */
    public UUID servedBy() {
        return servedBy;
    }

    /** @return server nodes, in join order. */
    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** @return every collection, sorted by name. */
    public List<CollectionDescription> collections() {
        return Collections.unmodifiableList(collections);
    }

    @Override public String toString() {
        return "ClusterStatus[nodes=" + nodes + ", collections=" + collections.size() + "]";
    }

    /** One node of the baseline (the nodes a persistent cluster stores data on). */
    public static final class BaselineMember implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String consistentId;
        private final boolean online;

        public BaselineMember(String consistentId, boolean online) {
            this.consistentId = consistentId;
            this.online = online;
        }

        public String consistentId() {
            return consistentId;
        }

        public boolean online() {
            return online;
        }

        @Override public String toString() {
            return consistentId + (online ? " (online)" : " (offline)");
        }
    }

    /** One server node. */
    public static final class Node implements Serializable {
        private static final long serialVersionUID = 1L;

        private final UUID id;
        private final String consistentId;
        private final ArrayList<String> addresses;
        private final long order;
        private final int clientPort;

        /** @param clientPort the port of the node's thin-client connector, -1 if it has none. */
        public Node(UUID id, String consistentId, List<String> addresses, long order, int clientPort) {
            this.id = id;
            this.consistentId = consistentId;
            this.addresses = new ArrayList<>(addresses);
            this.order = order;
            this.clientPort = clientPort;
        }

        public UUID id() {
            return id;
        }

        public String consistentId() {
            return consistentId;
        }

        /** @return the node's addresses (host names and IPs). */
        public List<String> addresses() {
            return Collections.unmodifiableList(addresses);
        }

        /** @return the node's join order in the topology. */
        public long order() {
            return order;
        }

        /** @return the port thin clients (and JDBC) connect to on this node, -1 if it has no client connector. */
        public int clientPort() {
            return clientPort;
        }

        @Override public String toString() {
            return id + " " + addresses;
        }
    }
}
