package io.vecgrid.client;

import io.vecgrid.api.BackupInfo;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.ClientAuthenticationException;
import io.vecgrid.api.NodeStoppingException;
import org.apache.ignite.client.ClientConnectionException;
import org.apache.ignite.client.ClientException;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

import java.util.Arrays;
import java.util.List;

/**
 * vecgrid for thin-client applications: the whole {@link VectorGrid} API over an Ignite thin client
 * ({@link IgniteClient}), each call one run of the server task {@value VecgridRequest#TASK_NAME}.
 *
 * <pre>
 * try (VecgridClient vg = VecgridClient.connect("127.0.0.1:10800..10809")) {
 *     vg.createCollection(CollectionSpec.builder("docs").dimension(128).metric(Metric.COSINE).build());
 *     vg.insert("docs", rows);
 *     SearchResult res = vg.search("docs", queries, 10);
 * }
 * </pre>
 *
 * <p>A cluster with authentication enabled ({@code config/secure-config.xml}) wants a user name and password:
 *
 * <pre>
 * try (VecgridClient vg = VecgridClient.builder().addresses("127.0.0.1:10800..10809").credentials("app", secret)
 *         .connect()) { ... }
 * </pre>
 *
 * <p>Errors arrive with the server's type and message ({@link io.vecgrid.api.CollectionNotFoundException},
 * {@link io.vecgrid.api.DimensionMismatchException}, ...). When no node answers, calls throw
 * {@link ClusterUnavailableException}; when the cluster refuses the login, {@link AuthenticationException}. A call
 * whose connection broke before the answer came is resent, on another node if need be, when resending cannot change
 * the outcome ({@link VecgridRequest.Op#retriable()}); otherwise it throws {@link ClusterUnavailableException} and the
 * caller decides (the write may or may not have happened).
 *
 * <p>Uses only Ignite's thin-client classes and {@code io.vecgrid.api}: an application needs ignite-core and the
 * vecgrid jar on its classpath, no server. Thread-safe, like {@link IgniteClient}.
 */
public final class VecgridClient implements VectorGrid, AutoCloseable {
    /** Addresses tried when none are given: the ports of the shipped node configuration. */
    public static final String DFLT_ADDRESSES = "127.0.0.1:10800..10809";

    /** What the thin client (2.17) says when the channel of a running task closes. */
    private static final String CHANNEL_CLOSED = "Channel to server is closed";

    /** How long a call refused by stopping nodes is resent before the refusal reaches the caller, ms. */
    private static final long STOPPING_RESEND_MILLIS = 120_000;

    /** Times a retriable call is resent after its connection broke. */
    private static final int RESENDS = 2;

    private final IgniteClient client;
    private final boolean owned;
    private final String addresses;
    /**
     * Who the client logged in as, for the message of a login refused later (a reconnect after the password changed):
     * the user name, {@code ""} for none, {@code null} when unknown (a thin client the caller opened).
     */
    private final String user;

    /**
     * Wraps an open thin client; {@link #close()} leaves it open.
     *
     * @param client a thin client connected to vecgrid server nodes that allow thin-client compute.
     */
    public VecgridClient(IgniteClient client) {
        this(client, false, "the thin client's addresses", null);
    }

    private VecgridClient(IgniteClient client, boolean owned, String addresses, String user) {
        if (client == null)
            throw new IllegalArgumentException("client must not be null");
        this.client = client;
        this.owned = owned;
        this.addresses = addresses;
        this.user = user;
    }

    /** @return a builder of a client with addresses and credentials. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a thin client of its own ({@link #close()} closes it), without credentials.
     *
     * @param addresses {@code host:port} or {@code host:port..port} entries (none: {@link #DFLT_ADDRESSES}).
     * @throws ClusterUnavailableException if no node answers at any of them.
     * @throws AuthenticationException if the cluster has authentication enabled: use {@link #builder()} with
     *     {@link Builder#credentials(String, String)}.
     */
    public static VecgridClient connect(String... addresses) {
        return builder().addresses(addresses).connect();
    }

