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
import org.apache.ignite.client.SslMode;
import org.apache.ignite.configuration.ClientConfiguration;

import javax.cache.configuration.Factory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * <p>A cluster with TLS ({@code config/secure-config.xml} encrypts client connections) wants the cluster's trust store
 * and, when it asks for client certificates, a client key store (both made by {@code scripts/make-dev-certs.sh} for
 * development):
 *
 * <pre>
 * VecgridClient.builder().addresses("10.0.0.5:10800").credentials("app", secret)
 *     .trustStore("certs/truststore.p12", trustPassword).keyStore("certs/client.p12", keyPassword).connect();
 * VecgridClient.builder().clientConfig(Path.of("client.properties")).connect();   // the same from a file
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

    /**
     * What a node stopped without draining (Ignite's stop with cancel) answers for the tasks it was running: as for a
     * broken connection, the operation may or may not have been applied.
     */
    private static final String TASK_CANCELLED_BY_STOP = "Task cancelled due to stopping of the grid";

    /**
     * What a thin client that was closed says to a call (Ignite 2.17's {@code ReliableChannel} checks this before it
     * sends anything): the call took a connection that another call had just given up and closed.
     */
    private static final String CLIENT_CLOSED = "Channel is closed";

    /** How long a call refused by stopping nodes is resent before the refusal reaches the caller, ms. */
    private static final long STOPPING_RESEND_MILLIS = 120_000;

    /** Times a retriable call is resent after its connection broke. */
    private static final int RESENDS = 2;

    /** Key of a client properties file ({@link Builder#clientConfig(Path)}): addresses, as the CLI's --host. */
    public static final String CONFIG_HOST = "host";
    /** Key of a client properties file: user name. */
    public static final String CONFIG_USER = "user";
    /** Key of a client properties file: password of the user. */
    public static final String CONFIG_PASSWORD = "password";
    /** Key of a client properties file: the client's key store (its key and certificate), PKCS12 or JKS. */
    public static final String CONFIG_KEYSTORE = "ssl.keystore";
    /** Key of a client properties file: password of the key store and of its key. */
    public static final String CONFIG_KEYSTORE_PASSWORD = "ssl.keystore.password";
    /** Key of a client properties file: the trust store (the CA certificate that signed the nodes'). */
    public static final String CONFIG_TRUSTSTORE = "ssl.truststore";
    /** Key of a client properties file: password of the trust store. */
    public static final String CONFIG_TRUSTSTORE_PASSWORD = "ssl.truststore.password";

    private static final List<String> CONFIG_KEYS = List.of(CONFIG_HOST, CONFIG_USER, CONFIG_PASSWORD, CONFIG_KEYSTORE,
        CONFIG_KEYSTORE_PASSWORD, CONFIG_TRUSTSTORE, CONFIG_TRUSTSTORE_PASSWORD);

    /**
     * The node of a failed connect in the thin client's message: {@code remoteAddress=/127.0.0.1:10800} (a closed
     * channel) or {@code remoteAddress=127.0.0.1/<unresolved>:10800} (a failed TLS handshake).
     */
    private static final Pattern REMOTE_ADDRESS =
        Pattern.compile("remoteAddress=([^/\\]\\s]*)/([^/\\]\\s]+):(\\d+)\\]");

    /** The first address of an entry {@code host:port} or {@code host:port..port}. */
    private static final Pattern FIRST_ADDRESS = Pattern.compile("([^\\s:,]+):(\\d{1,5})(?:\\.\\.\\d{1,5})?");

    /** The connection calls go through, and a standby on another node when this client opened its own. */
    private final Connections connections;
    /** Sends slow read-only calls a second time through the standby. */
    private final Hedging hedging = new Hedging();
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
        this(client, null, false, "the thin client's addresses", null);
    }

    /** @param cfg what {@code client} was opened with, for a standby connection; {@code null}: no standby. */
    private VecgridClient(IgniteClient client, ClientConfiguration cfg, boolean owned, String addresses, String user) {
        if (client == null)
            throw new IllegalArgumentException("client must not be null");
        this.connections = new Connections(cfg, client);
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
        return connect(cfg, true);
    }

    /**
     * {@link #connect(ClientConfiguration)}, choosing whether to keep a standby connection.
     *
     * @param standby whether to keep, when {@code cfg} names more than one node, a second connection to another node,
     *     opened and checked in the background, through which a call whose node died is resent at once (a new
     *     connection costs about a second under load). Short-lived clients (the CLI) need none.
     */
    public static VecgridClient connect(ClientConfiguration cfg, boolean standby) {
        String addrs = Arrays.toString(cfg.getAddresses());
        String user = cfg.getUserName() == null ? "" : cfg.getUserName();
        try {
            return new VecgridClient(Ignition.startClient(cfg), standby ? cfg : null, true, addrs, user);
        }
        catch (ClientException e) {
            if (refusedLogin(e)) {
                boolean noPassword = cfg.getUserPassword() == null || cfg.getUserPassword().isEmpty();
                throw loginRefused(user, noPassword, "at " + addrs, e);
            }
            TlsException tls = tlsFailure(cfg, addrs, e);
            if (tls != null)
                throw tls;
            if (e instanceof ClientConnectionException)
                throw new ClusterUnavailableException("no vecgrid node answered at " + addrs + ": " + e.getMessage());
            throw new VecgridException("cannot open a thin-client connection to " + addrs + ": " + e.getMessage());
        }
        catch (RuntimeException e) {
            // Never the configuration itself in the message: its toString() carries the password.
            throw new InvalidRequestException("bad thin-client configuration (addresses " + addrs + "): " + e);
        }
    }

    /**
     * @return the TLS failure behind a failed connect, {@code null} if it was none. The thin client's report seldom
     *     says why a handshake failed (its non-blocking handshake loses the alert; with TLS 1.3 the server refuses a
     *     client certificate after the client thinks the handshake done, and the client sees a closed channel), so
     *     the node of the failure is asked again by a handshake of our own: with the same TLS context when the client
     *     has TLS, or, when it has none and the node closed the connection at once, whether it answers TLS at all.
     */
    private static TlsException tlsFailure(ClientConfiguration cfg, String addrs, Throwable e) {
        String how = "pass the cluster's trust store with VecgridClient.builder().trustStore(path, password) and, if " +
            "it wants client certificates, a key store with keyStore(path, password)";
        String msgs = messages(e);
        InetSocketAddress node = failedNode(msgs, cfg);
        if (cfg.getSslMode() != SslMode.REQUIRED) {
            if (node == null || !msgs.contains("Channel is closed") || !speaksTls(node))
                return null;
            return new TlsException(TlsException.Reason.TLS_REQUIRED, "the vecgrid cluster at " + addrs + " requires " +
                "TLS and the client connected without it; " + how, e);
        }
        SSLException ssl = null;
        for (Throwable c = e; c != null && ssl == null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SSLException)
                ssl = (SSLException)c;
        }
        if (ssl == null && node != null && cfg.getSslContextFactory() != null) {
            try {
                ssl = handshake(node, cfg.getSslContextFactory().create());
            }
            catch (RuntimeException ignored) {
                // No context to try with: nothing more to say.
            }
        }
        if (ssl == null)
            return null;
        StoresFactory stores = cfg.getSslContextFactory() instanceof StoresFactory ?
            (StoresFactory)cfg.getSslContextFactory() : null;
        String why = messages(ssl);
        boolean certificate = false;
        for (Throwable c = ssl; c != null; c = c.getCause() == c ? null : c.getCause())
            certificate |= c instanceof CertificateException;
        if (certificate || why.contains("unable to find valid certification path")) {
            String trusted = stores == null ? "the trust store" : stores.trustStore == null ?
                "the JDK's default trust store (no trust store was given)" : "the trust store " + stores.trustStore;
            return new TlsException(TlsException.Reason.SERVER_NOT_TRUSTED, "TLS handshake with the vecgrid cluster " +
                "at " + addrs + " failed: the node's certificate is not signed by a CA in " + trusted + "; " + how, e);
        }
        if (ssl == CLOSED_AFTER_HANDSHAKE || why.contains("certificate_required") || why.contains("bad_certificate") ||
            why.contains("certificate_unknown") || why.contains("unknown_ca")) {
            String mine = stores == null ? "the client's certificate" : stores.keyStore == null ?
                "a client without one (no key store was given)" : "the certificate of the key store " + stores.keyStore;
            return new TlsException(TlsException.Reason.CLIENT_CERTIFICATE_REFUSED, "TLS handshake with the vecgrid " +
                "cluster at " + addrs + " failed: the cluster wants a client certificate signed by its CA and " +
                "refused " + mine + "; " + how, e);
        }
        // A node without TLS reads the client's hello as a request and closes: it never sends a certificate.
        boolean closedOrGarbage = why.contains("Remote host terminated the handshake") ||
            why.contains("Unsupported or unrecognized SSL message") || why.contains("plaintext connection");
        if (closedOrGarbage && node != null && !speaksTls(node)) {
            return new TlsException(TlsException.Reason.SERVER_WITHOUT_TLS, "the vecgrid node at " + addrs + " does " +
                "not use TLS and the client does; connect without a trust store and key store, or enable TLS on the " +
                "cluster (config/secure-config.xml)", e);
        }
        return new TlsException(TlsException.Reason.HANDSHAKE_FAILED, "TLS handshake with the vecgrid cluster at " +
            addrs + " failed: " + ssl.getMessage(), e);
    }

    /** @return the node a failed connect names, else the first configured address; {@code null}: none. */
    private static InetSocketAddress failedNode(String msgs, ClientConfiguration cfg) {
        Matcher m = REMOTE_ADDRESS.matcher(msgs);
        if (m.find()) {
            String host = m.group(2).startsWith("<") ? m.group(1) : m.group(2);
            if (!host.isEmpty())
                return new InetSocketAddress(host, Integer.parseInt(m.group(3)));
        }
        String[] addrs = cfg.getAddresses();
        if (addrs != null && addrs.length > 0) {
            Matcher a = FIRST_ADDRESS.matcher(addrs[0].trim());
            if (a.matches())
                return new InetSocketAddress(a.group(1), Integer.parseInt(a.group(2)));
        }
        return null;
    }

    /**
     * What {@link #handshake} returns when the node closes the connection in the handshake or right after it, before
     * the client sent anything: what an Ignite node that wants a client certificate does with TLS 1.3 when it gets
     * none, or one its CA did not sign (it sends no alert).
     */
    private static final SSLException CLOSED_AFTER_HANDSHAKE = new SSLException("the node closed the connection " +
        "right after the TLS handshake");

    /**
     * @return why a handshake with {@code node} fails ({@link #CLOSED_AFTER_HANDSHAKE} included), {@code null} if it
     *     succeeds or the node does not answer. A TLS 1.3 server refuses a client certificate after the client
     *     finished its handshake: a read brings that (a node that accepted it waits for the client's first message).
     */
    private static SSLException handshake(InetSocketAddress node, SSLContext ctx) {
        try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket()) {
            try {
                s.connect(node, 2_000);
            }
            catch (IOException e) {
                return null;
            }
            s.setSoTimeout(2_000);
            try {
                s.startHandshake();
                return s.getInputStream().read() < 0 ? CLOSED_AFTER_HANDSHAKE : null;
            }
            catch (SSLException e) {
                return e;
            }
            catch (java.net.SocketTimeoutException e) {
                return null;
            }
            catch (IOException e) {
                // Reset or broken pipe: the node dropped the connection in the handshake, as with no alert above.
                return CLOSED_AFTER_HANDSHAKE;
            }
        }
        catch (IOException e) {
            return null;
        }
    }

    /** @return the messages of {@code e} and its causes. */
    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause())
            sb.append(c.getMessage()).append(" | ");
        return sb.toString();
    }

    /**
     * @return whether {@code host:port} answers a TLS handshake with a certificate: asked when a node closed a plain
     *     connection at once, which is what a node that requires TLS does. The handshake stops at the certificate,
     *     nothing is sent.
     */
    private static boolean speaksTls(InetSocketAddress node) {
        AtomicBoolean sawCertificate = new AtomicBoolean();
        X509TrustManager recorder = new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException();
            }

            @Override public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws CertificateException {
                sawCertificate.set(chain != null && chain.length > 0);
                throw new CertificateException("vecgrid: only asking whether the node uses TLS");
            }

            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {recorder}, null);
            try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket()) {
                s.connect(node, 2_000);
                s.setSoTimeout(2_000);
                s.startHandshake();
            }
        }
        catch (IOException | GeneralSecurityException | RuntimeException ignored) {
            // Stopped at the certificate, or no TLS there.
        }
        return sawCertificate.get();
    }

    /**
     * Reads a client properties file: the keys {@value #CONFIG_HOST}, {@value #CONFIG_USER}, {@value #CONFIG_PASSWORD},
     * {@value #CONFIG_KEYSTORE}, {@value #CONFIG_KEYSTORE_PASSWORD}, {@value #CONFIG_TRUSTSTORE},
     * {@value #CONFIG_TRUSTSTORE_PASSWORD}, each optional; a relative store path is relative to the file's directory.
     *
     * @param source how the file was named, for messages (e.g. {@code --client-config}).
     * @return the values set (not empty), store paths made absolute.
     * @throws InvalidRequestException naming the file and {@code source} if it cannot be read or has an unknown key.
     */
    public static Map<String, String> readClientConfig(Path file, String source) {
        Properties props = new Properties();
        if (!Files.isRegularFile(file))
            throw new InvalidRequestException(source + ": no such file: " + file);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        catch (IOException | IllegalArgumentException e) {
            throw new InvalidRequestException(source + ": cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> res = new LinkedHashMap<>();
        for (String key : new java.util.TreeSet<>(props.stringPropertyNames())) {
            if (!CONFIG_KEYS.contains(key)) {
                throw new InvalidRequestException(source + ": unknown key '" + key + "' in " + file + "; the keys " +
                    "are " + String.join(", ", CONFIG_KEYS));
            }
        }
        for (String key : CONFIG_KEYS) {
            String v = props.getProperty(key);
            if (v == null || v.isBlank())
                continue;
            v = v.trim();
            if (key.equals(CONFIG_KEYSTORE) || key.equals(CONFIG_TRUSTSTORE)) {
                Path dir = file.toAbsolutePath().getParent();
                v = dir.resolve(v).normalize().toString();
            }
            res.put(key, v);
        }
        return Collections.unmodifiableMap(res);
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

    /**
     * @return the thin client underneath (for caches, SQL, or calling the task directly): the connection calls go
     *     through now; after its node died and calls moved to the standby connection it is another one (and the old one
     *     is closed), so ask again rather than keeping it.
     */
    public IgniteClient igniteClient() {
        return connections.current();
    }

    /**
     * @return the node of the standby connection (see "Standby connection" in docs/clients.md), {@code null} while
     *     there is none.
     */
    public UUID standbyNode() {
        return connections.standbyNode();
    }

    /** @return how many times calls were resent through the standby connection after theirs broke. */
    long failovers() {
        return connections.failovers();
    }

    /** @return how many times calls moved to the standby connection because their node was stopping gracefully. */
    long leaves() {
        return connections.leaves();
    }

    /**
     * @return how many read-only calls were sent a second time, through the standby connection, because the current
     *     connection had not answered them within their hedging delay (see "Hedged calls" in docs/clients.md).
     */
    public long hedgedCalls() {
        return hedging.hedged();
    }

    /** @return how many of the {@link #hedgedCalls() hedged calls} the standby answered first. */
    public long hedgeWins() {
        return hedging.won();
    }

    /**
     * Fixes how long a read-only call waits for the current connection before it is hedged through the standby
     * (what gRPC's hedging policy calls its hedging delay), instead of the delay learned from this client's recent
     * calls; the budget that bounds hedges stays. Zero hedges every call the budget allows at once.
     *
     * @param delay the delay, {@code null}: learned again (the default).
     * @return this client.
     * @throws InvalidRequestException if {@code delay} is negative.
     */
    public VecgridClient hedgeDelay(Duration delay) {
        if (delay != null && delay.isNegative())
            throw new InvalidRequestException("hedgeDelay: must not be negative, was " + delay);
        hedging.fixDelay(delay == null ? -1 : delay.toNanos());
        return this;
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
            IgniteClient client = connections.current();
            try {
                res = hedging.execute(connections, client, req);
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
                    if (!connections.leave(client))
                        pause(++stoppingResends, req);
                    attempt--;
                    continue;
                }
                if (CLIENT_CLOSED.equals(e.getMessage()) && connections.current() != client) {
                    // Nothing was sent (see CLIENT_CLOSED), so resending is safe for every operation; the
                    // connection that replaced it takes the call (seen once in the cluster benchmark's kill -9
                    // phase: a get 23 s after the kill failed so).
                    attempt--;
                    continue;
                }
                if (!connectionLost(e))
                    throw clientFailure(req, e);
                if (req.op().retriable() && attempt < RESENDS) {
                    // A standby connection to another node takes the call at once; without one the thin client
                    // opens a new connection on the resend.
                    connections.failOver(client);
                    continue;
                }
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
                // A graceful stop refused it before it started. Calls move to the standby at once; without one the
                // connection stays on that node until it closes, then the thin client reaches another address, so
                // keep resending, slowly, for a while.
                if (System.nanoTime() >= stoppingDeadline)
                    throw e;
                if (!connections.leave(client))
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
     * @return whether the call failed because its connection broke, or its node stopped under it: the thin client says
     *     so with a {@link ClientConnectionException}, or, for a task whose channel closed while it ran, with this
     *     message only; a node that stops without draining cancels the task.
     */
    static boolean connectionLost(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClientConnectionException || CHANNEL_CLOSED.equals(c.getMessage()) ||
                (c.getMessage() != null && c.getMessage().contains(TASK_CANCELLED_BY_STOP)))
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
            connections.close();
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
        /** The client's key store, {@code null}: none. */
        private Store keyStore;
        /** The trust store, {@code null}: none. */
        private Store trustStore;

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
         * Connects with TLS, presenting the key pair of {@code path} (a PKCS12 or JKS key store holding one private key
         * and its certificate chain, e.g. {@code client.p12} of {@code scripts/make-dev-certs.sh}) to a cluster that
         * wants client certificates.
         *
         * @param password password of the store and of its key.
         * @return this builder.
         */
        public Builder keyStore(String path, String password) {
            return keyStore(path, password, "keyStore(path, password)", "keyStore(path, password)");
        }

        /**
         * {@link #keyStore(String, String)}, naming in its error messages where the path and the password came from
         * (the CLI names its options, e.g. {@code --ssl-keystore}).
         *
         * @param path the key store; {@code null} or empty: none (then {@code password} must be none too).
         */
        public Builder keyStore(String path, String password, String pathSource, String passwordSource) {
            keyStore = Store.of("key store", path, pathSource, password, passwordSource);
            return this;
        }

        /**
         * Connects with TLS, trusting the nodes whose certificates a CA in {@code path} signed (a PKCS12 or JKS trust
         * store, e.g. {@code truststore.p12} of {@code scripts/make-dev-certs.sh}). Without it, a client with a
         * {@link #keyStore(String, String) key store} trusts the JDK's default CAs.
         *
         * @return this builder.
         */
        public Builder trustStore(String path, String password) {
            return trustStore(path, password, "trustStore(path, password)", "trustStore(path, password)");
        }

        /**
         * {@link #trustStore(String, String)}, naming in its error messages where the path and the password came from
         * (the CLI names its options, e.g. {@code --ssl-truststore}).
         *
         * @param path the trust store; {@code null} or empty: none (then {@code password} must be none too).
         */
        public Builder trustStore(String path, String password, String pathSource, String passwordSource) {
            trustStore = Store.of("trust store", path, pathSource, password, passwordSource);
            return this;
        }

        /**
         * Takes addresses, credentials and TLS stores from a properties file (see
         * {@link VecgridClient#readClientConfig(Path, String)} for the keys); what the file does not set stays as
         * it is. Protect the file: it may hold passwords.
         *
         * @return this builder.
         * @throws InvalidRequestException if the file cannot be read, has an unknown key, or a bad store.
         */
        public Builder clientConfig(Path file) {
            Map<String, String> c = readClientConfig(file, "clientConfig(" + file + ")");
            String in = " in " + file;
            if (c.containsKey(CONFIG_HOST))
                addresses(Arrays.stream(c.get(CONFIG_HOST).split(",")).map(String::trim).toArray(String[]::new));
            if (c.containsKey(CONFIG_USER))
                credentials(c.get(CONFIG_USER), c.get(CONFIG_PASSWORD));
            if (c.containsKey(CONFIG_KEYSTORE) || c.containsKey(CONFIG_KEYSTORE_PASSWORD)) {
                keyStore(c.get(CONFIG_KEYSTORE), c.get(CONFIG_KEYSTORE_PASSWORD), CONFIG_KEYSTORE + in,
                    CONFIG_KEYSTORE_PASSWORD + in);
            }
            if (c.containsKey(CONFIG_TRUSTSTORE) || c.containsKey(CONFIG_TRUSTSTORE_PASSWORD)) {
                trustStore(c.get(CONFIG_TRUSTSTORE), c.get(CONFIG_TRUSTSTORE_PASSWORD), CONFIG_TRUSTSTORE + in,
                    CONFIG_TRUSTSTORE_PASSWORD + in);
            }
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
            if (keyStore != null || trustStore != null)
                cfg.setSslMode(SslMode.REQUIRED).setSslContextFactory(new StoresFactory(keyStore, trustStore));
            return cfg;
        }

        /**
         * Opens the client ({@link VecgridClient#close()} closes its thin client).
         *
         * @throws ClusterUnavailableException if no node answers at any of the addresses.
         * @throws AuthenticationException if the cluster refuses the login.
         * @throws TlsException if the cluster and the client do not agree on TLS (see {@link TlsException.Reason}).
         * @throws InvalidRequestException if a store is missing, unreadable, or its password is wrong (the message
         *     names the setting).
         */
        public VecgridClient connect() {
            return VecgridClient.connect(configuration());
        }
    }

    /** A key store or trust store to open, with where its path and password came from (named in messages). */
    private record Store(String kind, String path, String pathSource, String password, String passwordSource) {
        /** @return the store, {@code null} if neither path nor password is set. */
        static Store of(String kind, String path, String pathSource, String password, String passwordSource) {
            boolean hasPath = path != null && !path.isEmpty();
            boolean hasPassword = password != null && !password.isEmpty();
            if (!hasPath && !hasPassword)
                return null;
            if (!hasPath) {
                throw new InvalidRequestException(passwordSource + ": a " + kind + " password is set but no " + kind +
                    " (" + pathSource + ")");
            }
            return new Store(kind, path, pathSource, hasPassword ? password : null, passwordSource);
        }

        /** Never the password (a record's own toString() would print it). */
        @Override public String toString() {
            return kind + " " + path + " (" + pathSource + ")";
        }

        /**
         * @return the store, opened with its password.
         * @throws InvalidRequestException naming the path's or the password's source.
         */
        KeyStore load() {
            File f = new File(path);
            if (!f.exists())
                throw new InvalidRequestException(pathSource + ": no such " + kind + " file: " + path);
            if (!f.isFile() || !f.canRead())
                throw new InvalidRequestException(pathSource + ": cannot read the " + kind + " file " + path);
            if (password == null) {
                throw new InvalidRequestException(passwordSource + ": no password for the " + kind + " " + path + " (" +
                    pathSource + ")");
            }
            try {
                return KeyStore.getInstance(f, password.toCharArray());
            }
            catch (IOException e) {
                if (e.getCause() instanceof UnrecoverableKeyException) {
                    throw new InvalidRequestException(passwordSource + ": wrong password for the " + kind + " " + path +
                        " (" + pathSource + ")");
                }
                throw new InvalidRequestException(pathSource + ": cannot read the " + kind + " " + path + ": " +
                    e.getMessage());
            }
            catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new InvalidRequestException(pathSource + ": " + path + " is not a PKCS12 or JKS " + kind + " (" +
                    e.getMessage() + ")");
            }
        }
    }

    /**
     * The thin client's TLS context, made from the builder's stores when the configuration is made (so that a bad
     * store fails there, named). A client with a key store but no trust store trusts the JDK's default CAs; one with a
     * trust store only presents no certificate.
     */
    private static final class StoresFactory implements Factory<SSLContext> {
        private static final long serialVersionUID = 1L;

        /** Paths, for messages; {@code null}: none. */
        final String keyStore;
        final String trustStore;
        private final transient SSLContext ctx;

        StoresFactory(Store key, Store trust) {
            keyStore = key == null ? null : key.path();
            trustStore = trust == null ? null : trust.path();
            try {
                KeyManagerFactory kmf = null;
                if (key != null) {
                    KeyStore ks = key.load();
                    if (!hasKey(ks)) {
                        throw new InvalidRequestException(key.pathSource() + ": the key store " + key.path() +
                            " holds no private key (a client key store holds the client's key and certificate, e.g. " +
                            "client.p12 of scripts/make-dev-certs.sh)");
                    }
                    kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    try {
                        kmf.init(ks, key.password().toCharArray());
                    }
                    catch (UnrecoverableKeyException e) {
                        throw new InvalidRequestException(key.passwordSource() + ": the key of the key store " +
                            key.path() + " has another password than the store (" + key.pathSource() + ")");
                    }
                }
                TrustManagerFactory tmf = null;
                if (trust != null) {
                    KeyStore ts = trust.load();
                    if (!hasCertificate(ts)) {
                        throw new InvalidRequestException(trust.pathSource() + ": the trust store " + trust.path() +
                            " holds no certificate");
                    }
                    tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(ts);
                }
                ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            }
            catch (GeneralSecurityException e) {
                throw new InvalidRequestException("cannot set up TLS from the key store " + keyStore + " and the " +
                    "trust store " + trustStore + ": " + e);
            }
        }

        private static boolean hasKey(KeyStore ks) throws GeneralSecurityException {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias))
                    return true;
            }
            return false;
        }

        private static boolean hasCertificate(KeyStore ks) throws GeneralSecurityException {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.getCertificate(alias) != null)
                    return true;
            }
            return false;
        }

        @Override public SSLContext create() {
            return ctx;
        }
    }
}
