package io.vecgrid.search;

import java.io.Serializable;

/** A node's reply to one {@link NodeJob}: its answer, or why it failed. */
final class NodeReply implements Serializable {
    private static final long serialVersionUID = 1L;

    final long searchId;
    final int unit;
    /** The answer, or {@code null} if the job failed. */
    final NodeAnswer answer;
    /** Why the job failed, or {@code null}. */
    final String error;

    NodeReply(long searchId, int unit, NodeAnswer answer, String error) {
        this.searchId = searchId;
        this.unit = unit;
        this.answer = answer;
        this.error = error;
    }
}
