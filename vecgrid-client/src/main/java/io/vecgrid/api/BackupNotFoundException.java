package io.vecgrid.api;

/** No server node holds a backup of that name. Nothing was changed. */
public class BackupNotFoundException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    private final String backup;

    public BackupNotFoundException(String backup) {
        super("backup '" + backup + "' does not exist on any server node; 'vecgrid backup list' lists the backups");
        this.backup = backup;
    }

    /** @return the backup's name. */
    public String backup() {
        return backup;
    }
}
