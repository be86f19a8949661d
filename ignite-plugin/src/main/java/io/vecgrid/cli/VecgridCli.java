package io.vecgrid.cli;

import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.client.ClusterUnavailableException;
import io.vecgrid.client.VecgridClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.apache.ignite.logger.NullLogger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code vecgrid} command line, over the Java thin client ({@link VecgridClient}). Run it with
 * {@code scripts/vecgrid}; every command is documented in docs/clients.md.
 *
 * <p>Exit codes: {@value #EXIT_OK} success; {@value #EXIT_BAD_INPUT} bad input (a wrong option or value, an unknown
 * or existing collection, a bad line in an import file; the message names the field, line or collection);
 * {@value #EXIT_UNAVAILABLE} the cluster is unavailable or could not serve the request (no node answers, a segment
 * has no serviceable copy, a timeout).
 */
@Command(name = "vecgrid", mixinStandardHelpOptions = true, versionProvider = VecgridCli.Version.class,
    description = "vecgrid: Milvus-style vector collections with in-memory replicas on Apache Ignite.",
    subcommands = {CreateCommand.class, ImportCommand.class, SearchCommand.class, BackupCommand.class,
        CommandLine.HelpCommand.class},
    usageHelpAutoWidth = true)
public final class VecgridCli {
    public static final int EXIT_OK = 0;
    public static final int EXIT_BAD_INPUT = 1;
    public static final int EXIT_UNAVAILABLE = 2;

    private static final Pattern ADDRESS = Pattern.compile("([^\\s:,]+)(?::(\\d{1,5})(?:\\.\\.(\\d{1,5}))?)?");

    @Spec
    CommandSpec spec;

    @Option(names = "--host", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
        description = "Thin-client addresses of vecgrid nodes: a comma-separated list of HOST:PORT or HOST:PORT..PORT "
            + "(default: ${DEFAULT-VALUE}). Any live node serves every command.")
    String host = VecgridClient.DFLT_ADDRESSES;

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
        CommandLine cl = new CommandLine(new VecgridCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("vecgrid: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("vecgrid: " + message(ex));
            return exitCode(ex);
        });
        try {
            return cl.execute(args);
        }
        finally {
            out.flush();
            err.flush();
        }
    }

    /** @return the exit code for an exception a command threw. */
    static int exitCode(Throwable ex) {
        if (ex instanceof BadInputException || ex instanceof InvalidRequestException ||
            ex instanceof CollectionNotFoundException || ex instanceof CollectionExistsException ||
            ex instanceof IOException || ex instanceof UncheckedIOException)
            return EXIT_BAD_INPUT;
        return EXIT_UNAVAILABLE;
    }

    private static String message(Throwable ex) {
        if (ex instanceof ClusterUnavailableException)
            return "cluster unavailable: " + ex.getMessage();
        if (ex instanceof BadInputException || ex instanceof VecgridException)
            return ex.getMessage();
        if (ex instanceof IOException || ex instanceof UncheckedIOException)
            return "cannot read or write a file: " + ex.getMessage();
        return "unexpected error: " + ex;
    }

    /** @return a client connected to {@code --host}; the caller closes it. */
    VecgridClient connect() {
        ClientConfiguration cfg = new ClientConfiguration()
            .setAddresses(addresses(host))
            .setPartitionAwarenessEnabled(false)
            .setTimeout(10_000)
            // The thin client reports every address that refuses a connection; the CLI reports the outcome.
            .setLogger(new NullLogger());
        return VecgridClient.connect(cfg);
    }

    /** Parses {@code --host}. @throws BadInputException naming the bad entry. */
    static String[] addresses(String host) {
        List<String> res = new ArrayList<>();
        for (String part : host.split(",")) {
            String a = part.trim();
            Matcher m = ADDRESS.matcher(a);
            if (!m.matches()) {
                throw new BadInputException("--host: bad address '" + a + "'; expected HOST:PORT or HOST:PORT..PORT, " +
                    "comma-separated");
            }
            if (m.group(2) != null) {
                int from = Integer.parseInt(m.group(2));
                int to = m.group(3) == null ? from : Integer.parseInt(m.group(3));
                if (from < 1 || to > 65535 || to < from)
                    throw new BadInputException("--host: bad port range in '" + a + "'; ports are 1..65535, low..high");
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

    @Command(name = "flush", mixinStandardHelpOptions = true,
        description = "Seal every growing row of a collection into sealed segments now.")
    int flush(@Parameters(paramLabel = "NAME", description = "Collection.") String name) {
        try (VecgridClient c = connect()) {
            c.flush(name);
        }
        out().println("flushed '" + name + "'");
        return EXIT_OK;
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
        description = "Drop a collection with its rows and segments.")
    int drop(@Parameters(paramLabel = "NAME", description = "Collection.") String name) {
        try (VecgridClient c = connect()) {
            c.dropCollection(name);
        }
        out().println("dropped '" + name + "'");
        return EXIT_OK;
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Schema, row count, segment count, replica number of a collection.")
    int describe(@Parameters(paramLabel = "NAME", description = "Collection.") String name,
        @Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            var d = c.describeCollection(name);
            out().print(json ? Json.write(Views.describe(d)) + "\n" : Views.describeText(d));
        }
        return EXIT_OK;
    }

    @Command(name = "replicas", mixinStandardHelpOptions = true,
        description = "Replica groups of a collection: nodes, shard leaders, segments per node.")
    int replicas(@Parameters(paramLabel = "NAME", description = "Collection.") String name,
        @Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            var r = c.replicas(name);
            out().print(json ? Json.write(Views.replicas(r)) + "\n" : Views.replicasText(r));
        }
        return EXIT_OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Names of all collections.")
    int list(@Option(names = "--json", description = "One JSON document with stable field names.") boolean json) {
        try (VecgridClient c = connect()) {
            List<String> names = c.listCollections();
            if (json)
                out().println(Json.write(Views.list(names)));
            else
                names.forEach(out()::println);
        }
        return EXIT_OK;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Server nodes and every collection's state.")
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
