package io.vecgrid.plugin;

import io.vecgrid.config.VecgridConfiguration;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.IgniteConfiguration;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The vecgrid settings every node of a cluster must share, published as node attributes ({@code vecgrid.setting.*})
 * and compared when a node joins: a node whose vecgrid version or one of these settings differs is refused, with a
 * message naming the setting and both values.
 *
 * <ul>
 *   <li>{@code version}: nodes exchange vecgrid's own objects (jobs, metadata, segments) in its format.</li>
 *   <li>{@code sealRows}, {@code maxGrowingRowsPerShard}: a shard is sealed by its primary, which changes with the
 *       topology; writers are throttled against the cap.</li>
 *   <li>{@code maxTopK}, {@code maxBatchRows}: requests are checked by whichever node receives them.</li>
 *   <li>{@code segmentSlots}, {@code rowPartitions}: fixed per collection by the node that creates it.</li>
 *   <li>{@code segmentMaxBytes}, {@code segmentChunkBytes}, {@code smallSegmentRatio}, {@code deletedRatio},
 *       {@code balanceTolerance}: segments are written, merged and moved by whichever node runs the coordinator or
 *       the seal.</li>
 *   <li>{@code writeQuorum}: whether writes need a majority of the baseline ({@link io.vecgrid.cluster.WriteQuorum});
 *       every part of a split cluster must apply the same rule.</li>
 * </ul>
 */
public final class ClusterSettings {
    /** Attribute name prefix. */
    public static final String ATTR = "vecgrid.setting.";
    /** Attribute holding the node's HTTP page URL. */
    public static final String HTTP_ATTR = "vecgrid.http";

    private ClusterSettings() {
    }

    /** @return the settings that must match, by name, as strings. */
    static Map<String, String> of(VecgridConfiguration c, String version) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("sealRows", String.valueOf(c.getSealRows()));
        m.put("maxTopK", String.valueOf(c.getMaxTopK()));
        m.put("maxBatchRows", String.valueOf(c.getMaxBatchRows()));
        m.put("maxGrowingRowsPerShard", String.valueOf(c.getMaxGrowingRowsPerShard()));
        m.put("segmentSlots", String.valueOf(c.getSegmentSlots()));
        m.put("rowPartitions", String.valueOf(c.getRowPartitions()));
        m.put("segmentMaxBytes", String.valueOf(c.getSegmentMaxBytes()));
        m.put("segmentChunkBytes", String.valueOf(c.getSegmentChunkBytes()));
        m.put("smallSegmentRatio", String.valueOf(c.getSmallSegmentRatio()));
        m.put("deletedRatio", String.valueOf(c.getDeletedRatio()));
        m.put("balanceTolerance", String.valueOf(c.getBalanceTolerance()));
        m.put("writeQuorum", String.valueOf(c.isWriteQuorum()));
        return m;
    }

    /** Adds the settings to the node's attributes (before it joins). */
    static void publish(IgniteConfiguration cfg, VecgridConfiguration c, String version) {
        Map<String, Object> attrs = attributes(cfg);
        for (Map.Entry<String, String> e : of(c, version).entrySet())
            attrs.put(ATTR + e.getKey(), e.getValue());
        attrs.put(io.vecgrid.cluster.WriteQuorum.PERSISTENT_ATTR,
            String.valueOf(!cfg.isClientMode() && io.vecgrid.cluster.ClusterInfo.persistent(cfg.getDataStorageConfiguration())));
    }

    /** Adds the node's HTTP page URL to its attributes (the status page links the nodes' pages). */
    static void publishHttp(IgniteConfiguration cfg, String url) {
        attributes(cfg).put(HTTP_ATTR, url);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> attributes(IgniteConfiguration cfg) {
        Map<String, Object> cur = (Map<String, Object>)cfg.getUserAttributes();
        Map<String, Object> res = cur == null ? new HashMap<>() : new HashMap<>(cur);
        cfg.setUserAttributes(res);
        return res;
    }

    /**
     * @return why {@code node} must not join a cluster with this node's settings, or {@code null} if it may (also when
     *      it has no vecgrid).
     */
    static String difference(IgniteConfiguration local, ClusterNode node) {
        Map<String, ?> mine = local.getUserAttributes();
        if (mine == null || node.attribute(ATTR + "version") == null)
            return null;
        for (Map.Entry<String, ?> e : mine.entrySet()) {
            if (!e.getKey().startsWith(ATTR))
                continue;
            String name = e.getKey().substring(ATTR.length());
            Object theirs = node.attribute(e.getKey());
            if (!String.valueOf(e.getValue()).equals(String.valueOf(theirs))) {
                return "vecgrid: node " + node.consistentId() + " is refused: its vecgrid " +
                    (name.equals("version") ? "version is " + theirs + ", the cluster's is " + e.getValue() :
                        "setting " + name + " is " + theirs + ", the cluster's is " + e.getValue()) +
                    "; every node of a cluster must have the same " + name + " (in the vecgrid configuration)";
            }
        }
        return null;
    }
}
