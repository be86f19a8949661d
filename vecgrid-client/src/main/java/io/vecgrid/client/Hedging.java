package io.vecgrid.client;

import org.apache.ignite.client.ClientException;
import org.apache.ignite.client.IgniteClient;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hedged calls, as in "The Tail at Scale" (Dean and Barroso, CACM 2013): a read-only call ({@link
 * VecgridRequest.Op#hedged()}: search, get, count, describe, ...) that the current connection has not answered within
 * a delay learned from this client's recent calls of the same kind is sent again through the standby connection
 * ({@link Connections}), and the first answer wins. When the standby wins, it becomes the current connection and the
 * slow one the standby, so later calls do not wait for the same node again.
 *
 * <p>Why: the server node a thin client is connected to routes its calls. When that node is stopped (a long GC pause,
 * SIGSTOP, a frozen VM) the calls wait for as long as it is stopped; when it is killed, the thin client only learns
 * that the connection is gone about a second later (Ignite's NIO server sleeps a second after a failed read before it
 * closes the session). The router inside the cluster hedges its own jobs on other copies; this covers the router
 * itself.
 *
 * <p>The delay: {@value #FACTOR} times the 95th percentile of the last {@value #WINDOW} latencies of calls of the
 * same kind (the operation, and for searches and gets the power of two of their size, so that a large batch does not
 * set the delay of single queries), at least {@value #FLOOR_MILLIS} ms; {@value #UNKNOWN_MILLIS} ms until
 * {@value #MIN_SAMPLES} calls of the kind were measured; or the delay the application fixed ({@link
 * VecgridClient#hedgeDelay}). A budget bounds the extra load when every node is slow
 * (hedging then only doubles the work): each call earns {@value #SHARE} of a hedge, at most {@value #BURST} are saved
 * up, so at most about one call in twenty is hedged over time. Writes are never hedged: a duplicate that arrives late
 * could undo a later write.
 *
 * <p>Thread-safety: thread-safe; one per {@link VecgridClient}.
 */
final class Hedging {
    /** Least hedging delay, ms. */
    static final long FLOOR_MILLIS = 20;
    /** Delay while too few calls of a kind were measured, ms. */
    static final long UNKNOWN_MILLIS = 1_000;
    /** Latencies kept per kind of call. */
    static final int WINDOW = 64;
    /** Calls of a kind measured before their latencies set its delay. */
    static final int MIN_SAMPLES = 16;
    /** The delay is this many times the kind's 95th percentile. */
    static final int FACTOR = 3;
    /** Hedges earned per call. */
    static final double SHARE = 0.05;
    /** Hedges saved up at most. */
    static final double BURST = 10;

    /** Sends hedges (daemon threads, created as needed, kept a minute when idle). */
    private static final ExecutorService SENDER = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "vecgrid-client-hedge");
            t.setDaemon(true);
            return t;
        });

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    /** The delay the application fixed, ns; negative: learned. */
    private volatile long fixedNanos = -1;
    private double tokens = BURST;
    private final AtomicLong hedged = new AtomicLong();
    private final AtomicLong won = new AtomicLong();

    /** @return calls sent a second time through the standby. */
    long hedged() {
        return hedged.get();
    }

    /** @return hedged calls the standby answered first. */
    long won() {
        return won.get();
    }

    /**
     * Runs {@code req} through {@code client} (the current connection of {@code conns}), hedged on the standby when
     * it is read-only and there is one.
     *
     * @return the task's result.
     * @throws ClientException as {@code ClientCompute.execute} does: when the call failed on every connection it
     *     went to, the failure of the first one (the caller fails over or resends as for an unhedged call).
     */
    Object execute(Connections conns, IgniteClient client, VecgridRequest req) throws InterruptedException {
        String kind = kind(req);
        long start = System.nanoTime();
        earn();
        if (!req.op().hedged() || conns.standby() == null) {
            Object res = client.compute().execute(VecgridRequest.TASK_NAME, req);
            record(kind, System.nanoTime() - start);
            return res;
        }
        CompletableFuture<Object> first = send(client, req);
        try {
            Object res = first.get(delayNanos(kind), TimeUnit.NANOSECONDS);
            record(kind, System.nanoTime() - start);
            return res;
        }
        catch (TimeoutException e) {
            // Not answered in time: hedge below.
        }
        catch (ExecutionException e) {
            throw clientException(e);
        }
        // The other connection: the standby, or, when another call's hedge already made the standby current (the
        // node of this call is the one that is slow), the current connection.
        IgniteClient standby = conns.current() != client ? conns.current() : conns.standby();
        CompletableFuture<Object> second = null;
        if (standby != null && standby != client && spend()) {
            IgniteClient other = standby;
            // Sent from a thread of its own: a thin client's "asynchronous" send still blocks its caller while it
            // registers a class name or binary type with its node (the first time a connection sends that type), and
            // a stopped node never answers that; the caller would wait out the stall although the first connection
            // answered (seen in the cluster benchmark: one search waited 3 s for a stopped standby node).
            second = CompletableFuture.supplyAsync(() -> send(other, req), SENDER).thenCompose(f -> f);
            hedged.incrementAndGet();
        }
        long hedgeStart = System.nanoTime();
        if (second == null)
            return await(first, kind, start);
        try {
            CompletableFuture.anyOf(first, second).get();
        }
        catch (ExecutionException e) {
            // One of them failed: look at both below.
        }
        if (succeeded(first)) {
            watch(conns, standby, second);
            record(kind, System.nanoTime() - start);
            return first.join();
        }
        if (succeeded(second) || !first.isDone()) {
            // The standby answered first, or failed while the first connection still has the call: if it failed,
            // wait for the first connection.
            if (!succeeded(second)) {
                lostIfSo(conns, standby, second);
                return await(first, kind, start);
            }
            won.incrementAndGet();
            record(kind, System.nanoTime() - hedgeStart);
            conns.swap(client, standby);
            watch(conns, client, first);
            return second.join();
        }
        // The first connection failed: the standby's answer decides.
        if (VecgridClient.connectionLost(cause(first)))
            conns.lost(client);
        try {
            Object res = second.get();
            won.incrementAndGet();
            record(kind, System.nanoTime() - hedgeStart);
            return res;
        }
        catch (ExecutionException e) {
            lostIfSo(conns, standby, second);
            throw clientException(failure(first));
        }
    }

    /** Sends {@code req} through {@code c} without waiting. */
    private static CompletableFuture<Object> send(IgniteClient c, VecgridRequest req) {
        return c.compute().executeAsync2(VecgridRequest.TASK_NAME, req).toCompletableFuture();
    }

    /** Waits for {@code f} alone. */
    private Object await(CompletableFuture<Object> f, String kind, long start) throws InterruptedException {
        try {
            Object res = f.get();
            record(kind, System.nanoTime() - start);
            return res;
        }
        catch (ExecutionException e) {
            throw clientException(e);
        }
    }

    /** After another connection answered a call {@code c} still has: if {@code c}'s connection breaks, calls leave it. */
    private static void watch(Connections conns, IgniteClient c, CompletableFuture<Object> f) {
        f.whenComplete((r, err) -> {
            if (err != null && VecgridClient.connectionLost(err))
                conns.lost(c);
        });
    }

    private static void lostIfSo(Connections conns, IgniteClient c, CompletableFuture<Object> f) {
        if (f.isCompletedExceptionally() && VecgridClient.connectionLost(cause(f)))
            conns.lost(c);
    }

    private static boolean succeeded(CompletableFuture<Object> f) {
        return f.isDone() && !f.isCompletedExceptionally();
    }

    /** @return the failure of completed future {@code f}. */
    private static Throwable cause(CompletableFuture<Object> f) {
        try {
            f.join();
            return null;
        }
        catch (RuntimeException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    private static ExecutionException failure(CompletableFuture<Object> f) {
        return new ExecutionException(cause(f));
    }

    /** @return the failure as {@code ClientCompute.execute} reports it. */
    private static ClientException clientException(ExecutionException e) {
        Throwable c = e.getCause();
        return c instanceof ClientException ? (ClientException)c : new ClientException(c == null ? e : c);
    }

    /** @return the kind of {@code req} whose latencies set its delay. */
    static String kind(VecgridRequest req) {
        int size = switch (req.op()) {
            case SEARCH -> req.search().vectors().length;
            case GET -> req.pks() == null ? 0 : req.pks().length;
            default -> 0;
        };
        return req.op().name() + (size > 1 ? "/" + (32 - Integer.numberOfLeadingZeros(size - 1)) : "");
    }

    /** Fixes the delay of every kind of call to {@code nanos}; negative: learned again. */
    void fixDelay(long nanos) {
        fixedNanos = nanos;
    }

    /** @return how long a call of {@code kind} may take before it is hedged, ns. */
    long delayNanos(String kind) {
        long fixed = fixedNanos;
        if (fixed >= 0)
            return fixed;
        Window w = windows.get(kind);
        long p95 = w == null ? -1 : w.p95();
        if (p95 < 0)
            return UNKNOWN_MILLIS * 1_000_000L;
        return Math.max(FLOOR_MILLIS * 1_000_000L, FACTOR * p95);
    }

    void record(String kind, long nanos) {
        windows.computeIfAbsent(kind, k -> new Window()).add(nanos);
    }

    private synchronized void earn() {
        tokens = Math.min(BURST, tokens + SHARE);
    }

    /** @return whether the budget allows one more hedge (and spends it). */
    private synchronized boolean spend() {
        if (tokens < 1)
            return false;
        tokens -= 1;
        return true;
    }

    /** The last {@value #WINDOW} latencies of one kind of call. */
    private static final class Window {
        private final long[] ring = new long[WINDOW];
        private long n;

        synchronized void add(long nanos) {
            ring[(int)(n++ % WINDOW)] = nanos;
        }

        /** @return the 95th percentile, -1 while fewer than {@value #MIN_SAMPLES} were added. */
        synchronized long p95() {
            if (n < MIN_SAMPLES)
                return -1;
            long[] copy = Arrays.copyOf(ring, (int)Math.min(n, WINDOW));
            Arrays.sort(copy);
            return copy[(int)Math.min(copy.length - 1, Math.floor(copy.length * 0.95))];
        }
    }
}
