package io.vecgrid.process;

import io.vecgrid.TestCluster;
import io.vecgrid.plugin.VecgridPluginProvider;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.failure.StopNodeFailureHandler;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * vecgrid server nodes as separate JVM processes, each started by {@code scripts/start-node.sh} from the shipped
 * {@code config/default-config.xml} (native persistence) on ports of this test's own and with a work directory of its
 * own under a temporary root, so that a node started again finds its data. Also the thick client the tests join
 * with. {@link #close()} kills every process still running, stops the clients and removes the work directories.
 *
 * <p>Each start of a node writes its console (log4j2 at INFO: vecgrid's and Ignite's log) to a file of its own,
 * {@code target/<name>-<k>.out} for its k-th start, so that a test can read what one run of a node logged.
 */
final class NodeProcesses implements AutoCloseable {
    /** The repository root (failsafe runs in {@code ignite-plugin}). */
    static final File ROOT = new File("..").getAbsoluteFile();

    private static final long STOP_WAIT_SECONDS = 60;

    private final int ports = TestCluster.freePortBase();
    private final String discovery = TestCluster.discoveryAddresses(ports);
    private final String jvmOpts;
    /** The node configuration, relative to the repository root. */
    private final String config;
    /** Environment variables every node gets (e.g. its TLS stores). */
    private final Map<String, String> env;
    private final File work;
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();
    private final Map<String, Long> startedAt = new LinkedHashMap<>();
    private final Map<String, String> nodeOpts = new LinkedHashMap<>();
    private final List<Ignite> clients = new ArrayList<>();
    /** Kills the node processes if this JVM exits without {@link #close()} (a test run interrupted). */
    private final Thread killer = new Thread(this::killAll, "kill-node-processes");

    /**
     * @param extraJvmOpts JVM options added to every node's (after a modest heap and the port overrides), e.g.
     *      {@code -Dvecgrid.baseline.leave.millis=...}.
     */
    NodeProcesses(String workPrefix, String extraJvmOpts) throws IOException {
        this(workPrefix, extraJvmOpts, "config/default-config.xml", Map.of());
    }

    /**
     * @param config the node configuration every node starts from, relative to the repository root.
     * @param env environment variables of every node.
     */
    NodeProcesses(String workPrefix, String extraJvmOpts, String config, Map<String, String> env) throws IOException {
        this.config = config;
        this.env = Map.copyOf(env);
        work = Files.createTempDirectory(workPrefix).toFile();
        jvmOpts = "-Xms256m -Xmx768m -Dvecgrid.discovery.port=" + ports + " -Dvecgrid.discovery.addresses=" + discovery +
            " -Dvecgrid.communication.port=" + (ports + 20) + " -Dvecgrid.client.port=" + (ports + 60) +
            " -Dvecgrid.http.port=" + (ports + 40) + (extraJvmOpts.isEmpty() ? "" : " " + extraJvmOpts);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Pins a node to a replica group (the node attribute {@code vecgrid.replica.group}, which Ignite takes from the
     * system property of that name), on every start from now on.
     */
    synchronized NodeProcesses pin(String name, int group) {
        nodeOpts.put(name, "-Dvecgrid.replica.group=" + group);
        return this;
    }

    /**
     * Starts node {@code name} (its log file name too: use names no other test uses) with its work directory, the
     * same on every start. Does not wait for it to join.
     */
    synchronized Process start(String name) throws IOException {
        if (running.containsKey(name) && running.get(name).isAlive())
            throw new IllegalStateException("node " + name + " is running");
        int k = starts.merge(name, 1, Integer::sum);
        if (k == 1)
            new File(ROOT, "logs/vecgrid-" + name + ".log").delete(); // log4j2 appends: keep only this run's
        ProcessBuilder pb = new ProcessBuilder(new File(ROOT, "scripts/start-node.sh").getPath(),
            new File(ROOT, config).getPath(), name);
        pb.environment().putAll(env);
        pb.environment().put("VECGRID_JVM_OPTS", jvmOpts + (nodeOpts.containsKey(name) ? " " + nodeOpts.get(name) : ""));
        pb.environment().put("VECGRID_WORK_DIR", new File(work, name).getPath());
        pb.redirectErrorStream(true);
        pb.redirectOutput(output(name, k));
        Process p = pb.start();
        running.put(name, p);
        startedAt.put(name, System.nanoTime());
        return p;
    }

    /** @return {@link System#nanoTime()} of the node's latest start. */
    synchronized long startedAtNanos(String name) {
        return startedAt.get(name);
    }

    /** @return the console output of the node's latest start. */
    synchronized File output(String name) {
        return output(name, starts.getOrDefault(name, 1));
    }

    private static File output(String name, int k) {
        return new File(ROOT, "ignite-plugin/target/" + name + "-" + k + ".out");
    }

    /** @return the lines the node's latest start has logged so far. */
    List<String> log(String name) throws IOException {
        return Files.readAllLines(output(name).toPath(), StandardCharsets.UTF_8);
    }

    /** @return whether the node's latest start has logged a line containing {@code text}. */
    boolean logged(String name, String text) {
        try {
            return log(name).stream().anyMatch(l -> l.contains(text));
        }
        catch (IOException e) {
            return false;
        }
    }

    /** @return how many lines containing {@code text} the node's latest start has logged so far. */
    long count(String name, String text) {
        try {
            return log(name).stream().filter(l -> l.contains(text)).count();
        }
        catch (IOException e) {
            return 0;
        }
    }

    /**
     * Waits until each node has finished a checkpoint after this call. Ignite replays a cache group's WAL to a
     * returning node (historical rebalance) only from a checkpoint that covers the group: one taken since the group was
     * created or last rebalanced into the supplier.
     */
    void awaitCheckpoint(List<String> names, long timeoutMs) {
        Map<String, Long> before = new LinkedHashMap<>();
        for (String n : names)
            before.put(n, count(n, "Checkpoint finished"));
        TestCluster.awaitTrue("a checkpoint on " + names, () -> {
            for (String n : names) {
                if (count(n, "Checkpoint finished") <= before.get(n))
                    return false;
            }
            return true;
        }, timeoutMs);
    }

    /** @return the process of a node started and not stopped since. */
    synchronized Process process(String name) {
        Process p = running.get(name);
        if (p == null)
            throw new IllegalArgumentException("node " + name + " is not running");
        return p;
    }

    /** Stops the nodes gracefully: SIGTERM to each at once, then waits until every one exited. */
    void sigterm(String... names) throws InterruptedException {
        List<Process> ps = new ArrayList<>();
        for (String n : names) {
            Process p = process(n);
            p.destroy(); // SIGTERM: Ignite's shutdown hook stops the node
            ps.add(p);
        }
        for (int i = 0; i < ps.size(); i++) {
            if (!ps.get(i).waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                ps.get(i).destroyForcibly().waitFor();
                throw new AssertionError("node " + names[i] + " did not exit within " + STOP_WAIT_SECONDS +
                    " s of SIGTERM (killed)");
            }
        }
        forget(names);
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}) to the node's JVM ({@code scripts/start-node.sh} execs it:
     * the process started is the JVM).
     */
    void signal(String name, String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process(name).pid())).inheritIO().start();
        if (kill.waitFor() != 0)
            throw new IOException("kill -" + sig + " of node " + name + " failed");
    }

    /** Kills the nodes with SIGKILL ({@code kill -9}), every one before waiting for any. */
    void kill(String... names) throws InterruptedException {
        List<Process> ps = new ArrayList<>();
        for (String n : names)
            ps.add(process(n).destroyForcibly());
        for (Process p : ps)
            p.waitFor();
        forget(names);
    }

    private synchronized void forget(String... names) {
        for (String n : names)
            running.remove(n);
    }

    /** @return names of the nodes started and not stopped since, in start order. */
    synchronized List<String> running() {
        return new ArrayList<>(running.keySet());
    }

    /** @return the thin-client addresses of this cluster's nodes (each binds the first free port of the range). */
    String clientAddresses() {
        return "127.0.0.1:" + (ports + 60) + ".." + (ports + 69);
    }

    /**
     * Starts a thick client with the plugin, on this cluster's ports, and waits until {@code servers} server nodes
     * joined and vecgrid serves on it (the cluster is active).
     */
    Ignite startClient(String instanceName, int servers) {
        IgniteConfiguration cfg = TestCluster.onPorts(new IgniteConfiguration(), ports)
            .setIgniteInstanceName(instanceName)
            .setClientMode(true)
            .setWorkDirectory(new File(ROOT, "ignite-plugin/target/ignite-work").getAbsolutePath())
            .setFailureHandler(new StopNodeFailureHandler())
            .setMetricsLogFrequency(0)
            .setPluginProviders(new VecgridPluginProvider());
        ((org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi)cfg.getDiscoverySpi()).setJoinTimeout(120_000);
        Ignite client = Ignition.start(cfg);
        synchronized (this) {
            clients.add(client);
        }
        TestCluster.awaitTrue(servers + " server nodes joined", () ->
            client.cluster().forServers().nodes().size() >= servers, 120_000);
        TestCluster.awaitServing(client);
        return client;
    }

    /**
     * Starts {@code n} nodes named {@code prefix1..prefixN} from the shipped (persistent) config and a thick client
     * {@code prefix-client}, and waits until the cluster activated itself with every node in its baseline.
     *
     * @return the thick client.
     */
    Ignite startCluster(String prefix, int n) throws IOException {
        for (int i = 1; i <= n; i++)
            start(prefix + i);
        Ignite client = startClient(prefix + "-client", n);
        awaitBaseline(client, n);
        return client;
    }

    /** Waits until the baseline holds {@code n} nodes (the shipped config takes joiners in after a quiet second). */
    static void awaitBaseline(Ignite ig, int n) {
        TestCluster.awaitTrue(n + " nodes in the baseline", () -> {
            var blt = ig.cluster().currentBaselineTopology();
            return blt != null && blt.size() == n;
        }, 60_000);
    }

    /** Stops a client started by {@link #startClient}. */
    void stopClient(Ignite client) {
        synchronized (this) {
            clients.remove(client);
        }
        Ignition.stop(client.name(), true);
    }

    /** Stops the clients, kills every node process still running, removes the work directories. */
    @Override public void close() {
        List<Ignite> cs;
        synchronized (this) {
            cs = new ArrayList<>(clients);
            clients.clear();
        }
        for (Ignite c : cs) {
            try {
                Ignition.stop(c.name(), true);
            }
            catch (RuntimeException ignored) {
                // Already stopped.
            }
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        catch (IllegalStateException ignored) {
            // The JVM is exiting.
        }
        TestCluster.deleteTree(work);
    }

    private void killAll() {
        List<Process> ps;
        synchronized (this) {
            ps = new ArrayList<>(running.values());
            running.clear();
        }
        for (Process p : ps)
            p.destroyForcibly();
        for (Process p : ps) {
            try {
                p.waitFor();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
