package io.vecgrid.search;

/** Tells a node that a search is over: its jobs of that search still running or waiting stop (their work is not needed). */
final class NodeCancel extends WireMessage {
    private static final long serialVersionUID = 1L;

    long searchId;

    private static final Field<WireMessage>[] FIELDS = fieldsOf(
        new Field<NodeCancel>((m, w) -> w.writeLong("searchId", m.searchId), (m, r) -> m.searchId = r.readLong("searchId")));

    NodeCancel(long searchId) {
        this.searchId = searchId;
    }

    /** For Ignite's message factory: the fields are read from the wire. */
    NodeCancel() {
    }

    @Override Field<WireMessage>[] fields() {
        return FIELDS;
    }

    @Override public short directType() {
        return CANCEL_TYPE;
    }
}
