package io.vecgrid.api;

/** A backup of that name exists already (backups are never overwritten). Nothing was changed. */
public class BackupExistsException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    private final String backup;

    public BackupExistsException(String backup) {
        super("backup '" + backup + "' already exists; choose another name");
        this.backup = backup;
    }

    /** @return the backup's name. */
    public String backup() {
        return backup;
    }
}
