package io.vecgrid.client;

import io.vecgrid.api.Consistency;
import io.vecgrid.api.SearchRequest;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The thin-client connections of a {@link VecgridClient}: the one its calls go through and, when the client was
 * given the addresses of more than one node, a <b>standby</b> connected to another node, opened and warmed in the
 * background. When a call loses its connection (the node died), the call is resent through the standby at once and
 * the standby becomes the connection every call uses; a new standby, on yet another node, is prepared behind it.
 *
 * <p>Why: a thin client whose connection broke opens a new one on its next call, and opening one costs far more than
 * a call (the node builds a marshaller context for each new connection, and the client registers its binary types
 * on it again): measured under load, about a second of the caller's time after a kill -9. A standby has paid that
 * already. Only calls that may be resent use it ({@link VecgridRequest.Op#retriable()}); the others fail as before.
 *
 * <p>Every {@value #CHECK_MILLIS} ms both connections are asked which node serves them (a small request,
 * {@link VecgridRequest#node()}, that touches no collection): a standby whose node left, or that shares its node
 * with the current connection, is replaced by one opened on the configured addresses that do not lead to the current
 * connection's node (its client port and addresses).
 */
final class Connections implements AutoCloseable {
    /** How often the standby is checked (and, when there is none, one is tried again), ms. */
    static final long CHECK_MILLIS = 2_000;

    /**
     * How long a connection to a node that is stopping gracefully stays open after calls left it: longer than a
     * node's drain usually takes (its longest is {@code drainTimeoutMillis}, 30 s by default, after which the node
     * closes it anyway).
     */
    static final long RETIRE_MILLIS = 30_000;

    /** An address entry {@code host:port} or {@code host:port..port}. */
    private static final Pattern ENTRY = Pattern.compile("\\s*(.+):(\\d{1,5})(?:\\.\\.(\\d{1,5}))?\\s*");

    private final ClientConfiguration cfg;
    /** The configuration's addresses, one {@code host:port} each (ranges expanded). */
    private final List<String> addresses;
    private final ScheduledExecutorService keeper;

    private volatile IgniteClient current;
    /** The node of {@link #current} as the last check found it, {@code null} while unknown. */
    private volatile UUID currentNode;
    /** A connection to another node than {@link #current}'s, warmed; {@code null}: none yet. */
    private volatile Endpoint standby;
    private volatile boolean closed;
    /** Calls moved to the standby after their connection broke. */
    private final AtomicLong failovers = new AtomicLong();
    /** Calls moved to the standby because their node was stopping gracefully ({@link #leave}). */
    private final AtomicLong leaves = new AtomicLong();
    /** Connections left because their node is stopping, closed {@value #RETIRE_MILLIS} ms later (guarded by this). */
    private final List<IgniteClient> retired = new ArrayList<>();

    /** A connection and the node it reached. */
    private record Endpoint(IgniteClient client, UUID node) {
    }

    /**
     * @param cfg the configuration {@code first} was opened with (not changed), or {@code null} for a caller's own
     *     thin client: then there is never a standby.
     * @param first the connection calls go through until it fails.
     */
    Connections(ClientConfiguration cfg, IgniteClient first) {
        this.cfg = cfg;
        this.current = first;
        this.addresses = cfg == null ? List.of() : expand(cfg.getAddresses());
        if (addresses.size() > 1) {
            keeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vecgrid-client-standby");
                t.setDaemon(true);
                return t;
            });
            keeper.scheduleWithFixedDelay(this::keepQuietly, 0, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
        else
            keeper = null;
    }

    /** @return the connection calls go through now. */
    IgniteClient current() {
        return current;
    }

    /** @return how many times calls moved to the standby after their connection broke. */
    long failovers() {
        return failovers.get();
    }

    /** @return how many times calls moved to the standby because their node was stopping gracefully. */
    long leaves() {
        return leaves.get();
    }

    /** @return the standby connection, {@code null} while there is none. */
    IgniteClient standby() {
        Endpoint s = standby;
        return s == null ? null : s.client();
    }

    /** @return the node of the standby, {@code null} while there is none (tests). */
    UUID standbyNode() {
        Endpoint s = standby;
        return s == null ? null : s.node();
    }

    /**
     * A call through {@code failed} lost its connection: calls go through the standby from now on, if there is one.
     *
     * @return {@code true} if {@link #current()} is now another connection than {@code failed} (a standby, or
     *     another caller's failover already happened), so the call can be resent there at once.
     */
    synchronized boolean failOver(IgniteClient failed) {
        if (!toStandby(failed))
            return current != failed;
        failovers.incrementAndGet();
        closeLater(failed);
        return true;
    }

    /**
     * The node of {@code stopping} refused a call because it is stopping gracefully: calls go through the standby
     * from now on, so that none is on its way to that node when it closes its connections (a write cut off there
     * could not tell whether it was applied). {@code stopping} itself is closed only {@value #RETIRE_MILLIS} ms later:
     * calls it accepted before its stop began still run there, and the node answers them before it leaves.
     *
     * @return {@code true} if {@link #current()} is now another connection than {@code stopping}.
     */
    synchronized boolean leave(IgniteClient stopping) {
        if (!toStandby(stopping))
            return current != stopping;
        leaves.incrementAndGet();
        retired.add(stopping);
        keeper.schedule(() -> {
            synchronized (this) {
                if (!retired.remove(stopping))
                    return;
            }
            closeLater(stopping);
        }, RETIRE_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    /** Makes the standby current if {@code from} is current and there is a standby; the old one is the caller's. */
    private boolean toStandby(IgniteClient from) {
        Endpoint s = standby;
        if (current != from || s == null || closed)
            return false;
        current = s.client();
        currentNode = s.node();
        standby = null;
        keeper.execute(this::keepQuietly);
        return true;
    }

    /**
     * A hedged call was answered through the standby {@code winner} while {@code slow}, the current connection, had
     * not answered it: calls go through {@code winner} from now on and {@code slow} becomes the standby (the next
     * check replaces it if its node does not answer).
     */
    synchronized void swap(IgniteClient slow, IgniteClient winner) {
        Endpoint s = standby;
        if (closed || current != slow || s == null || s.client() != winner)
            return;
        current = winner;
        standby = new Endpoint(slow, currentNode);
        currentNode = s.node();
    }

    /**
     * A call through {@code c} lost its connection after another connection had answered it (a hedged call): if
     * {@code c} is still current, calls move to the standby; if it is the standby, it is dropped and replaced.
     */
    void lost(IgniteClient c) {
        if (current == c) {
            failOver(c);
            return;
        }
        Endpoint s = standby;
        if (s != null && s.client() == c && !closed) {
            dropStandby(s);
            keeper.execute(this::keepQuietly);
        }
    }

    /** {@link #keep()}, which must not end the periodic check by throwing. */
    private void keepQuietly() {
        try {
            keep();
        }
        catch (RuntimeException e) {
            // The next check tries again.
        }
    }

    /**
     * Checks that the standby answers and is on another node than the current connection (which may have moved on
     * its own: the thin client reconnects a channel it finds closed before a call); else replaces it with one on
     * another node. Runs on {@link #keeper}.
     */
    private void keep() {
        if (closed)
            return;
        IgniteClient cur = current;
        ClusterStatus.Node curNode;
        try {
            curNode = node(cur);
        }
        catch (Exception e) {
            return; // The current connection is failing: its callers fail over or resend; the next check sees.
        }
        if (current == cur)
            currentNode = curNode.id();
        Endpoint s = standby;
        if (s != null) {
            try {
                if (!node(s.client()).id().equals(curNode.id()))
                    return;
            }
            catch (Exception e) {
                // Its node left, or the connection broke: replace it.
            }
            dropStandby(s);
        }
        List<String> others = otherThan(curNode);
        ClientConfiguration c = others.isEmpty() ? null : copy(cfg);
        if (c == null)
            return;
        IgniteClient opened = null;
        try {
            opened = open(c.setAddresses(others.toArray(new String[0])));
            UUID node = node(opened).id();
            warm(opened);
            synchronized (this) {
                if (!closed && standby == null && !node.equals(curNode.id()) && current == cur) {
                    standby = new Endpoint(opened, node);
                    opened = null;
                }
            }
        }
        catch (Exception e) {
            // No other node answers now; the next check tries again.
        }
        finally {
            closeQuietly(opened);
        }
    }

    private void dropStandby(Endpoint s) {
        synchronized (this) {
            if (standby == s)
                standby = null;
        }
        closeLater(s.client());
    }

    /**
     * Closes {@code c} on a thread of its own: closing a thin client stops its I/O threads and waits for them, so it
     * must not run on one of them (a call's completion, which may report the broken connection, runs there) nor
     * while holding this object's lock.
     */
    private static void closeLater(IgniteClient c) {
        Thread t = new Thread(() -> closeQuietly(c), "vecgrid-client-close");
        t.setDaemon(true);
        t.start();
    }

    /**
     * @return the node that serves connection {@code c}.
     * @throws TimeoutException if it does not answer within {@value #CHECK_MILLIS} ms (a stopped or frozen node
     *     would otherwise hold the check, and with it every later one, for as long as it is stopped).
     */
    private static ClusterStatus.Node node(IgniteClient c) throws Exception {
        Object res = c.compute().executeAsync2(VecgridRequest.TASK_NAME, VecgridRequest.node()).toCompletableFuture()
            .get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
        return (ClusterStatus.Node)((VecgridResponse)res).resultOrThrow();
    }

    /**
     * Registers the types of the calls a standby takes over with its node now, in the background: a thin client
     * registers a class name and binary type with its node the first time it sends one, synchronously, so a
     * standby's first search would otherwise wait for that on the caller's thread. Marshalling a sample of each read
     * that is hedged (a search with every option set, a get) does it.
     */
    private static void warm(IgniteClient c) {
        SearchRequest s = SearchRequest.builder("warm-up", new float[][] {{0f}}, 1).filter("f == 1")
            .outputFields(List.of("f")).consistency(Consistency.STRONG).build();
        for (VecgridRequest r : List.of(VecgridRequest.search(s), VecgridRequest.get("warm-up", new long[] {1},
            List.of("f")), VecgridRequest.count("warm-up")))
            c.binary().toBinary(r);
    }

    /**
     * Opens a thin client with {@code c}, giving up after {@value #CHECK_MILLIS} ms: the thin client waits for a
     * node's handshake answer without limit unless the caller set a timeout, and a stopped node accepts the TCP
     * connection (the kernel does) but never answers. A connection that opens after the wait is closed at once.
     */
    private static IgniteClient open(ClientConfiguration c) throws Exception {
        CompletableFuture<IgniteClient> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(Ignition.startClient(c));
            }
            catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "vecgrid-client-standby-open");
        t.setDaemon(true);
        t.start();
        try {
            return f.get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            f.thenAccept(Connections::closeQuietly);
            throw e;
        }
    }

    /** @return the configured addresses that do not lead to node {@code n} (by its client port and addresses). */
    private List<String> otherThan(ClusterStatus.Node n) {
        List<String> res = new ArrayList<>();
        for (String a : addresses) {
            if (!leadsTo(a, n))
                res.add(a);
        }
        return res;
    }

    /** @return whether address {@code hostPort} is (probably) node {@code n}'s client connector. */
    private static boolean leadsTo(String hostPort, ClusterStatus.Node n) {
        int colon = hostPort.lastIndexOf(':');
        if (n.clientPort() < 0 || Integer.parseInt(hostPort.substring(colon + 1)) != n.clientPort())
            return false;
        try {
            InetAddress host = InetAddress.getByName(hostPort.substring(0, colon));
            if (host.isLoopbackAddress())
                return true;
            for (String a : n.addresses()) {
                if (InetAddress.getByName(a).equals(host))
                    return true;
            }
            return false;
        }
        catch (Exception e) {
            return true; // Cannot tell: do not risk a standby on the same node.
        }
    }

    /** @return one {@code host:port} per address, ranges {@code host:a..b} expanded (at most 64 ports each). */
    static List<String> expand(String[] entries) {
        List<String> res = new ArrayList<>();
        if (entries == null)
            return res;
        for (String e : entries) {
            Matcher m = ENTRY.matcher(e);
            if (!m.matches())
                continue;
            int from = Integer.parseInt(m.group(2));
            int to = m.group(3) == null ? from : Math.min(Integer.parseInt(m.group(3)), from + 63);
            for (int p = from; p <= to; p++) {
                String a = m.group(1) + ':' + p;
                if (!res.contains(a))
                    res.add(a);
            }
        }
        return res;
    }

    /**
     * @return a field-by-field copy of {@code c} (the same TLS factory, credentials, timeouts, logger), or {@code null}
     *     if it cannot be copied. {@link ClientConfiguration} has no copy constructor, and building the standby's from
     *     the caller's settings by hand would miss any setting added later.
     */
    static ClientConfiguration copy(ClientConfiguration c) {
        try {
            ClientConfiguration res = new ClientConfiguration();
            for (Field f : ClientConfiguration.class.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()))
                    continue;
                f.setAccessible(true);
                f.set(res, f.get(c));
            }
            return res;
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void closeQuietly(IgniteClient c) {
        if (c == null)
            return;
        try {
            c.close();
        }
        catch (Exception ignored) {
            // Closing a connection to a dead node may fail; nothing is lost.
        }
    }

    /** Closes every connection, the standby's too. */
    @Override public void close() {
        Endpoint s;
        List<IgniteClient> left;
        synchronized (this) {
            closed = true;
            s = standby;
            standby = null;
            left = new ArrayList<>(retired);
            retired.clear();
        }
        if (keeper != null)
            keeper.shutdownNow();
        if (s != null)
            closeQuietly(s.client());
        left.forEach(Connections::closeQuietly);
        current.close();
    }
}
