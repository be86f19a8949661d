package io.vecgrid.distribution;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the distribution's tests share: unpacking the archive, running a command and reading its output. */
final class DistProcesses {
    private DistProcesses() {
    }

    /** The archive `mvn package` built (failsafe passes its path). */
    static Path archive() {
        Path a = Path.of(System.getProperty("vecgrid.dist.archive", "target/vecgrid-bin.tar.gz"));
        assertTrue(Files.isRegularFile(a), "no distribution archive at " + a + ": run mvn package first");
        return a;
    }

    /**
     * Unpacks the archive with {@code tar} into {@code dir} (outside the source tree).
     *
     * @return the distribution's home, {@code dir/vecgrid-VERSION}.
     */
    static Path unpack(Path dir) throws Exception {
        Result r = run(dir, Map.of(), 120, "tar", "-xzf", archive().toString(), "-C", dir.toString());
        assertTrue(r.code == 0, "tar failed: " + r);
        Path home = dir.resolve("vecgrid-" + System.getProperty("vecgrid.dist.version"));
        assertTrue(Files.isDirectory(home.resolve("bin")) && Files.isDirectory(home.resolve("libs")),
            "no bin/ and libs/ in " + home);
        return home;
    }

    /** A command's exit code and output (stdout and stderr together). */
    static final class Result {
        final int code;
        final String out;

        Result(int code, String out) {
            this.code = code;
            this.out = out;
        }

        @Override public String toString() {
            return "exit " + code + ":\n" + out;
        }
    }

    /** Runs {@code cmd} in {@code cwd} with {@code env} added, waits at most {@code timeoutSec}. */
    static Result run(Path cwd, Map<String, String> env, long timeoutSec, String... cmd) throws Exception {
        File out = File.createTempFile("vecgrid-dist-cmd", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(out).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in " + timeoutSec + " s:\n" + Files.readString(out.toPath()));
            }
            return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
        }
        finally {
            out.delete();
        }
    }

    /** Removes {@code dir} and everything in it. */
    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir))
            return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all)
            Files.deleteIfExists(p);
    }
}