    /**
     * Opens a thin client of its own with a full configuration (TLS, authentication, timeouts).
     *
     * @throws ClusterUnavailableException if no node answers at any of its addresses.
     * @throws AuthenticationException if the cluster refuses the configuration's user name and password (or wants
     *     some and there are none).
     */
    public static VecgridClient connect(ClientConfiguration cfg) {
        String addrs = Arrays.toString(cfg.getAddresses());
        String user = cfg.getUserName() == null ? "" : cfg.getUserName();
        try {
            return new VecgridClient(Ignition.startClient(cfg), true, addrs, user);
        }
        catch (ClientException e) {
            if (refusedLogin(e)) {
                boolean noPassword = cfg.getUserPassword() == null || cfg.getUserPassword().isEmpty();
                throw loginRefused(user, noPassword, "at " + addrs, e);
            }
            if (e instanceof ClientConnectionException)
                throw new ClusterUnavailableException("no vecgrid node answered at " + addrs + ": " + e.getMessage());
            throw new VecgridException("cannot open a thin-client connection to " + addrs + ": " + e.getMessage());
        }
        catch (RuntimeException e) {
            // Never the configuration itself in the message: its toString() carries the password.
            throw new InvalidRequestException("bad thin-client configuration (addresses " + addrs + "): " + e);
        }
    }

