package io.vecgrid.api;

/** A collection with that name already exists. */
public class CollectionExistsException extends VecgridException {
    private static final long serialVersionUID = 1L;

    private final String name;

    public CollectionExistsException(String name) {
        super("collection '" + name + "' already exists");
        this.name = name;
    }

    /**
     * @param detail what to do about it, appended to the message after a colon, e.g. that the collection must be
     *     dropped before a backup of it can be restored.
     */
    public CollectionExistsException(String name, String detail) {
        super("collection '" + name + "' already exists" + (detail == null ? "" : ": " + detail));
        this.name = name;
    }

    /** @return the collection's name ({@code null} on an instance deserialized from an older vecgrid). */
    public String collection() {
        return name;
    }
}
