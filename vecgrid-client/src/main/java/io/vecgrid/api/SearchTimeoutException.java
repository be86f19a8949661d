package io.vecgrid.api;

/** A search did not complete within its timeout. */
public class SearchTimeoutException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public SearchTimeoutException(String msg) {
        super(msg);
    }
}
