package io.vecgrid.segment;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * <b>Test only.</b> Named points between the steps of a layout operation ({@link Sealer}, {@link Rewriter}), at which a
 * test can make the operation's driver stop: to kill its node there and watch the coordinator undo or finish the
 * operation ({@link LayoutRecovery}), or to hold seals back for a while.
 *
 * <p>Off unless the JVM was started with {@code -D}{@value #ARM_PROPERTY}{@code =true} or
 * {@code -D}{@value #PAUSE_FILE_PROPERTY}{@code =<file>}: both are read once, into a {@code static final} flag, so in
 * production every point is one test of a constant the JIT folds away. Never set them on a production node.
 * <ul>
 *   <li>In one JVM (in-JVM test clusters): {@link #install(Hook)} a hook; it is called at every point the drivers of
 *   that JVM reach, with what is being done ({@link Stop}), and may block. To stop a driver in its tracks, as if its
 *   node had died there, a hook throws {@link DriverHalted} (nothing more is done: no undo).</li>
 *   <li>Node processes: {@value #PAUSE_FILE_PROPERTY} names a control file that a test writes. At each point the node
 *   reads it; while one of its lines is {@code POINT} or {@code POINT@collection} naming this point (and
 *   collection), the driver waits, having logged once {@code "vecgrid test hook: paused at POINT ..."}, and goes on
 *   once the line is gone ({@code "vecgrid test hook: resumed at POINT"}). A test writes the line, waits for the log
 *   line, kills the node (kill -9), then removes the line so that other nodes paused there go on.</li>
 * </ul>
 * Points are reached only by an operation's own driver (the node that began it), never by a node that recovers the
 * operation of a dead driver.
 */
public final class LayoutHooks {
    /** System property: {@code true} arms the points for hooks installed in this JVM. */
    public static final String ARM_PROPERTY = "vecgrid.test.layoutHooks";

    /** System property: path of the control file of a node process (arms the points too). */
    public static final String PAUSE_FILE_PROPERTY = "vecgrid.test.pauseFile";

    /** Prefix of the lines the control-file hook logs. */
    public static final String LOG_PREFIX = "vecgrid test hook: ";

    private static final String PAUSE_FILE = System.getProperty(PAUSE_FILE_PROPERTY);

    /** Whether any point does anything in this JVM: fixed at class load. */
    private static final boolean ARMED = Boolean.getBoolean(ARM_PROPERTY) || PAUSE_FILE != null;

    private static final CopyOnWriteArrayList<Hook> HOOKS = new CopyOnWriteArrayList<>();

    static {
        if (PAUSE_FILE != null)
            HOOKS.add(new FileHook(Paths.get(PAUSE_FILE)));
    }

    /** Where an operation is: after the step the name says, before the next. */
    public enum Point {
        /** Seal recorded in the shard's state (BUILDING); nothing built. */
        SEAL_BEGUN(LayoutOp.Kind.SEAL),
        /** Segment built and its chunks written; not yet serviceable everywhere. */
        SEAL_BUILT(LayoutOp.Kind.SEAL),
        /** Every live owner of the segment's slot serves a copy; no row marked yet. */
        SEAL_SERVICEABLE(LayoutOp.Kind.SEAL),
        /** The snapshot's rows are marked with the segment (changed ones got delete marks); not published. */
        SEAL_MARKED(LayoutOp.Kind.SEAL),
        /** Published (the seal is over in the shard's state); the rows' growing entries are not handed off yet. */
        SEAL_PUBLISHED(LayoutOp.Kind.SEAL),
        /** Merge recorded in the shard's state (BUILDING); nothing read or built. */
        MERGE_BEGUN(LayoutOp.Kind.MERGE),
        /** Merged segment built from the sources' live rows and written; not yet serviceable everywhere. */
        MERGE_BUILT(LayoutOp.Kind.MERGE),
        /** Every live owner serves the merged segment; not published. */
        MERGE_SERVICEABLE(LayoutOp.Kind.MERGE),
        /** Published (PUBLISHED): the sources are forwarded to the merged segment; no location re-pointed yet. */
        MERGE_PUBLISHED(LayoutOp.Kind.MERGE),
        /** Every location re-pointed to the merged segment; forwards not ended, sources not dropped. */
        MERGE_REPOINTED(LayoutOp.Kind.MERGE),
        /** Move recorded in the shard's state (BUILDING); nothing copied. */
        MOVE_BEGUN(LayoutOp.Kind.MOVE),
        /** The source's bytes and delete marks copied into the new slot; not yet serviceable everywhere. */
        MOVE_BUILT(LayoutOp.Kind.MOVE),
        /** Every live owner of the new slot serves the copy; not published. */
        MOVE_SERVICEABLE(LayoutOp.Kind.MOVE),
        /** Published (PUBLISHED): the source is forwarded to the copy; no location re-pointed yet. */
        MOVE_PUBLISHED(LayoutOp.Kind.MOVE),
        /** Every location re-pointed to the copy; forward not ended, source not dropped. */
        MOVE_REPOINTED(LayoutOp.Kind.MOVE);

        private final LayoutOp.Kind kind;

        Point(LayoutOp.Kind kind) {
            this.kind = kind;
        }

        /** @return the kind of operation that reaches this point. */
        public LayoutOp.Kind kind() {
            return kind;
        }

        /** @return whether an operation stopped here is undone (not published yet) rather than finished. */
        public boolean beforePublish() {
            return name().endsWith("_BEGUN") || name().endsWith("_BUILT") || name().endsWith("_SERVICEABLE") ||
                name().endsWith("_MARKED");
        }

        /** @return the point of a merge or a move: {@code step} is BEGUN, BUILT, SERVICEABLE, PUBLISHED or REPOINTED. */
        static Point of(LayoutOp.Kind kind, String step) {
            return valueOf(kind.name() + '_' + step);
        }
    }

    /** An operation's driver at a point. Immutable. */
    public static final class Stop {
        private final Point point;
        private final Ignite ignite;
        private final String collection;
        private final int shard;
        private final LayoutOp op;

        Stop(Point point, Ignite ignite, String collection, int shard, LayoutOp op) {
            this.point = point;
            this.ignite = ignite;
            this.collection = collection;
            this.shard = shard;
            this.op = op;
        }

        public Point point() {
            return point;
        }

        /** @return the driver's node. */
        public Ignite ignite() {
            return ignite;
        }

        /** @return the driver node's Ignite instance name. */
        public String node() {
            return ignite.name();
        }

        public UUID nodeId() {
            return op.driver();
        }

        public String collection() {
            return collection;
        }

        public int shard() {
            return shard;
        }

        /** @return the operation (as begun: phase BUILDING even past publishing). */
        public LayoutOp op() {
            return op;
        }

        @Override public String toString() {
            return point + " on node " + ignite.name() + " (" + op.driver() + "): collection '" + collection + "' shard " +
                shard + ", " + op;
        }
    }

    /** Called at every point a driver in this JVM reaches, on the driver's thread. */
    @FunctionalInterface
    public interface Hook {
        /**
         * May block, or throw {@link DriverHalted} to stop the driver as if its node had died here.
         *
         * @throws InterruptedException if interrupted while blocked (the driver then stops as with
         *      {@link DriverHalted}).
         */
        void at(Stop stop) throws InterruptedException;
    }

    /**
     * Thrown at a point to stop the driver at once, as if its node had died there: an {@link Error}, so the driver's
     * clean-up of failed operations (which catches runtime exceptions) does not run and the operation stays as it is.
     */
    public static final class DriverHalted extends Error {
        private static final long serialVersionUID = 1L;

        public DriverHalted(String msg) {
            super(msg, null, false, false);
        }
    }

    private LayoutHooks() {
    }

    /** @return whether points call hooks in this JVM (see the class comment). */
    public static boolean armed() {
        return ARMED;
    }

    /**
     * Installs a hook (test only).
     *
     * @return closes to uninstall it.
     * @throws IllegalStateException if the points are not armed in this JVM.
     */
    public static AutoCloseable install(Hook hook) {
        if (!ARMED)
            throw new IllegalStateException("layout hooks are off in this JVM: start it with -D" + ARM_PROPERTY + "=true");
        HOOKS.add(hook);
        return () -> HOOKS.remove(hook);
    }

    /** A seal or rewrite reached {@code point}. Free unless armed. */
    static void at(Point point, Ignite ignite, CollectionMeta meta, int shard, LayoutOp op) {
        if (ARMED)
            reached(point, ignite, meta, shard, op);
    }

    /** A merge or move reached {@code step} (BEGUN, BUILT, SERVICEABLE, PUBLISHED, REPOINTED). Free unless armed. */
    static void at(String step, Ignite ignite, CollectionMeta meta, int shard, LayoutOp op) {
        if (ARMED)
            reached(Point.of(op.kind(), step), ignite, meta, shard, op);
    }

    private static void reached(Point point, Ignite ignite, CollectionMeta meta, int shard, LayoutOp op) {
        if (HOOKS.isEmpty() || op == null || !ignite.cluster().localNode().id().equals(op.driver()))
            return; // a node recovering someone else's operation
        Stop stop = new Stop(point, ignite, meta.name(), shard, op);
        for (Hook h : HOOKS) {
            try {
                h.at(stop);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DriverHalted("interrupted at " + stop);
            }
        }
    }

    /** The control-file hook of a node process (see the class comment). */
    private static final class FileHook implements Hook {
        private static final long POLL_MILLIS = 50;

        private final Path file;

        FileHook(Path file) {
            this.file = file;
        }

        @Override public void at(Stop stop) throws InterruptedException {
            if (!named(stop))
                return;
            IgniteLogger log = stop.ignite().log().getLogger(LayoutHooks.class);
            log.info(LOG_PREFIX + "paused at " + stop);
            while (named(stop))
                Thread.sleep(POLL_MILLIS);
            log.info(LOG_PREFIX + "resumed at " + stop.point() + " (segment " + stop.op().segment() + ")");
        }

        private boolean named(Stop stop) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            }
            catch (NoSuchFileException e) {
                return false;
            }
            catch (IOException e) {
                return false;
            }
            String p = stop.point().name();
            for (String l : lines) {
                String s = l.trim();
                if (s.equals(p) || s.equals(p + '@' + stop.collection()))
                    return true;
            }
            return false;
        }
    }
}
