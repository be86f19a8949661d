package io.vecgrid.search;

import io.vecgrid.Vecgrid;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.internal.managers.communication.GridIoPolicy;
import org.apache.ignite.internal.managers.communication.GridMessageListener;
import org.apache.ignite.plugin.extensions.communication.IoPool;
import org.apache.ignite.events.EventType;
import org.apache.ignite.internal.GridKernalContext;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.cluster.ClusterTopologyCheckedException;
import org.apache.ignite.internal.managers.eventstorage.DiscoveryEventListener;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a search's router and the nodes doing its work talk: Ignite messages in direct form ({@link WireMessage}) on
 * one topic, not compute jobs. A router sends each node one {@link NodeJob}; the node runs it on its search executor
 * and sends back one {@link NodeReply}; a router done with a search sends {@link NodeCancel} to nodes whose jobs are
 * still out.
 *
 * <p>Why messages: a compute job costs a task session, job siblings, deployment and timeout bookkeeping on the router,
 * and on the node a job deserialized in the public pool that parks with a continuation and is resumed in it again;
 * measured, that machinery was most of what a search cost beyond the segment search itself. A message is one object
 * written into the connection each way, and the same failure signals remain: a node that leaves the topology fails
 * its jobs at once (discovery event), a node that stalls is cut off by the search's deadlines and hedges, and a search
 * that ends cancels what is still running for it.
 *
 * <p>A job is handed by Ignite's communication thread straight to the node's search executor ({@link #JOB_POOL}, an
 * I/O pool the plugin registers), not through the public pool. A reply ({@link #REPLY_POOL}) is taken by the
 * communication thread that read it, which only queues it for its search and wakes the thread waiting for that search
 * ({@link SearchTask#deliver}); that thread handles it. What a reply sets off may wait (a hedge's routing refresh is a
 * cache query), and a communication thread must never wait, since the answer it waits for may have to come through it
 * (handling replies in the communication thread was tried and deadlocked exactly so in LayoutRecoveryTest); the
 * search's own caller may. Cancels go through the public pool.
 *
 * <p>Work for the local node never leaves the process: it goes to the local search executor directly.
 *
 * <p>Thread-safe.
 */
final class SearchMessages {
    /** The topic of every search message. */
    static final String TOPIC = "vecgrid.search";

    /** Ignite I/O policy of jobs: the node's search executor ({@link #jobPool}). Plugins' policies start at 32. */
    static final byte JOB_POOL = 48;

    /**
     * Ignite I/O policy of replies: run in the communication thread that read them, which only queues each for its
     * search ({@link #replyPool}).
     */
    static final byte REPLY_POOL = 49;

    private final IgniteEx ignite;
    private final GridKernalContext ctx;
    /** Where failures to send are reported, so they never reach a search in the thread (and lock) that sent. */
    private final Executor async;
    /** Router side: searches this node routes, by id. */
    private final Map<Long, SearchTask> searches = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Node side: jobs running here, by router, search and unit. */
    private final Map<JobKey, NodeJob> running = new ConcurrentHashMap<>();
    private final GridMessageListener listener = (from, msg, plc) -> onMessage(from, msg);
    private final DiscoveryEventListener leaves = (evt, cache) -> nodeLeft(evt.eventNode().id());

    SearchMessages(org.apache.ignite.Ignite ignite, Executor async) {
        this.ignite = (IgniteEx)ignite;
        this.ctx = this.ignite.context();
        this.async = async;
    }

    /** Starts listening (before this node reports any segment copy, so no job can reach it unheard). */
    void start() {
        ctx.io().addMessageListener(TOPIC, listener);
        ctx.event().addDiscoveryEventListener(leaves, EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED);
    }

    /**
     * The I/O pool jobs arrive in: the node's search executor, so a job goes from the communication thread that read
     * it to the thread that searches with one hand-off. Before vecgrid serves (or once its executor stopped) a job
     * goes to the public pool, where it only replies that vecgrid is not running (never in the communication thread,
     * which must not wait on a send).
     */
    static IoPool jobPool(org.apache.ignite.Ignite ignite) {
        Executor executor = task -> {
            Vecgrid vg = Vecgrid.localOrNull(ignite);
            if (vg != null) {
                try {
                    vg.searchExecutor().execute(task);
                    return;
                }
                catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // The public pool takes it: the job finds the executor stopped and says so.
                }
            }
            ((IgniteEx)ignite).context().pools().getExecutorService().execute(task);
        };
        return new IoPool() {
            @Override public byte id() {
                return JOB_POOL;
            }

            @Override public Executor executor() {
                return executor;
            }
        };
    }

    /**
     * The I/O pool replies arrive in: no pool, the communication thread itself, since what it does with a reply is
     * only to queue it for its search and wake the search's waiting thread ({@link SearchTask#deliver}).
     */
    static IoPool replyPool() {
        Executor inline = Runnable::run;
        return new IoPool() {
            @Override public byte id() {
                return REPLY_POOL;
            }

            @Override public Executor executor() {
                return inline;
            }
        };
    }

    /** @return the pool where replies are handled when no thread waits for their search (Ignite's public pool). */
    Executor replyFallback() {
        return ctx.pools().getExecutorService();
    }

    void stop() {
        ctx.event().removeDiscoveryEventListener(leaves, EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED);
        ctx.io().removeMessageListener(TOPIC, listener);
    }

    /** @return the id of a search this node now routes; its replies reach {@code search} until {@link #unregister}. */
    long register(SearchTask search) {
        long id = ids.incrementAndGet();
        searches.put(id, search);
        return id;
    }

    void unregister(long searchId) {
        searches.remove(searchId);
    }

    /**
     * Sends {@code job} to {@code node}. A job that cannot be sent (the node left) comes back as a failed reply, from
     * another thread.
     */
    void send(UUID node, NodeJob job) {
        if (node.equals(localId())) {
            runJob(node, job, Thread.currentThread());
            return;
        }
        try {
            ClusterNode cn = ctx.discovery().node(node);
            if (cn == null)
                throw new ClusterTopologyCheckedException("node " + node + " left the cluster");
            ctx.io().sendToCustomTopic(cn, TOPIC, job, JOB_POOL);
        }
        catch (IgniteCheckedException | RuntimeException e) {
            String why = "could not send the job to node " + node + ": " + e.getMessage();
            async.execute(() -> replied(node, new NodeReply(job.searchId, job.unit, null, why)));
        }
    }

    /** Tells {@code node} to drop its jobs of search {@code searchId} (best effort: the node may have left). */
    void cancel(UUID node, long searchId) {
        if (node.equals(localId())) {
            cancelled(node, searchId);
            return;
        }
        ClusterNode cn = ctx.discovery().node(node);
        if (cn == null)
            return;
        try {
            ctx.io().sendToCustomTopic(cn, TOPIC, new NodeCancel(searchId), GridIoPolicy.PUBLIC_POOL);
        }
        catch (IgniteCheckedException | RuntimeException e) {
            // The node left or this one stops: its jobs end with it.
        }
    }

    /** @return this node's id (read each time: a thick client that reconnects gets a new one). */
    private UUID localId() {
        return ctx.localNodeId();
    }

    private void onMessage(UUID from, Object msg) {
        if (msg instanceof NodeJob)
            runJob(from, (NodeJob)msg, null);
        else if (msg instanceof NodeReply)
            replied(from, (NodeReply)msg);
        else if (msg instanceof NodeCancel)
            cancelled(from, ((NodeCancel)msg).searchId);
    }

    /**
     * Node side: runs a job and replies to its router once.
     *
     * @param sender the thread of the local search that sent the job, or {@code null} for a remote router: a reply
     *      ready at once (the job failed to start) must not reach the search in the thread that is sending.
     */
    private void runJob(UUID router, NodeJob job, Thread sender) {
        long received = System.nanoTime();
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        if (vg == null) {
            NodeReply r = new NodeReply(job.searchId, job.unit, null, "vecgrid is not running on node " + localId());
            if (sender != null)
                async.execute(() -> reply(router, r));
            else
                reply(router, r);
            return;
        }
        JobKey key = new JobKey(router, job.searchId, job.unit);
        running.put(key, job);
        AtomicBoolean once = new AtomicBoolean();
        job.run(vg, received, outcome -> {
            if (!once.compareAndSet(false, true))
                return;
            running.remove(key);
            NodeReply r;
            if (outcome instanceof NodeAnswer)
                r = new NodeReply(job.searchId, job.unit, (NodeAnswer)outcome, null);
            else {
                Throwable t = (Throwable)outcome;
                r = new NodeReply(job.searchId, job.unit, null, t.getMessage() != null ? t.getMessage() : t.toString());
            }
            if (Thread.currentThread() == sender)
                async.execute(() -> reply(router, r));
            else
                reply(router, r);
        });
    }

    private void reply(UUID router, NodeReply r) {
        if (router.equals(localId())) {
            replied(router, r);
            return;
        }
        ClusterNode cn = ctx.discovery().node(router);
        if (cn == null)
            return; // The router left: nobody waits for the answer.
        try {
            ctx.io().sendToCustomTopic(cn, TOPIC, r, REPLY_POOL);
        }
        catch (IgniteCheckedException | RuntimeException e) {
            // The router left meanwhile, or this node stops (the router sees it leave and fails over).
        }
    }

    /** Router side: a reply reaches its search, unless the search is over. Never waits (see {@link #REPLY_POOL}). */
    private void replied(UUID from, NodeReply r) {
        SearchTask s = searches.get(r.searchId);
        if (s != null)
            s.deliver(from, r.unit, r.answer, r.error);
    }

    /** Node side: the router is done with a search; its jobs here stop. */
    private void cancelled(UUID router, long searchId) {
        for (Map.Entry<JobKey, NodeJob> e : running.entrySet()) {
            if (e.getKey().searchId() == searchId && e.getKey().router().equals(router))
                e.getValue().cancel();
        }
    }

    private void nodeLeft(UUID node) {
        // Router side: the node's jobs will never answer. Their work is re-planned and sent elsewhere, which must not
        // hold up the discovery thread this runs in.
        try {
            async.execute(() -> {
                for (SearchTask s : searches.values())
                    s.nodeLeft(node);
            });
        }
        catch (java.util.concurrent.RejectedExecutionException e) {
            // This node stops: its searches end with it.
        }
        // Node side: nobody waits for the jobs of a router that left.
        for (Map.Entry<JobKey, NodeJob> e : running.entrySet()) {
            if (e.getKey().router().equals(node))
                e.getValue().cancel();
        }
    }

    /** A job running on this node: its router, search and unit. */
    private record JobKey(UUID router, long searchId, int unit) {
    }
}
