package io.vecgrid.search;

import java.io.Serializable;

/** Tells a node that a search is over: its jobs of that search still running or waiting stop (their work is not needed). */
final class NodeCancel implements Serializable {
    private static final long serialVersionUID = 1L;

    final long searchId;

    NodeCancel(long searchId) {
        this.searchId = searchId;
    }
}
