package io.vecgrid.api;

/** The named collection does not exist. */
public class CollectionNotFoundException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public CollectionNotFoundException(String name) {
        super("collection '" + name + "' does not exist");
    }
}
