package io.vecgrid.backup;

import io.vecgrid.api.InvalidRequestException;

import java.util.regex.Pattern;

/**
 * What a backup may be called. A backup is an Ignite snapshot of the same name, and Ignite 2.17 accepts only
 * letters, digits and {@code _} in snapshot names ({@code IgniteSnapshot#createSnapshot}; it also names a directory
 * on every node), so vecgrid accepts exactly those, at most {@value #MAX_LENGTH} characters, and says so before
 * anything starts rather than passing Ignite's assertion message on.
 *
 * <p>Stateless; thread-safe.
 */
public final class BackupNames {
    /** Longest name: a directory name on every node, kept well inside file-system limits. */
    public static final int MAX_LENGTH = 100;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    private BackupNames() {
    }

    /**
     * @return {@code name}.
     * @throws InvalidRequestException naming the name and the rule if it breaks it.
     */
    public static String check(String name) {
        if (name == null || name.isEmpty())
            throw new InvalidRequestException("a backup needs a name: letters, digits and '_'");
        if (name.length() > MAX_LENGTH || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("bad backup name '" + name + "': use 1 to " + MAX_LENGTH + " letters, " +
                "digits and '_' (the name of the Ignite snapshot, which allows no other characters)");
        }
        return name;
    }
}
