package io.vecgrid.api;

/**
 * A write was refused because a shard holds as many growing (not yet sealed) rows as it may: data arrives faster than
 * it is sealed. Nothing was written; retry after a short pause.
 */
public class IngestRateException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public IngestRateException(String msg) {
        super(msg);
    }
}
