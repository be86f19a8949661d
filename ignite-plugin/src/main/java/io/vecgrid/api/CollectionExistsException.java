package io.vecgrid.api;

/** A collection with that name already exists. */
public class CollectionExistsException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public CollectionExistsException(String name) {
        super("collection '" + name + "' already exists");
    }
}
