package io.vecgrid.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One run of the CLI in this JVM, as the tests drive it ({@link VecgridCli#run}, the code {@code main} runs): its exit
 * code and what it wrote to standard output and error. Immutable.
 */
public final class CliRun {
    public final int code;
    public final String out;
    public final String err;

    private CliRun(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code args} as they are.
     *
     * @param env the environment the CLI sees (its {@code VECGRID_*} variables).
     * @param terminalInput what a person types at the terminal, or {@code null}: no terminal (a script or a pipe).
     */
    public static CliRun withTerminal(Map<String, String> env, String terminalInput, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter errW = new PrintWriter(err, true);
        int code = terminalInput == null ?
            VecgridCli.run(new PrintWriter(out, true), errW, env, args) :
            VecgridCli.run(new PrintWriter(out, true), errW, env,
                Terminal.of(new BufferedReader(new StringReader(terminalInput)), errW), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs {@code args} as they are, with environment {@code env} and no terminal. */
    public static CliRun run(Map<String, String> env, String... args) {
        return withTerminal(env, null, args);
    }

    /** Runs {@code vecgrid --host HOSTS args...} with an empty environment and no terminal. */
    public static CliRun onHosts(String hosts, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--host";
        all[1] = hosts;
        System.arraycopy(args, 0, all, 2, args.length);
        return withTerminal(Map.of(), null, all);
    }

    /** Runs {@code vecgrid --host HOSTS args...} and expects exit code 0. */
    public static CliRun ok(String hosts, String... args) {
        CliRun r = onHosts(hosts, args);
        assertEquals(0, r.code, () -> String.join(" ", args) + " → " + r);
        return r;
    }

    /** Runs {@code vecgrid --host HOSTS args...} and expects exit code {@code code} with {@code msg} in the errors. */
    public static CliRun fails(String hosts, int code, String msg, String... args) {
        CliRun r = onHosts(hosts, args);
        assertEquals(code, r.code, () -> String.join(" ", args) + " → " + r);
        assertTrue(r.err.contains(msg), () -> "expected '" + msg + "' in: " + r);
        return r;
    }

    /** @return the standard output parsed as one JSON document. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> json() {
        return (Map<String, Object>)Json.parse(out);
    }

    public int code() {
        return code;
    }

    public String out() {
        return out;
    }

    public String err() {
        return err;
    }

    @Override public String toString() {
        return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
