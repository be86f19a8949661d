package io.vecgrid.api;

/**
 * Base of every error vecgrid reports. Messages say what was expected, and name the collection, field, shard,
 * segment or node concerned. Serializable so that the type and message survive a trip through compute.
 */
public class VecgridException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VecgridException(String msg) {
        super(msg);
    }

    public VecgridException(String msg, Throwable cause) {
        super(msg, cause);
    }
}
