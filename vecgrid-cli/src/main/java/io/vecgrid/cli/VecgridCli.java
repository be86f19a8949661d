package io.vecgrid.cli;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.client.AuthenticationException;
import io.vecgrid.client.ClusterUnavailableException;
import io.vecgrid.client.TlsException;
import io.vecgrid.client.VecgridClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.apache.ignite.logger.NullLogger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code vecgrid} command line, over the Java thin client ({@link VecgridClient}). Run it with
 * {@code scripts/vecgrid}; every command is documented in docs/clients.md.
 *
 * <p>Exit codes: {@value #EXIT_OK} success; {@value #EXIT_BAD_INPUT} bad input (a wrong option or value, an unknown
 * or existing collection, a bad line in an import file; the message names the field, line or collection) or a
 * confirmation refused; {@value #EXIT_UNAVAILABLE} the cluster is unavailable or could not serve the request (no node
 * answers, a segment has no serviceable copy, a timeout); {@value #EXIT_AUTH} the cluster refused the login
 * (authentication enabled, and the user name or password is wrong or missing); {@value #EXIT_INTERNAL} an internal
 * error of the CLI (a bug or a broken installation; the stack trace follows the message).
 *
 * <p>Addresses: {@code --host}, by default the environment variable {@value #ENV_HOST}, else
 * {@value VecgridClient#DFLT_ADDRESSES}. Credentials: {@code --user} and {@code --password}, by default the
 * environment variables {@value #ENV_USER} and {@value #ENV_PASSWORD}. TLS: {@code --ssl-truststore},
 * {@code --ssl-keystore} and their passwords, by default {@value #ENV_SSL_TRUSTSTORE} and so on. Each setting also
 * comes from a client properties file ({@code --client-config} or {@value #ENV_CLIENT_CONFIG}; keys in
 * {@link VecgridClient#readClientConfig}): an option wins over the file, the file over the environment.
 */
@Command(name = "vecgrid", mixinStandardHelpOptions = true, versionProvider = VecgridCli.Version.class,
    description = "vecgrid: Milvus-style vector collections with in-memory replicas on Apache Ignite.",
    subcommands = {CreateCommand.class, ImportCommand.class, SearchCommand.class, GetCommand.class,
        DeleteCommand.class, BackupCommand.class, CommandLine.HelpCommand.class},
    // The help lists the commands in ORDER (see run); the methods below are commands too.
    usageHelpAutoWidth = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:bad input (a wrong option or value, an unknown or existing collection or backup, a bad line in an import "
            + "file) or a confirmation refused",
        "2:cluster unavailable (no node answers) or it could not serve the request",
        "3:authentication failed: the cluster wants a user name and password (--user and --password, or "
            + "VECGRID_USER and VECGRID_PASSWORD) and they were wrong or missing; or the TLS handshake failed (the "
            + "cluster wants TLS, or a certificate is not trusted: --ssl-truststore, --ssl-keystore)",
        "70:internal error of the CLI (a bug or a broken installation; the stack trace follows)"},
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  VECGRID_HOST      addresses when --host is not given",
        "  VECGRID_USER      user name when --user is not given",
        "  VECGRID_PASSWORD  password when --password is not given (safer than",
        "                    --password: other users of this machine see command lines)",
        "  VECGRID_SSL_TRUSTSTORE, VECGRID_SSL_TRUSTSTORE_PASSWORD,",
        "  VECGRID_SSL_KEYSTORE, VECGRID_SSL_KEYSTORE_PASSWORD",
        "                    TLS stores and their passwords when the --ssl-* options",
        "                    are not given",
        "  VECGRID_CLIENT_CONFIG  client properties file when --client-config is not",
        "                    given",
        "%nExamples:",
        "  vecgrid status",
        "  vecgrid --host 10.0.0.5:10800,10.0.0.6:10800 list",
        "  VECGRID_HOST=10.0.0.5:10800 vecgrid describe docs --json",
        "  vecgrid --ssl-truststore work/certs/truststore.p12 --ssl-keystore work/certs/client.p12 status",
        "  vecgrid --client-config client.properties list",
        "  vecgrid help search"})
public final class VecgridCli {
    public static final int EXIT_OK = 0;
    public static final int EXIT_BAD_INPUT = 1;
    public static final int EXIT_UNAVAILABLE = 2;
    /**
     * The cluster refused the login. Not {@link #EXIT_UNAVAILABLE}: a script that retries while the cluster starts
     * must not retry wrong credentials forever.
     */
    public static final int EXIT_AUTH = 3;
    /**
     * An internal error of the CLI: an exception that is neither bad input nor an error of the cluster (a bug, or an
     * installation missing a library). Not {@link #EXIT_UNAVAILABLE}: retrying cannot help. 70 is
     * {@code EX_SOFTWARE} of BSD's sysexits.h.
     */
    public static final int EXIT_INTERNAL = 70;

    /** Environment variable with the addresses when {@code --host} is not given. */
    public static final String ENV_HOST = "VECGRID_HOST";
    /** Environment variable with the user name when {@code --user} is not given. */
    public static final String ENV_USER = "VECGRID_USER";
    /** Environment variable with the password when {@code --password} is not given. */
    public static final String ENV_PASSWORD = "VECGRID_PASSWORD";
    /** Environment variable with the client key store when {@code --ssl-keystore} is not given. */
    public static final String ENV_SSL_KEYSTORE = "VECGRID_SSL_KEYSTORE";
    /** Environment variable with its password when {@code --ssl-keystore-password} is not given. */
    public static final String ENV_SSL_KEYSTORE_PASSWORD = "VECGRID_SSL_KEYSTORE_PASSWORD";
    /** Environment variable with the trust store when {@code --ssl-truststore} is not given. */
    public static final String ENV_SSL_TRUSTSTORE = "VECGRID_SSL_TRUSTSTORE";
    /** Environment variable with its password when {@code --ssl-truststore-password} is not given. */
    public static final String ENV_SSL_TRUSTSTORE_PASSWORD = "VECGRID_SSL_TRUSTSTORE_PASSWORD";
    /** Environment variable with the client properties file when {@code --client-config} is not given. */
    public static final String ENV_CLIENT_CONFIG = "VECGRID_CLIENT_CONFIG";

    /** The commands in the order the help lists them: a collection's life, then the cluster's. */
    private static final List<String> ORDER = List.of("create", "import", "search", "get", "delete", "count", "flush",
        "describe", "replicas", "set-replicas", "drop", "list", "status", "backup", "help");

    private static final Pattern ADDRESS = Pattern.compile("([^\\s:,]+)(?::(\\d{1,5})(?:\\.\\.(\\d{1,5}))?)?");

    @Spec
    CommandSpec spec;

    // No default value here: --host wins over VECGRID_HOST, which wins over the default (see hosts()).
    @Option(names = "--host", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
        description = "Thin-client addresses of vecgrid nodes: a comma-separated list of HOST:PORT or HOST:PORT..PORT "
            + "(default: the environment variable " + ENV_HOST + ", else " + VecgridClient.DFLT_ADDRESSES + "). "
            + "Any live node serves every command.")
    String host;

    @Option(names = "--user", scope = ScopeType.INHERIT, paramLabel = "USER",
        description = "User name, for a cluster with authentication enabled (default: the environment variable "
            + ENV_USER + ").")
    String user;

    // No default shown in the help: it would print the password.
    @Option(names = "--password", scope = ScopeType.INHERIT, paramLabel = "PASSWORD",
        description = "Password of the user (default: the environment variable " + ENV_PASSWORD + ", which is "
            + "better: other users of this machine can see a command line).")
    String password;

    @Option(names = "--ssl-truststore", scope = ScopeType.INHERIT, paramLabel = "FILE",
        description = "TLS: trust store (PKCS12 or JKS) with the CA certificate that signed the nodes' certificates, "
            + "e.g. work/certs/truststore.p12 of scripts/make-dev-certs.sh; turns TLS on (default: the environment "
            + "variable " + ENV_SSL_TRUSTSTORE + ").")
    String sslTrustStore;

    @Option(names = "--ssl-truststore-password", scope = ScopeType.INHERIT, paramLabel = "PASSWORD",
        description = "Password of the trust store (default: the environment variable " + ENV_SSL_TRUSTSTORE_PASSWORD
            + ", which is better).")
    String sslTrustStorePassword;

    @Option(names = "--ssl-keystore", scope = ScopeType.INHERIT, paramLabel = "FILE",
        description = "TLS: the client's key store (PKCS12 or JKS: its key and a certificate signed by the cluster's "
            + "CA), for a cluster that wants client certificates, e.g. work/certs/client.p12 (default: the "
            + "environment variable " + ENV_SSL_KEYSTORE + ").")
    String sslKeyStore;

    @Option(names = "--ssl-keystore-password", scope = ScopeType.INHERIT, paramLabel = "PASSWORD",
        description = "Password of the key store and its key (default: the environment variable "
            + ENV_SSL_KEYSTORE_PASSWORD + ", which is better).")
    String sslKeyStorePassword;

    @Option(names = "--client-config", scope = ScopeType.INHERIT, paramLabel = "FILE",
        description = "Client properties file with any of host, user, password, ssl.keystore, ssl.keystore.password, "
            + "ssl.truststore, ssl.truststore.password (store paths relative to the file); options win over it, it "
            + "wins over the environment (default: the environment variable " + ENV_CLIENT_CONFIG + ").")
    String clientConfig;

    /** Where {@link #ENV_HOST}, {@link #ENV_USER} and {@link #ENV_PASSWORD} are read: the process's, or a map. */
    private final Map<String, String> env;

    /** Where confirmations are asked; {@code null} when the CLI does not run interactively. */
    private final Terminal terminal;

    /** The user the last {@link #connect()} logged in as ({@code null}: none), for the message of a refused login. */
    private String loginUser;
    /** Whether the last {@link #connect()} had a password. */
    private boolean loginPassword;
    /** The client properties file's values once read ({@code null}: not yet), and how the file was named. */
    private Map<String, String> fileConfig;
    private String fileSource;

    public VecgridCli() {
        this(System.getenv(), Terminal.system());
    }

    VecgridCli(Map<String, String> env, Terminal terminal) {
        this.env = env;
        this.terminal = terminal;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String... args) {
        System.exit(run(args));
    }

    /** @return the exit code of running {@code args}, writing to the standard streams. */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return run(out, err, args);
    }

    /** @return the exit code of running {@code args}, writing to {@code out} and {@code err} (flushed on return). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, System.getenv(), args);
    }

    /**
     * @param env the environment variables to read ({@link #ENV_HOST}, {@link #ENV_USER}, {@link #ENV_PASSWORD})
     *     instead of the process's: for tests and for embedding the CLI.
     * @return the exit code of running {@code args}, writing to {@code out} and {@code err} (flushed on return).
     *     Confirmations are asked on the process's terminal, if it has one.
     */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(out, err, env, Terminal.system(), args);
    }

    /**
     * @param terminal where confirmations are asked ({@code null}: nowhere, as when standard input is not a
     *     terminal; a command that would ask refuses).
     * @return the exit code of running {@code args}.
     */
    static int run(PrintWriter out, PrintWriter err, Map<String, String> env, Terminal terminal, String... args) {
        VecgridCli cli = new VecgridCli(env, terminal);
        CommandLine cl = order(new CommandLine(cli));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("vecgrid: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> cli.fail(ex, err));
        try {
            return cl.execute(args);
        }
        catch (Throwable t) {
            // An Error thrown by a command (picocli hands only Exceptions to the handler above).
            return cli.fail(t, err);
        }
        finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Lists the subcommands in {@link #ORDER} in the help (picocli lists class commands first, then method commands
     * alphabetically); a command missing from the list goes last.
     */
    private static CommandLine order(CommandLine cl) {
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> {
            Map<String, CommandLine.Help> subs = new LinkedHashMap<>(help.subcommands());
            Map<String, CommandLine.Help> ordered = new LinkedHashMap<>();
            for (String name : ORDER) {
                CommandLine.Help h = subs.remove(name);
                if (h != null)
                    ordered.put(name, h);
            }
            ordered.putAll(subs);
            return help.commandList(ordered);
        });
        return cl;
    }

    /** Reports what a command threw. @return its exit code. */
    private int fail(Throwable ex, PrintWriter err) {
        // picocli wraps what a method command threw that is not an Exception.
        if (ex instanceof CommandLine.ExecutionException && ex.getCause() != null)
            ex = ex.getCause();
        int code = exitCode(ex);
        if (code == EXIT_INTERNAL) {
            err.println("vecgrid: internal error: " + ex + " (a bug in the vecgrid CLI, or a broken installation; " +
                "please report it with the command line and this trace)");
            ex.printStackTrace(err);
        }
        else {
            err.println("vecgrid: " + (ex instanceof AuthenticationException ? loginMessage() :
                ex instanceof TlsException ? tlsMessage((TlsException)ex) : message(ex)));
        }
        return code;
    }

    /** @return the exit code for an exception a command threw. */
    static int exitCode(Throwable ex) {
        if (ex instanceof AuthenticationException || ex instanceof TlsException)
            return EXIT_AUTH;
        if (ex instanceof BadInputException || ex instanceof InvalidRequestException ||
            ex instanceof CollectionNotFoundException || ex instanceof CollectionExistsException ||
            ex instanceof IOException || ex instanceof UncheckedIOException)
            return EXIT_BAD_INPUT;
        if (ex instanceof VecgridException)
            return EXIT_UNAVAILABLE;
        return EXIT_INTERNAL;
    }

    private static String message(Throwable ex) {
        if (ex instanceof ClusterUnavailableException)
            return "cluster unavailable: " + ex.getMessage();
        if (ex instanceof IOException || ex instanceof UncheckedIOException)
            return "cannot read or write a file: " + ex.getMessage();
        return ex.getMessage();
    }

    /**
     * The CLI's own words for a refused login: the client's message tells a Java caller about its builder, a CLI
     * user wants the options and variables.
     */
    private String loginMessage() {
        String how = "pass them with --user and --password, or set " + ENV_USER + " and " + ENV_PASSWORD;
        if (loginUser == null)
            return "authentication failed: the cluster at " + hosts() + " requires a user name and password and none " +
                "was given; " + how;
        return "authentication failed for user '" + loginUser + "' at " + hosts() + ": the cluster rejected the user " +
            "name or password" + (loginPassword ? "" : " (no password was given)") + "; " + how;
    }

    /**
     * The CLI's words for a failed TLS handshake: the client's message tells a Java caller about its builder, a CLI
     * user wants the options and variables.
     */
    private String tlsMessage(TlsException ex) {
        String how = "pass the cluster's trust store with --ssl-truststore and --ssl-truststore-password and, if it " +
            "wants client certificates, a key store with --ssl-keystore and --ssl-keystore-password (or set " +
            ENV_SSL_TRUSTSTORE + ", " + ENV_SSL_KEYSTORE + " and their _PASSWORD variables, or use --client-config)";
        Setting ts = setting(sslTrustStore, "--ssl-truststore", VecgridClient.CONFIG_TRUSTSTORE, ENV_SSL_TRUSTSTORE);
        Setting ks = setting(sslKeyStore, "--ssl-keystore", VecgridClient.CONFIG_KEYSTORE, ENV_SSL_KEYSTORE);
        switch (ex.reason()) {
            case TLS_REQUIRED:
                return "TLS required: the cluster at " + hosts() + " accepts only TLS connections and none was " +
                    "configured; " + how;
            case SERVER_NOT_TRUSTED:
                return "TLS handshake failed: the certificate of the node at " + hosts() + " is not signed by a CA " +
                    "in " +
                    (ts == null ? "the JDK's default trust store (no --ssl-truststore was given)" :
                        "the trust store " + ts.value + " (" + ts.source + ")") + "; " + how;
            case CLIENT_CERTIFICATE_REFUSED:
                return "TLS handshake failed: the cluster at " + hosts() + " wants a client certificate signed by " +
                    "its CA and refused " + (ks == null ?
                    "the CLI's connection without one (no --ssl-keystore was given)" :
                    "the certificate of the key store " + ks.value + " (" + ks.source + ")") + "; " + how;
            case SERVER_WITHOUT_TLS:
                return "TLS handshake failed: the node at " + hosts() + " does not use TLS; connect without " +
                    "--ssl-truststore and --ssl-keystore (and without " + ENV_SSL_TRUSTSTORE + " and " +
                    ENV_SSL_KEYSTORE + ")";
            default:
                return ex.getMessage();
        }
    }

    /** A setting's value and where it came from (an option, the client properties file, a variable). */
    private record Setting(String value, String source) {
    }

    /**
     * @return the option if given, else the client properties file's {@code key}, else the environment variable
     *     {@code var}; {@code null} when none is set (empty counts as not set).
     */
    private Setting setting(String option, String optionName, String key, String var) {
        if (option != null && !option.isEmpty())
            return new Setting(option, optionName);
        Map<String, String> file = fileConfig();
        if (file.containsKey(key))
            return new Setting(file.get(key), key + " in " + fileSource);
        String v = env.get(var);
        return v == null || v.isEmpty() ? null : new Setting(v, var);
    }

    /** @return the values of the client properties file, empty when there is none. */
    private Map<String, String> fileConfig() {
        if (fileConfig == null) {
            String file = clientConfig != null && !clientConfig.isEmpty() ? clientConfig : env.get(ENV_CLIENT_CONFIG);
            String from = clientConfig != null && !clientConfig.isEmpty() ? "--client-config" : ENV_CLIENT_CONFIG;
            if (file == null || file.isBlank())
                fileConfig = Map.of();
            else {
                fileSource = file.trim();
                fileConfig = VecgridClient.readClientConfig(Path.of(fileSource), from);
            }
        }
        return fileConfig;
    }

    /** @return a credential: the option, the client properties file, the environment; empty counts as not set. */
    private String credential(String option, String key, String var) {
        Setting s = setting(option, "", key, var);
        return s == null ? null : s.value;
    }

    /**
     * @return the addresses: {@code --host}, else the client properties file's, else {@link #ENV_HOST} (if not
     *     blank), else the default.
     */
    String hosts() {
        if (host != null)
            return host;
        Setting s = setting(null, "--host", VecgridClient.CONFIG_HOST, ENV_HOST);
        return s == null || s.value.isBlank() ? VecgridClient.DFLT_ADDRESSES : s.value.trim();
    }

    /** @return a client connected to {@link #hosts()}, logged in when there are credentials; the caller closes it. */
    VecgridClient connect() {
        String u = credential(user, VecgridClient.CONFIG_USER, ENV_USER);
        String p = credential(password, VecgridClient.CONFIG_PASSWORD, ENV_PASSWORD);
        Setting h = setting(host, "--host", VecgridClient.CONFIG_HOST, ENV_HOST);
        String from = h != null && !h.value.isBlank() ? h.source : "the default address";
        VecgridClient.Builder b = VecgridClient.builder().addresses(addresses(hosts(), from));
        Setting ks = setting(sslKeyStore, "--ssl-keystore", VecgridClient.CONFIG_KEYSTORE, ENV_SSL_KEYSTORE);
        Setting ksp = setting(sslKeyStorePassword, "--ssl-keystore-password", VecgridClient.CONFIG_KEYSTORE_PASSWORD,
            ENV_SSL_KEYSTORE_PASSWORD);
        Setting ts = setting(sslTrustStore, "--ssl-truststore", VecgridClient.CONFIG_TRUSTSTORE, ENV_SSL_TRUSTSTORE);
        Setting tsp = setting(sslTrustStorePassword, "--ssl-truststore-password",
            VecgridClient.CONFIG_TRUSTSTORE_PASSWORD, ENV_SSL_TRUSTSTORE_PASSWORD);
        // A password variable alone (set for the stores of another cluster) turns nothing on; a password option or
        // file entry without its store is a mistake worth naming; a store without a password is refused below.
        if (ks == null && ksp != null && !ksp.source.equals(ENV_SSL_KEYSTORE_PASSWORD))
            throw new BadInputException(ksp.source + " is set but no key store: pass --ssl-keystore");
        if (ts == null && tsp != null && !tsp.source.equals(ENV_SSL_TRUSTSTORE_PASSWORD))
            throw new BadInputException(tsp.source + " is set but no trust store: pass --ssl-truststore");
        if (ks != null) {
            b.keyStore(ks.value, ksp == null ? null : ksp.value, ks.source,
                ksp == null ? "--ssl-keystore-password (or " + ENV_SSL_KEYSTORE_PASSWORD + ")" : ksp.source);
        }
        if (ts != null) {
            b.trustStore(ts.value, tsp == null ? null : tsp.value, ts.source,
                tsp == null ? "--ssl-truststore-password (or " + ENV_SSL_TRUSTSTORE_PASSWORD + ")" : tsp.source);
        }
        if (u != null)
            b.credentials(u, p);
        else if (p != null) {
            // Ignite drops a password without a user name silently; the login would fail for no visible reason.
            throw new BadInputException("a password is set (--password or " + ENV_PASSWORD + ") but no user name: " +
                "pass --user or set " + ENV_USER);
        }
        loginUser = u;
        loginPassword = p != null;
        ClientConfiguration cfg = b.configuration()
            // The thin client reports every address that refuses a connection; the CLI reports the outcome.
            .setLogger(new NullLogger());
        // One command, one short-lived client: no standby connection to a second node.
        return VecgridClient.connect(cfg, false);
    }

    /**
     * Parses addresses.
     *
     * @param from where they came from, for messages: {@code --host} or {@link #ENV_HOST}.
     * @throws BadInputException naming the bad entry.
     */
    static String[] addresses(String host, String from) {
        List<String> res = new ArrayList<>();
        for (String part : host.split(",")) {
            String a = part.trim();
            Matcher m = ADDRESS.matcher(a);
            if (!m.matches()) {
                throw new BadInputException(from + ": bad address '" + a + "'; expected HOST:PORT or HOST:PORT..PORT, " +
                    "comma-separated");
            }
            if (m.group(2) != null) {
                int low = Integer.parseInt(m.group(2));
                int high = m.group(3) == null ? low : Integer.parseInt(m.group(3));
                if (low < 1 || high > 65535 || high < low)
                    throw new BadInputException(from + ": bad port range in '" + a + "'; ports are 1..65535, low..high");
            }
            res.add(a);
        }
        return res.toArray(new String[0]);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code doc} as one JSON document. */
    void printJson(Object doc) {
        out().println(Json.write(doc));
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
        description = "Seal every growing row of a collection into sealed segments now.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid flush docs"})
    int flush(@Parameters(paramLabel = "NAME", description = "Collection.") String name) {
        try (VecgridClient c = connect()) {
            c.flush(name);
        }
        out().println("flushed '" + name + "'");
        return EXIT_OK;
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
        description = {"Drop a collection with its rows and segments.",
            "Asks for confirmation on a terminal; without one (a script, a pipe) it refuses unless --yes is given."},
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid drop docs          # asks: Drop collection 'docs' with its ...? [y/N]",
            "  vecgrid drop docs --yes    # in a script: no question"})
    int drop(@Parameters(paramLabel = "NAME", description = "Collection.") String name,
        @Option(names = {"--yes", "-y"}, description = "Drop without asking.") boolean yes) {
        if (!yes && terminal == null) {
            throw new BadInputException("drop: refusing to drop collection '" + name + "' without confirmation: " +
                "standard input is not a terminal to ask on; pass --yes to drop it");
        }
        try (VecgridClient c = connect()) {
            if (!yes) {
                CollectionDescription d = c.describeCollection(name);
                String answer = terminal.ask("Drop collection '" + name + "' with its " + d.rowCount() + " row(s) and " +
                    d.segmentCount() + " sealed segment(s)? This cannot be undone. [y/N] ");
                String a = answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT);
                if (!a.equals("y") && !a.equals("yes"))
                    throw new BadInputException("drop of collection '" + name + "' not confirmed: nothing was dropped");
            }
            c.dropCollection(name);
        }
        out().println("dropped '" + name + "'");
        return EXIT_OK;
    }

    @Command(name = "count", mixinStandardHelpOptions = true,
        description = "Number of live rows of a collection (growing and sealed).",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid count docs           # prints the number alone, e.g. 60000",
            "  vecgrid count docs --json    # {\"collection\": \"docs\", \"count\": 60000}"})
    int count(@Parameters(paramLabel = "NAME", description = "Collection.") String name,
        @Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        long n;
        try (VecgridClient c = connect()) {
            n = c.count(name);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("collection", name);
            doc.put("count", n);
            printJson(doc);
        }
        else
            out().println(n);
        return EXIT_OK;
    }

    @Command(name = "set-replicas", mixinStandardHelpOptions = true,
        description = {"Change the number of in-memory replicas of a collection while it serves.",
            "New copies are built beside the old ones, the collection switches to them at once, then the old ones are "
                + "dropped; returns when the change is done."},
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid set-replicas docs 2",
            "  vecgrid set-replicas docs 1 --json"})
    int setReplicas(@Parameters(index = "0", paramLabel = "NAME", description = "Collection.") String name,
        @Parameters(index = "1", paramLabel = "N", description = "Replicas: 1 to the number of server nodes.") int n,
        @Option(names = "--json", description = "The collection after the change, as 'describe --json' prints it.")
        boolean json) {
        if (n < 1)
            throw new BadInputException("set-replicas: N must be at least 1, got " + n);
        try (VecgridClient c = connect()) {
            int before = c.describeCollection(name).replicaNumber();
            CollectionDescription d = c.setReplicaNumber(name, n);
            if (json)
                printJson(Views.describe(d));
            else
                out().println("'" + name + "' has " + d.replicaNumber() + " replica(s) (was " + before + ")");
        }
        return EXIT_OK;
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Schema, row count, segment count, replica number of a collection.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid describe docs", "  vecgrid describe docs --json"})
    int describe(@Parameters(paramLabel = "NAME", description = "Collection.") String name,
        @Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            var d = c.describeCollection(name);
            out().print(json ? Json.write(Views.describe(d)) + "\n" : Views.describeText(d));
        }
        return EXIT_OK;
    }

    @Command(name = "replicas", mixinStandardHelpOptions = true,
        description = "Replica groups of a collection: nodes, shard leaders, segments per node.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid replicas docs", "  vecgrid replicas docs --json"})
    int replicas(@Parameters(paramLabel = "NAME", description = "Collection.") String name,
        @Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            var r = c.replicas(name);
            out().print(json ? Json.write(Views.replicas(r)) + "\n" : Views.replicasText(r));
        }
        return EXIT_OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Names of all collections.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid list", "  vecgrid list --json          # {\"collections\": [\"docs\", \"fmnist\"]}"})
    int list(@Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            List<String> names = c.listCollections();
            if (json)
                printJson(Views.list(names));
            else
                names.forEach(out()::println);
        }
        return EXIT_OK;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Server nodes and every collection's state.",
        footerHeading = "%nExamples:%n",
        footer = {"  vecgrid status", "  vecgrid --host 10.0.0.5:10800..10809 status --json"})
    int status(@Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            var st = c.status();
            out().print(json ? Json.write(Views.status(st)) + "\n" : Views.statusText(st));
        }
        return EXIT_OK;
    }

    /** Version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = VecgridCli.class.getPackage().getImplementationVersion();
            return new String[] {"vecgrid " + (v == null ? "(development build)" : v)};
        }
    }
}
