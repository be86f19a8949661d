package io.vecgrid.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How a search was served, when the request asked for it: the target version searched, which node served each
 * sealed segment and each shard's growing data, how many jobs were retried after a failure, which segments an idle
 * node took over from a busy one, and which segments reconciliation added. Immutable.
 */
public final class SearchDiagnostics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long targetVersion;
    private final Map<Long, UUID> segmentNodes;
    private final Map<Integer, UUID> growingNodes;
    private final int retries;
    private final List<Long> takenOver;
    private final List<Long> reconciled;
    private final List<String> events;
    private final int jobs;
    private final List<Long> hedged;
    private final UUID router;

    public SearchDiagnostics(long targetVersion, Map<Long, UUID> segmentNodes, Map<Integer, UUID> growingNodes,
        int retries, List<Long> takenOver, List<Long> reconciled, List<String> events) {
        this(targetVersion, segmentNodes, growingNodes, retries, takenOver, reconciled, events, 0, List.of(), null);
    }

    /**
     * @param jobs node jobs the search sent (one per node and round; hedges and re-plans count too).
     * @param hedged segments whose job passed its deadline and that were sent to another copy as well.
     * @param router the node that routed the search.
     */
    public SearchDiagnostics(long targetVersion, Map<Long, UUID> segmentNodes, Map<Integer, UUID> growingNodes,
        int retries, List<Long> takenOver, List<Long> reconciled, List<String> events, int jobs, List<Long> hedged,
        UUID router) {
        this.router = router;
        this.jobs = jobs;
        this.hedged = new java.util.ArrayList<>(hedged);
        this.targetVersion = targetVersion;
        this.segmentNodes = segmentNodes;
        this.growingNodes = growingNodes;
        this.retries = retries;
        this.takenOver = takenOver;
        this.reconciled = reconciled;
        this.events = events;
    }

    public long targetVersion() {
        return targetVersion;
    }

    /** @return node that served each sealed segment, by segment id. */
    public Map<Long, UUID> segmentNodes() {
        return Collections.unmodifiableMap(segmentNodes);
    }

    /** @return node that served each shard's growing data, by shard. */
    public Map<Integer, UUID> growingNodes() {
        return Collections.unmodifiableMap(growingNodes);
    }

    /** @return jobs re-planned onto another copy after a failure. */
    public int retries() {
        return retries;
    }

    /** @return segments an idle node took over from a busier node before they started. */
    public List<Long> takenOver() {
        return Collections.unmodifiableList(takenOver);
    }

    /** @return segments that shard leaders named and the plan had missed. */
    public List<Long> reconciled() {
        return Collections.unmodifiableList(reconciled);
    }

    /** @return failures and decisions, in order, for people reading logs. */
    public List<String> events() {
        return Collections.unmodifiableList(events);
    }

    /** @return node jobs the search sent: one per node that served it, more when work was re-planned or hedged. */
    public int jobs() {
        return jobs;
    }

    /** @return segments whose node passed its deadline and that were searched on another copy as well. */
    public List<Long> hedged() {
        return Collections.unmodifiableList(hedged);
    }

    /** @return the node that routed the search (planned it and merged the answers), or {@code null} if unknown. */
    public UUID router() {
        return router;
    }

    @Override public String toString() {
        return "SearchDiagnostics[router=" + router + ", jobs=" + jobs + ", hedged=" + hedged + ", targetVersion=" + targetVersion + ", segmentNodes=" + segmentNodes + ", growingNodes=" +
            growingNodes + ", retries=" + retries + ", takenOver=" + takenOver + ", reconciled=" + reconciled +
            ", events=" + events + "]";
    }
}
