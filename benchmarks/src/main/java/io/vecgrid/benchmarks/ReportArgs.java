package io.vecgrid.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a report writer ({@link ReportWriter}, {@link LayoutReport}, {@link ClusterReport}): options
 * given as {@code --name value}, each known name once, plus {@code --meta key=value} repeated (figures about the run,
 * printed in the report). Immutable.
 */
final class ReportArgs {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> meta = new LinkedHashMap<>();

    /**
     * @param known the option names this writer takes (besides {@code --meta}).
     * @param usage the writer's usage line, for the error when a required option is missing.
     * @param required the options that must be given.
     */
    ReportArgs(String[] args, Set<String> known, String usage, String... required) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--meta")) {
                String kv = args[i + 1];
                int eq = kv.indexOf('=');
                meta.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            else if (known.contains(args[i]))
                values.put(args[i], args[i + 1]);
            else
                throw new IllegalArgumentException("unknown option " + args[i]);
        }
        for (String r : required) {
            if (!values.containsKey(r))
                throw new IllegalArgumentException("usage: " + usage);
        }
    }

    /** @return the option's value, or {@code null}. */
    String get(String name) {
        return values.get(name);
    }

    /** @return the option's value as a path, or {@code null}. */
    Path path(String name) {
        String v = values.get(name);
        return v == null ? null : Paths.get(v);
    }

    /** @return the text of the file the option names, or {@code null} when not given or not a file. */
    String fileText(String name) throws IOException {
        Path p = path(name);
        return p != null && Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
    }

    /** @return the {@code --meta} pairs in the order given. */
    Map<String, String> meta() {
        return meta;
    }
}
