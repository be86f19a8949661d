package io.vecgrid.cli;

import io.vecgrid.api.BackupCollection;
import io.vecgrid.api.BackupInfo;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.client.VecgridClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vecgrid backup create|list|restore}: backups of every collection, taken and restored with Ignite snapshots
 * on a persistent cluster (docs/operations.md, "Backups"). The {@code --json} document of {@code list} has stable
 * field names (add fields, never rename them).
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Take, list and restore backups of every collection (Ignite snapshots; needs a persistent cluster).",
    subcommands = {BackupCommand.Create.class, BackupCommand.ListBackups.class, BackupCommand.RestoreBackup.class},
    footerHeading = "%nExamples:%n",
    footer = {"  vecgrid backup create nightly_1",
        "  vecgrid backup list --json",
        "  vecgrid backup restore nightly_1 --collection docs"})
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    VecgridCli root;

    @Override public Integer call() {
        throw new BadInputException("backup needs a command: create NAME, list or restore NAME (see 'vecgrid backup --help')");
    }

    /** {@code vecgrid backup create NAME}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Take a backup of every collection now, while the cluster serves: one consistent Ignite snapshot.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid backup create nightly_1"})
    static final class Create implements Callable<Integer> {
        @ParentCommand
        BackupCommand parent;

        @Parameters(paramLabel = "NAME", description = "Backup name: letters, digits, '_' (a new one).")
        String name;

        @Override public Integer call() {
            try (VecgridClient c = parent.root.connect()) {
                BackupInfo b = c.backupCreate(name);
                List<String> names = new ArrayList<>();
                for (BackupCollection bc : b.collections())
                    names.add(bc.name());
                parent.root.out().println("backup '" + b.name() + "' taken at " + time(b.takenAtMillis()) + " on " +
                    b.nodes().size() + " server node(s): " + names.size() + " collection(s)" +
                    (names.isEmpty() ? "" : " " + String.join(", ", names)));
            }
            return VecgridCli.EXIT_OK;
        }
    }

    /** {@code vecgrid backup list [--json]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Backups the server nodes hold, oldest first, with their collections and layouts.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid backup list", "  vecgrid backup list --json"})
    static final class ListBackups implements Callable<Integer> {
        @ParentCommand
        BackupCommand parent;

        @Option(names = "--json", description = "One JSON document with stable field names.")
        boolean json;

        @Override public Integer call() {
            try (VecgridClient c = parent.root.connect()) {
                List<BackupInfo> list = c.backupList();
                parent.root.out().print(json ? Json.write(doc(list)) + "\n" : text(list));
            }
            return VecgridCli.EXIT_OK;
        }
    }

    /** {@code vecgrid backup restore NAME [--collection C ...]}. */
    @Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore collections from a backup: all it holds, or those named. None of them may exist now "
            + "(drop it first); if one does, nothing is restored.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid backup restore nightly_1          # every collection it holds",
            "  vecgrid backup restore nightly_1 --collection docs,fmnist"})
    static final class RestoreBackup implements Callable<Integer> {
        @ParentCommand
        BackupCommand parent;

        @Parameters(paramLabel = "NAME", description = "Backup name.")
        String name;

        @Option(names = "--collection", paramLabel = "C", split = ",",
            description = "A collection to restore; repeat or comma-separate (default: every collection of the backup).")
        List<String> collections = List.of();

        @Override public Integer call() {
            try (VecgridClient c = parent.root.connect()) {
                List<CollectionDescription> restored = c.backupRestore(name, collections.toArray(new String[0]));
                for (CollectionDescription d : restored) {
                    parent.root.out().println("restored '" + d.name() + "' from backup '" + name + "': " + d.rowCount() +
                        " rows, " + d.segmentCount() + " sealed segment(s), " + d.replicaNumber() + " replica(s)");
                }
            }
            return VecgridCli.EXIT_OK;
        }
    }

    static String time(long millis) {
        return millis < 0 ? "(unknown time)" : Instant.ofEpochMilli(millis).toString();
    }

    /** @return the {@code list --json} document. */
    static Map<String, Object> doc(List<BackupInfo> list) {
        List<Object> backups = new ArrayList<>();
        for (BackupInfo b : list) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("name", b.name());
            bm.put("takenAt", b.takenAtMillis() < 0 ? null : Instant.ofEpochMilli(b.takenAtMillis()).toString());
            bm.put("takenAtMillis", b.takenAtMillis());
            bm.put("manifest", b.manifest());
            bm.put("nodes", new ArrayList<Object>(b.nodes()));
            List<Object> colls = new ArrayList<>();
            for (BackupCollection c : b.collections()) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("name", c.name());
                cm.put("layout", c.layout() == BackupCollection.UNKNOWN_LAYOUT ? null : (Object)(long)c.layout());
                cm.put("dimension", c.dimension() == 0 ? null : (Object)(long)c.dimension());
                cm.put("metric", c.metric() == null ? null : c.metric().name());
                cm.put("index", c.index() == null ? null : c.index().name());
                cm.put("shards", c.shards() == 0 ? null : (Object)(long)c.shards());
                cm.put("replicaNumber", c.replicaNumber() == 0 ? null : (Object)(long)c.replicaNumber());
                // null: unknown until a restore reads the layout from the backup itself.
                cm.put("restorable", c.layout() == BackupCollection.UNKNOWN_LAYOUT ? null : (Object)(c.problem() == null));
                cm.put("problem", c.problem());
                colls.add(cm);
            }
            bm.put("collections", colls);
            backups.add(bm);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("backups", backups);
        return doc;
    }

    /** @return the {@code list} text for people. */
    static String text(List<BackupInfo> list) {
        if (list.isEmpty())
            return "no backups\n";
        StringBuilder sb = new StringBuilder();
        for (BackupInfo b : list) {
            sb.append(b.name()).append("  taken ").append(time(b.takenAtMillis())).append("  on ").append(b.nodes().size())
                .append(" node(s)").append(b.manifest() ? "" : "  (not taken by vecgrid: layouts unknown)").append('\n');
            if (b.collections().isEmpty())
                sb.append("  no collections\n");
            for (BackupCollection c : b.collections()) {
                sb.append(String.format("  %-24s layout %s", c.name(),
                    c.layout() == BackupCollection.UNKNOWN_LAYOUT ? "?" : String.valueOf(c.layout())));
                if (c.dimension() > 0) {
                    sb.append(String.format("  dim %d  %s  %s  %d shard(s)  %d replica(s)", c.dimension(), c.metric(),
                        c.index(), c.shards(), c.replicaNumber()));
                }
                if (c.problem() != null)
                    sb.append("  CANNOT BE RESTORED: ").append(c.problem());
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
