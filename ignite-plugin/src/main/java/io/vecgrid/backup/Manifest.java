package io.vecgrid.backup;

import io.vecgrid.api.BackupCollection;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * What vecgrid writes next to an Ignite snapshot it takes ({@value SnapshotFiles#MANIFEST} in the snapshot's
 * directory on every node): when it was taken, and for each collection its state cache and the facts that never
 * change over the collection's life, above all the stored-data layout. It lets {@code backup list} show a backup's
 * collections with their layout, and a restore refuse another layout before it changes anything, without restoring
 * a cache to look inside. Which collections a snapshot holds comes from its cache directories, not from here; a
 * snapshot taken without vecgrid (control.sh) simply has no manifest. A plain properties file, so that an operator
 * can read it.
 *
 * <p>Immutable; thread-safe.
 */
final class Manifest implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Version of this file's format. */
    static final int FORMAT = 1;

    private final String backup;
    private final long takenAtMillis;
    private final ArrayList<Entry> entries;

    Manifest(String backup, long takenAtMillis, List<Entry> entries) {
        this.backup = backup;
        this.takenAtMillis = takenAtMillis;
        this.entries = new ArrayList<>(entries);
    }

    String backup() {
        return backup;
    }

    /** @return when vecgrid asked Ignite for the snapshot, epoch ms. */
    long takenAtMillis() {
        return takenAtMillis;
    }

    List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** @return the entry of collection {@code name}, or {@code null}. */
    Entry entry(String name) {
        for (Entry e : entries) {
            if (e.collection.name().equals(name))
                return e;
        }
        return null;
    }

    /** One collection: its state cache and what {@code backup list} shows of it. */
    static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;

        final String stateCache;
        final BackupCollection collection;

        Entry(String stateCache, BackupCollection collection) {
            this.stateCache = stateCache;
            this.collection = collection;
        }
    }

    /** Writes the manifest into {@code dir} whole or not at all (several nodes may share a snapshot directory). */
    void write(File dir, String writer) {
        StringBuilder sb = new StringBuilder();
        sb.append("# vecgrid backup manifest: the vecgrid collections of Ignite snapshot '").append(backup)
            .append("'.\n# Written by vecgrid after the snapshot was taken; Ignite does not read it.\n");
        sb.append("format=").append(FORMAT).append('\n');
        sb.append("backup=").append(backup).append('\n');
        sb.append("takenAtMillis=").append(takenAtMillis).append('\n');
        List<String> names = new ArrayList<>();
        for (Entry e : entries)
            names.add(e.collection.name());
        sb.append("collections=").append(String.join(",", names)).append('\n');
        for (Entry e : entries) {
            BackupCollection c = e.collection;
            String p = "collection." + c.name() + '.';
            sb.append(p).append("stateCache=").append(e.stateCache).append('\n');
            sb.append(p).append("layout=").append(c.layout()).append('\n');
            sb.append(p).append("dimension=").append(c.dimension()).append('\n');
            sb.append(p).append("metric=").append(c.metric() == null ? "" : c.metric().name()).append('\n');
            sb.append(p).append("index=").append(c.index() == null ? "" : c.index().name()).append('\n');
            sb.append(p).append("shards=").append(c.shards()).append('\n');
            sb.append(p).append("replicaNumber=").append(c.replicaNumber()).append('\n');
        }
        File tmp = new File(dir, "." + SnapshotFiles.MANIFEST + "." + writer + ".tmp");
        try {
            Files.writeString(tmp.toPath(), sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp.toPath(), new File(dir, SnapshotFiles.MANIFEST).toPath(), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            tmp.delete();
            throw new UncheckedIOException("cannot write the vecgrid manifest of backup '" + backup + "' into " + dir, e);
        }
    }

    /**
     * @return the manifest in {@code dir}, or {@code null} if there is none.
     * @throws IOException if it cannot be read.
     */
    static Manifest read(File dir) throws IOException {
        File f = new File(dir, SnapshotFiles.MANIFEST);
        if (!f.isFile())
            return null;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f.toPath(), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        int format = Integer.parseInt(p.getProperty("format", "0").trim());
        if (format != FORMAT)
            throw new IOException(f + " has format " + format + ", this vecgrid reads format " + FORMAT);
        List<Entry> entries = new ArrayList<>();
        String names = p.getProperty("collections", "").trim();
        for (String name : names.isEmpty() ? new String[0] : names.split(",")) {
            String k = "collection." + name + '.';
            String metric = p.getProperty(k + "metric", "");
            String index = p.getProperty(k + "index", "");
            BackupCollection c = new BackupCollection(name, intOf(p, k + "layout", BackupCollection.UNKNOWN_LAYOUT),
                intOf(p, k + "dimension", 0), metric.isEmpty() ? null : io.vecgrid.api.Metric.valueOf(metric),
                index.isEmpty() ? null : io.vecgrid.api.IndexType.valueOf(index), intOf(p, k + "shards", 0),
                intOf(p, k + "replicaNumber", 0), null);
            entries.add(new Entry(p.getProperty(k + "stateCache", ""), c));
        }
        return new Manifest(p.getProperty("backup", dir.getName()), Long.parseLong(p.getProperty("takenAtMillis", "-1").trim()),
            entries);
    }

    private static int intOf(Properties p, String key, int dflt) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }
}
