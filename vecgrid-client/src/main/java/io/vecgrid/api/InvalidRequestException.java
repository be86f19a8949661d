package io.vecgrid.api;

/** A request was rejected before anything changed: the message names the field and the limit. */
public class InvalidRequestException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String msg) {
        super(msg);
    }
}
