package io.vecgrid.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cluster benchmark's server nodes: separate JVM processes, each started by {@code scripts/start-node.sh} from the
 * shipped {@code config/default-config.xml} (native persistence) on ports of this run's own (so it never joins a
 * developer's cluster or a CI run) and with a work directory of its own under the run's directory, so that a node
 * started again finds its data. Also the throttle that makes one node slow.
 *
 * <p>Every process started is listed in {@code <work>/pids} ("pid name" per line) before anything waits on it, so that
 * {@code scripts/cluster-benchmark.sh} can end them even if this JVM dies; {@link #close()} and a shutdown hook end
 * them too (the throttle first, then SIGCONT, for a node left stopped, then SIGKILL).
 */
final class ClusterNodes implements AutoCloseable {
    private final Path repo;
    private final Path work;
    private final int ports;
    private final String prefix;
    private final String jvmOpts;
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();
    private Process throttle;
    private long throttled;
    private final Thread killer = new Thread(this::killAll, "kill-cluster-bench-processes");

    /**
     * @param expectedNodes servers a new cluster waits for before it activates itself (all of them: the first
     *      baseline holds every node and nothing moves right after).
     */
    ClusterNodes(Path repo, Path work, int expectedNodes) throws IOException {
        this.repo = repo;
        this.work = work;
        this.ports = freePortBase();
        this.prefix = "cb" + ports + "-";
        Files.createDirectories(work.resolve("nodes"));
        String heap = env("CB_NODE_JVM_OPTS", "-Xms512m -Xmx2g");
        jvmOpts = heap + " -Dvecgrid.discovery.port=" + ports + " -Dvecgrid.discovery.addresses=" + discoveryAddresses() +
            " -Dvecgrid.communication.port=" + (ports + 20) + " -Dvecgrid.client.port=" + (ports + 60) +
            " -Dvecgrid.expected.nodes=" + expectedNodes;
        Runtime.getRuntime().addShutdownHook(killer);
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    /** A free range: discovery from {@code base}, communication from {@code base + 20}, thin clients from {@code + 60}. */
    private static int freePortBase() {
        for (int i = 0; i < 200; i++) {
            int base = 20000 + ThreadLocalRandom.current().nextInt(1900) * 20;
            if (base + 80 > 47100 && base < 48200 || base + 80 > 10800 && base < 10900)
                continue;
            boolean free = true;
            for (int p = base; p < base + 80 && free; p++)
                free = free(p);
            if (free)
                return base;
        }
        throw new IllegalStateException("no free range of 80 ports found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    int discoveryPort() {
        return ports;
    }

    String discoveryAddresses() {
        return "127.0.0.1:" + ports + ".." + (ports + 9);
    }

    /** @return every node's thin-client address (each binds the first free port of the range). */
    String clientAddresses() {
        return "127.0.0.1:" + (ports + 60) + ".." + (ports + 69);
    }

    /** @return the node name of node {@code i} (1-based): also its log file name and its {@code vecgrid.node.name}. */
    String name(int i) {
        return prefix + "node" + i;
    }

    /** Starts a node (again: same work directory). Does not wait for it. */
    synchronized Process start(String name) throws IOException {
        Process old = running.get(name);
        if (old != null && old.isAlive())
            throw new IllegalStateException("node " + name + " is running");
        int k = starts.merge(name, 1, Integer::sum);
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("scripts/start-node.sh").toString(),
            repo.resolve("config/default-config.xml").toString(), name);
        pb.environment().put("VECGRID_JVM_OPTS", jvmOpts);
        pb.environment().put("VECGRID_WORK_DIR", work.resolve("nodes").resolve(name).toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(output(name, k).toFile());
        Process p = pb.start();
        running.put(name, p);
        recordPid(p.pid(), name);
        return p;
    }

    private void recordPid(long pid, String what) throws IOException {
        Files.writeString(work.resolve("pids"), pid + " " + what + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    }

    private Path output(String name, int k) {
        return work.resolve(name + "-" + k + ".out");
    }

    /** @return the console output (vecgrid's and Ignite's log at INFO) of the node's latest start. */
    synchronized Path output(String name) {
        return output(name, starts.getOrDefault(name, 1));
    }

    /** @return whether the node's latest start logged a line containing {@code text}. */
    boolean logged(String name, String text) {
        try {
            for (String l : Files.readAllLines(output(name), StandardCharsets.UTF_8)) {
                if (l.contains(text))
                    return true;
            }
        }
        catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Waits until the node's latest start logged {@code text}; fails if the process exits first. */
    void awaitLogged(String name, String text, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!logged(name, text)) {
            Process p = process(name);
            if (!p.isAlive())
                throw new IllegalStateException("node " + name + " exited (code " + p.exitValue() + ") before logging '" + text
                    + "'; see " + output(name));
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("node " + name + " did not log '" + text + "' within " + timeoutMs + " ms; see " + output(name));
            Thread.sleep(100);
        }
    }

    synchronized Process process(String name) {
        Process p = running.get(name);
        if (p == null)
            throw new IllegalArgumentException("node " + name + " is not running");
        return p;
    }

    synchronized List<String> running() {
        return new ArrayList<>(running.keySet());
    }

    long pid(String name) {
        return process(name).pid();
    }

    /** Clock ticks per second of /proc/PID/stat times (getconf CLK_TCK; 100 on Linux). */
    private static final double CLK_TCK = clockTicks();

    private static double clockTicks() {
        try {
            return Double.parseDouble(run("getconf", "CLK_TCK").trim());
        }
        catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    /**
     * @return CPU time (user + system) the running nodes' processes used so far, seconds, from /proc/PID/stat; with
     *      the benchmark's own, it tells what a search costs in CPU whatever else the shared machine runs.
     */
    double cpuSeconds() {
        double sum = 0;
        for (String name : running()) {
            try {
                sum += statCpuSeconds(Path.of("/proc", Long.toString(pid(name)), "stat"));
            }
            catch (IOException | RuntimeException e) {
                // A node that just exited: its time is gone with it.
            }
        }
        return sum;
    }

    /** @return user + system CPU time in a /proc stat file (a process's or a thread's), seconds. */
    private static double statCpuSeconds(Path stat) throws IOException {
        String st = Files.readString(stat);
        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ": state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
    }

    /**
     * @return CPU time the node processes' JIT compiler threads used so far, seconds (part of {@link #cpuSeconds()}).
     */
    double jitCpuSeconds() {
        double sum = 0;
        for (String name : running()) {
            try {
                sum += jitCpuSeconds(pid(name));
            }
            catch (RuntimeException e) {
                // A node that just exited.
            }
        }
        return sum;
    }

    /**
     * @return CPU time (user + system) the JIT compiler threads of process {@code pid} used so far, seconds: the threads
     *     HotSpot names "C1 CompilerThread" and "C2 CompilerThread" (truncated to 15 characters in /proc).
     */
    static double jitCpuSeconds(long pid) {
        double sum = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>)tasks::iterator) {
                try {
                    if (!Files.readString(t.resolve("comm")).matches("C[12] Compiler.*\\s*"))
                        continue;
                    sum += statCpuSeconds(t.resolve("stat"));
                }
                catch (IOException | RuntimeException e) {
                    // A compiler thread that just ended (HotSpot adds and removes them with the load).
                }
            }
        }
        catch (IOException e) {
            return 0;
        }
        return sum;
    }

    /** Sends a signal by name ({@code STOP}, {@code CONT}) to the node's JVM (start-node.sh execs it: same pid). */
    void signal(String name, String sig) throws IOException, InterruptedException {
        run("kill", "-" + sig, Long.toString(pid(name)));
        if (sig.equals("STOP"))
            stopped.add(name);
        else if (sig.equals("CONT"))
            stopped.remove(name);
    }

    /** Nodes stopped by {@link #signal} with SIGSTOP and not resumed: a thread dump of them would wait until resumed. */
    private final java.util.Set<String> stopped = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** SIGTERM (a graceful stop: the node drains first) and waits until the process exited. */
    void sigterm(String name, long timeoutMs) throws InterruptedException {
        Process p = process(name);
        p.destroy();
        if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            forget(name);
            throw new IllegalStateException("node " + name + " did not exit within " + timeoutMs + " ms of SIGTERM (killed)");
        }
        forget(name);
    }

    /** SIGKILL ({@code kill -9}) and waits until the process is gone. */
    void kill9(String name) throws InterruptedException {
        Process p = process(name);
        p.destroyForcibly();
        p.waitFor();
        forget(name);
    }

    private synchronized void forget(String name) {
        running.remove(name);
    }

    /**
     * Makes a node slow without spending CPU on it: a shell loop stops it (SIGSTOP) for {@code stopMs} of every
     * {@code stopMs + runMs}, as CFS bandwidth control throttles a container that used its CPU quota for the period.
     * The node keeps its place in the topology (the pauses are far below failure detection); work sent to it waits up
     * to {@code stopMs} and runs at a share {@code runMs / (stopMs + runMs)} of its speed. {@link #stopThrottle()} (and
     * {@link #close()}) end the loop and send SIGCONT.
     */
    synchronized void startThrottle(String name, int stopMs, int runMs) throws IOException {
        if (throttle != null)
            throw new IllegalStateException("a node is throttled already");
        long pid = pid(name);
        String loop = "trap 'kill -CONT " + pid + "; exit 0' TERM INT; " +
            "while kill -STOP " + pid + "; do sleep " + seconds(stopMs) + "; kill -CONT " + pid + " || exit 0; sleep " +
            seconds(runMs) + "; done";
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", loop).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // Names this run's directory, so that scripts/cluster-benchmark.sh ends it if this JVM dies.
        pb.environment().put("CB_RUN_DIR", work.toString() + "/");
        throttle = pb.start();
        throttled = pid;
        recordPid(throttle.pid(), "throttle");
    }

    private static String seconds(int ms) {
        return String.format(java.util.Locale.ROOT, "%.3f", ms / 1000.0);
    }

    /** Ends the throttle loop and resumes its node. */
    synchronized void stopThrottle() throws IOException, InterruptedException {
        if (throttle == null)
            return;
        throttle.destroy();
        if (!throttle.waitFor(5, TimeUnit.SECONDS))
            throttle.destroyForcibly().waitFor();
        throttle = null;
        // Whatever the loop was doing when it ended, the node runs on.
        run("kill", "-CONT", Long.toString(throttled));
    }

    /**
     * Writes a thread dump of every running node ({@code jcmd PID Thread.print}, the JDK's own tool next to this JVM's
     * java) to {@code <work>/<prefix>-<node>.threads.txt}.
     *
     * @return the files written.
     */
    List<Path> threadDumps(String prefix) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<Path> res = new ArrayList<>();
        for (String name : running()) {
            if (stopped.contains(name))
                continue;
            Path out = work.resolve(prefix + "-" + name + ".threads.txt");
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid(name)), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(30, TimeUnit.SECONDS))
                    p.destroyForcibly();
                res.add(out);
            }
            catch (IOException | RuntimeException e) {
                // A node that just left: nothing to dump.
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return res;
    }

    /**
     * Sends async-profiler (its agent library, {@code lib}) a command in every running node and in this JVM, attached
     * through {@code jcmd PID JVMTI.agent_load}: {@code start,...} begins sampling, {@code stop,file=...} writes what it
     * sampled. For finding where a measured window's CPU goes (CPU-time sampling, {@code event=itimer}, counts what
     * threads run, unlike JFR's execution samples, which also count threads waiting for a core).
     *
     * @param command the agent's options; {@code %p} is replaced by the process's name ({@code bench} for this JVM).
     */
    void profilerCommand(Path lib, String command) {
        Map<String, Long> pids = new java.util.TreeMap<>();
        for (String name : running()) {
            if (!stopped.contains(name))
                pids.put(name, pid(name));
        }
        pids.put("bench", ProcessHandle.current().pid());
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            Path jcmd = ProcessHandle.of(e.getValue()).flatMap(h -> h.info().command())
                .map(c -> Path.of(c).resolveSibling("jcmd")).filter(java.nio.file.Files::isExecutable)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
            try {
                run(jcmd.toString(), Long.toString(e.getValue()), "JVMTI.agent_load", lib.toAbsolutePath().toString(),
                    // Quoted: jcmd would take the options' "name=value" parts for options of its own.
                    '"' + command.replace("%p", e.getKey()) + '"');
            }
            catch (IOException | RuntimeException ex) {
                System.err.println("profiler command for " + e.getKey() + " failed: " + ex.getMessage());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0)
            throw new IOException(String.join(" ", cmd) + " failed (exit " + rc + "): " + out.trim());
        return out;
    }

    @Override public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        catch (IllegalStateException ignored) {
            // The JVM is exiting.
        }
    }

    private void killAll() {
        List<Process> ps;
        Process t;
        synchronized (this) {
            ps = new ArrayList<>(running.values());
            running.clear();
            t = throttle;
            throttle = null;
        }
        if (t != null) {
            t.destroyForcibly();
            try {
                t.waitFor(5, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Process p : ps) {
            try {
                if (p.isAlive())
                    new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
            }
            catch (IOException | InterruptedException ignored) {
                // SIGKILL below ends it anyway.
            }
            p.destroyForcibly();
        }
        for (Process p : ps) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
