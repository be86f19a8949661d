package io.vecgrid;

import io.vecgrid.segment.LayoutHooks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Makes the drivers of layout operations in this JVM stop at a {@link LayoutHooks.Point} until {@link #release()}d:
 * the first {@code max} drivers that reach a matching point wait there; later ones go on. A driver interrupted while
 * it waits (its node crashed: {@link TestCluster#crash} stops the node's threads) stops there for good, as if its node
 * had died at that point ({@link LayoutHooks.DriverHalted}). Needs {@code -Dvecgrid.test.layoutHooks=true} (the
 * surefire configuration sets it).
 */
public final class LayoutPause implements AutoCloseable {
    static {
        // Running a test from an IDE: arm the points before any node starts (surefire passes the property anyway).
        if (System.getProperty(LayoutHooks.ARM_PROPERTY) == null)
            System.setProperty(LayoutHooks.ARM_PROPERTY, "true");
    }

    private final Predicate<LayoutHooks.Stop> which;
    private final int max;
    private final AtomicInteger taken = new AtomicInteger();
    private final List<LayoutHooks.Stop> waiting = new CopyOnWriteArrayList<>();
    private final List<LayoutHooks.Stop> stopped = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final AutoCloseable handle;

    private LayoutPause(Predicate<LayoutHooks.Stop> which, int max) {
        this.which = which;
        this.max = max;
        this.handle = LayoutHooks.install(this::at);
    }

    /** @return whether layout hooks work in this JVM (this class arms them when loaded first). */
    public static boolean armed() {
        return LayoutHooks.armed();
    }

    /** Pauses the first {@code max} drivers reaching {@code point} in collection {@code collection}. */
    public static LayoutPause at(LayoutHooks.Point point, String collection, int max) {
        return when(s -> s.point() == point && s.collection().equals(collection), max);
    }

    /** Pauses the first {@code max} drivers reaching a point {@code which} accepts. */
    public static LayoutPause when(Predicate<LayoutHooks.Stop> which, int max) {
        return new LayoutPause(which, max);
    }

    private void at(LayoutHooks.Stop s) throws InterruptedException {
        if (released.getCount() == 0 || !which.test(s))
            return;
        if (taken.incrementAndGet() > max)
            return;
        stopped.add(s);
        waiting.add(s);
        System.out.println("[pause] " + s);
        try {
            released.await();
        }
        finally {
            waiting.remove(s);
        }
    }

    /** @return the drivers waiting now. */
    public List<LayoutHooks.Stop> waiting() {
        return new ArrayList<>(waiting);
    }

    /** @return every driver that stopped here so far (waiting, released or halted). */
    public List<LayoutHooks.Stop> stopped() {
        return new ArrayList<>(stopped);
    }

    /** Waits until {@code n} drivers wait at once, and returns them. */
    public List<LayoutHooks.Stop> awaitWaiting(int n, long timeoutMs) {
        TestCluster.awaitTrue(n + " driver(s) paused", () -> waiting.size() >= n, timeoutMs);
        return waiting();
    }

    /** Lets every waiting driver go on, and every later one pass. */
    public void release() {
        released.countDown();
    }

    /** Releases and uninstalls. */
    @Override public void close() {
        release();
        try {
            handle.close();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
