package io.vecgrid.api;

import java.util.regex.Pattern;

/** Fixed limits of the data model (configurable limits live in the node configuration). */
public final class Limits {
    /** Largest vector dimension. */
    public static final int MAX_DIMENSION = 32768;
    /** Largest number of shards of a collection. */
    public static final int MAX_SHARDS = 64;
    /** Default number of shards. */
    public static final int DFLT_SHARDS = 2;
    /** Default number of in-memory replicas. */
    public static final int DFLT_REPLICAS = 1;
    /** Longest collection or field name. */
    public static final int MAX_NAME_LENGTH = 255;
    /** Largest number of scalar fields. */
    public static final int MAX_SCALAR_FIELDS = 64;
    /** Collection and field names: letters, digits and underscores. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    private Limits() {
    }

    /** @throws InvalidRequestException unless {@code name} is 1..255 letters, digits or underscores. */
    public static void checkName(String what, String name) {
        if (name == null || name.isEmpty())
            throw new InvalidRequestException(what + " must not be empty");
        if (name.length() > MAX_NAME_LENGTH)
            throw new InvalidRequestException(what + " must be at most " + MAX_NAME_LENGTH + " characters, got " + name.length());
        if (!NAME.matcher(name).matches())
            throw new InvalidRequestException(what + " may contain only letters, digits and '_', got '" + name + "'");
    }
}