    /** @return whether the server refused the login (Ignite's handshake status AUTH_FAILED). */
    private static boolean refusedLogin(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClientAuthenticationException)
                return true;
        }
        return false;
    }

    /**
     * @param user the user name tried, {@code ""} for none, {@code null} when unknown.
     * @param where where or when the login was refused, e.g. {@code "at [127.0.0.1:10800]"}.
     * @return the error for a refused login: who, where, and how to pass credentials (the server's text adds nothing
     *     and stays in the cause).
     */
    private static AuthenticationException loginRefused(String user, boolean noPassword, String where,
        Throwable cause) {
        String how = "pass a user name and password with VecgridClient.builder().credentials(user, password) (or " +
            "ClientConfiguration.setUserName/setUserPassword)";
        String msg;
        if (user == null)
            msg = "authentication failed for the thin client's user " + where + ": the cluster refused its user name " +
                "or password; " + how;
        else if (user.isEmpty())
            msg = "authentication failed: the vecgrid cluster " + where + " requires a user name and password and " +
                "none was given; " + how;
        else
            msg = "authentication failed for user '" + user + "' " + where + ": the cluster rejected the user name " +
                "or password" + (noPassword ? " (no password was given)" : "") + "; " + how;
        return new AuthenticationException(user == null || user.isEmpty() ? null : user, msg, cause);
    }

    /** @return the thin client underneath (for caches, SQL, or calling the task directly). */
    public IgniteClient igniteClient() {
        return client;
    }

    @Override public CollectionDescription createCollection(CollectionSpec spec) {
        return (CollectionDescription)call(VecgridRequest.create(spec));
    }

    @Override public CollectionDescription describeCollection(String name) {
        return (CollectionDescription)call(VecgridRequest.describe(name));
    }

    @SuppressWarnings("unchecked")
    @Override public List<String> listCollections() {
        return (List<String>)call(VecgridRequest.list());
    }

    @Override public void dropCollection(String name) {
        call(VecgridRequest.drop(name));
    }

    @Override public long insert(String collection, List<VectorRow> rows) {
        return (Long)call(VecgridRequest.insert(collection, rows));
    }

    @Override public long upsert(String collection, List<VectorRow> rows) {
        return (Long)call(VecgridRequest.upsert(collection, rows));
    }

    @Override public long delete(String collection, long... pks) {
        return (Long)call(VecgridRequest.delete(collection, pks));
    }

    @SuppressWarnings("unchecked")
    @Override public List<VectorRow> get(String collection, long[] pks, List<String> outputFields) {
        return (List<VectorRow>)call(VecgridRequest.get(collection, pks, outputFields));
    }

    @Override public long count(String collection) {
        return (Long)call(VecgridRequest.count(collection));
    }

    @Override public SearchResult search(SearchRequest request) {
        return (SearchResult)call(VecgridRequest.search(request));
    }

    /**
     * Top-k search with the defaults: STRONG consistency, no filter, no output fields, the node's timeout.
     *
     * @param vectors query vectors, one per row ({@code nq >= 1}).
     * @return hits per query, best first.
     */
    public SearchResult search(String collection, float[][] vectors, int topK) {
        return search(SearchRequest.builder(collection, vectors, topK).build());
    }

    @Override public ReplicaInfo replicas(String collection) {
        return (ReplicaInfo)call(VecgridRequest.replicas(collection));
    }

    @Override public CollectionDescription setReplicaNumber(String collection, int replicas) {
        return (CollectionDescription)call(VecgridRequest.setReplicaNumber(collection, replicas));
    }

    @Override public void flush(String collection) {
        call(VecgridRequest.flush(collection));
    }

    /** @return the cluster's server nodes and a description of every collection. */
    public ClusterStatus status() {
        return (ClusterStatus)call(VecgridRequest.status());
    }

    /**
     * Takes a backup of every collection (an Ignite snapshot of all the cluster's persistent caches, consistent at one
     * point) while the cluster serves. Needs a persistent cluster.
     *
     * @param backup the backup's name: letters, digits, {@code _}; a new one.
     * @return the backup taken, with the collections it holds.
     * @throws io.vecgrid.api.BackupExistsException if a backup of that name exists.
     * @throws io.vecgrid.api.InvalidRequestException bad name, or an in-memory cluster.
     */
    public BackupInfo backupCreate(String backup) {
        return (BackupInfo)call(VecgridRequest.backupCreate(backup));
    }

    /** @return every backup the server nodes hold, oldest first. */
    @SuppressWarnings("unchecked")
    public List<BackupInfo> backupList() {
        return (List<BackupInfo>)call(VecgridRequest.backupList());
    }

    /**
     * Restores collections from a backup: those named, or all it holds. None of them may exist now.
     *
     * @param collections collections to restore; none: all.
     * @return the restored collections, described.
     * @throws io.vecgrid.api.BackupNotFoundException if no server node holds the backup.
     * @throws io.vecgrid.api.CollectionExistsException if one of them exists (drop it first); nothing is restored.
     * @throws io.vecgrid.api.InvalidRequestException a collection the backup does not hold, or of another layout.
     */
    @SuppressWarnings("unchecked")
    public List<CollectionDescription> backupRestore(String backup, String... collections) {
        return (List<CollectionDescription>)call(VecgridRequest.backupRestore(backup,
            collections == null ? List.of() : Arrays.asList(collections)));
    }

    /**
     * Runs one request through the task.
     *
     * @return the operation's result.
     * @throws VecgridException the server's error, or {@link ClusterUnavailableException}.
     */
    public Object call(VecgridRequest req) {
        long stoppingDeadline = System.nanoTime() + STOPPING_RESEND_MILLIS * 1_000_000L;
        int stoppingResends = 0;
        for (int attempt = 0; ; attempt++) {
            Object res;
            try {
                res = client.compute().execute(VecgridRequest.TASK_NAME, req);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecgridException("interrupted while waiting for " + req.op() + " (it may or may not have " +
                    "been applied)");
            }
            catch (ClientException e) {
                if (e.getCause() instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw new VecgridException("interrupted while waiting for " + req.op() + " (it may or may not " +
                        "have been applied)");
                }
                // A reconnect (to another node, or after a node restart) logs in again; the password may have
                // changed meanwhile.
                if (refusedLogin(e))
                    throw loginRefused(user, false, "at " + addresses + " while reconnecting for " + req.op(), e);
                if (notStarted(e) && System.nanoTime() < stoppingDeadline) {
                    // The node is stopping and did not start the task: resending is safe for every operation.
                    pause(++stoppingResends, req);
                    attempt--;
                    continue;
                }
                if (!connectionLost(e))
                    throw clientFailure(req, e);
                if (req.op().retriable() && attempt < RESENDS)
                    continue;
                throw new ClusterUnavailableException("lost the connection to vecgrid at " + addresses + " during " +
                    req.op() + (req.op().retriable() ? "" : " (it may or may not have been applied)") + ": " +
                    e.getMessage());
            }
            catch (RuntimeException e) {
                throw new VecgridException(req.op() + " failed in the thin client: " + e);
            }
            if (!(res instanceof VecgridResponse)) {
                throw new VecgridException("the server answered " + req.op() + " with " +
                    (res == null ? "nothing" : res.getClass().getName()) + " instead of a " + VecgridResponse.class.getName() +
                    "; are client and server the same vecgrid version?");
            }
            try {
                return ((VecgridResponse)res).resultOrThrow();
            }
            catch (NodeStoppingException e) {
                // A graceful stop refused it before it started. The connection stays on that node until it closes;
                // then the thin client reaches another address, so keep resending, slowly, for a while.
                if (System.nanoTime() >= stoppingDeadline)
                    throw e;
                pause(++stoppingResends, req);
                attempt--;
            }
        }
    }

    /** Waits before resending an operation a stopping node refused (50 ms, growing to 500 ms). */
    private static void pause(int resends, VecgridRequest req) {
        try {
            Thread.sleep(Math.min(500, 50L * resends));
        }
        catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new VecgridException("interrupted while waiting to resend " + req.op() + " (nothing was applied)");
        }
    }

    /**
     * @return whether Ignite refused to start the task because the node is stopping (its task processor or kernal
     *     gateway said so before the task ran): nothing was applied.
     */
    private static boolean notStarted(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("Failed to execute task due to grid shutdown") ||
                m.contains("Grid is in invalid state to perform this operation")))
                return true;
        }
        return false;
    }

    /**
     * @return whether the call failed because its connection broke: the thin client says so with a
     *     {@link ClientConnectionException}, or, for a task whose channel closed while it ran, with this message only.
     */
    private static boolean connectionLost(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClientConnectionException || CHANNEL_CLOSED.equals(c.getMessage()))
                return true;
        }
        return false;
    }

    /** The thin client failed the call itself (the task never fails): configuration or deployment problems. */
    private VecgridException clientFailure(VecgridRequest req, ClientException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("Compute grid functionality is disabled")) {
            return new VecgridException("the server does not allow thin-client compute; set " +
                "ThinClientConfiguration.maxActiveComputeTasksPerConnection > 0 in its clientConnectorConfiguration (" +
                msg + ")");
        }
        if (msg.contains("Unknown task name") || msg.contains("failed to auto-deploy") || msg.contains("ClassNotFound")) {
            return new VecgridException("the server cannot run " + VecgridRequest.TASK_NAME + ": is the vecgrid jar on " +
                "its classpath? (" + msg + ")");
        }
        return new VecgridException(req.op() + " failed: " + msg);
    }

    /** Closes the thin client if this object opened it. */
    @Override public void close() {
        if (owned)
            client.close();
    }

    /**
     * Addresses and credentials of a client to open:
     * {@code VecgridClient.builder().addresses("10.0.0.5:10800..10809").credentials("app", secret).connect()}.
     * Holds the password until {@link #connect()}; never prints it.
     */
    public static final class Builder {
        private String[] addresses = {DFLT_ADDRESSES};
        private String user;
        private String password;

        private Builder() {
        }

        /**
         * @param addresses {@code host:port} or {@code host:port..port} entries (none: {@link #DFLT_ADDRESSES}).
         * @return this builder.
         */
        public Builder addresses(String... addresses) {
            this.addresses = addresses == null || addresses.length == 0 ? new String[] {DFLT_ADDRESSES}
                : addresses.clone();
            return this;
        }

        /**
         * Logs in as {@code user}, for a cluster with authentication enabled (a cluster without ignores them).
         *
         * @param user user name (case-sensitive; the superuser is {@code ignite}).
         * @param password its password ({@code null} or empty: none, which the cluster refuses).
         * @return this builder.
         * @throws InvalidRequestException if {@code user} is null or empty.
         */
        public Builder credentials(String user, String password) {
            if (user == null || user.isEmpty())
                throw new InvalidRequestException("credentials: the user name must not be empty");
            this.user = user;
            this.password = password;
            return this;
        }

        /**
         * @return the thin-client configuration {@link #connect()} uses, for settings this builder does not have
         *     (pass it to {@link VecgridClient#connect(ClientConfiguration)}); it carries the password, so never log
         *     it (its {@code toString()} prints it).
         */
        public ClientConfiguration configuration() {
            ClientConfiguration cfg = new ClientConfiguration().setAddresses(addresses)
                // Only compute is used: one connection is enough, and a dead address costs nothing.
                .setPartitionAwarenessEnabled(false)
                .setTimeout(10_000);
            if (user != null)
                cfg.setUserName(user).setUserPassword(password);
            return cfg;
        }

        /**
         * Opens the client ({@link VecgridClient#close()} closes its thin client).
         *
         * @throws ClusterUnavailableException if no node answers at any of the addresses.
         * @throws AuthenticationException if the cluster refuses the login.
         */
        public VecgridClient connect() {
            return VecgridClient.connect(configuration());
        }
    }
}
