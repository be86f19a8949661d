package io.vecgrid.api;

/** A vector's length differs from the collection's dimension. */
public class DimensionMismatchException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public DimensionMismatchException(String msg) {
        super(msg);
    }
}
