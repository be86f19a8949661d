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

    public ClusterStatus(String igniteVersion, UUID servedBy, List<Node> nodes, List<CollectionDescription> collections) {
        this.igniteVersion = igniteVersion;
        this.servedBy = servedBy;
        this.nodes = new ArrayList<>(nodes);
        this.collections = new ArrayList<>(collections);
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

    /** One server node. */
    public static final class Node implements Serializable {
        private static final long serialVersionUID = 1L;

        private final UUID id;
        private final String consistentId;
        private final ArrayList<String> addresses;
        private final long order;

        public Node(UUID id, String consistentId, List<String> addresses, long order) {
            this.id = id;
            this.consistentId = consistentId;
            this.addresses = new ArrayList<>(addresses);
            this.order = order;
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

        @Override public String toString() {
            return id + " " + addresses;
        }
    }
}
