package io.vecgrid.process;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.ClusterStatus;
import io.vecgrid.client.VecgridClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three "hosts" on this machine: three network namespaces, each with an address of its own on a private bridge
 * (10.213.X.0/24, X chosen free at random) that this test creates, the host side of the bridge holding 10.213.X.1 so
 * that this JVM reaches the nodes; nothing is routed anywhere else. One node per namespace is started the way an
 * operator starts one per host: {@code ip netns exec NS scripts/start-node.sh config/default-config.xml NAME}, with
 * the shipped config's default ports and only {@code VECGRID_BIND_ADDRESS} (the namespace's address) and
 * {@code VECGRID_DISCOVERY_ADDRESSES} (the three addresses) set, plus {@code VECGRID_EXPECTED_NODES=3}. This JVM is a
 * thin client given the three addresses.
 *
 * <p>It proves: the nodes find each other over non-loopback addresses and form one cluster whose nodes advertise only
 * their namespace's address; a collection with replicaNumber 2 takes inserts, and searches are exact against the
 * oracle. Then one node that is not the thin client's router is cut off (its veth is set down on the host side: its
 * packets are dropped, nothing is refused): searches and inserts from the thin client go on, every search exact, none
 * failing, while the other two drop it from the topology. Ignite 2's TCP discovery has no quorum, so what the cut node
 * does depends on timing: if it cannot get through to the next nodes of the ring within the connection recovery
 * timeout it segments itself ("Segmenting local node") and the default segmentation policy (USE_FAILURE_HANDLER, whose
 * default handler stops the node) makes its process exit; if it runs through the ring's nodes sooner, it declares them
 * all failed and goes on as a cluster of one (split brain), which it stays in after the link is healed (Ignite
 * clusters never merge). In that case a thin client run inside its namespace (the only place that reaches it) finds
 * that it refuses writes (it holds one of three baseline nodes: no majority); a search there is exact or fails with
 * a clear error (alone it holds one replica group's copies), never quietly partial. The test
 * records which happened; either way it restarts the node (stopping it first if it
 * is still running) from its own work directory, and the node rejoins the cluster and its baseline. Then a node with a
 * different sealRows, started in that namespace, is refused by the cluster across the "hosts". Nothing acknowledged is
 * lost: every acknowledged insert is found by get and counted.
 *
 * <p>Network namespaces, veths and the bridge are always removed (also when the test JVM exits early, by a shutdown
 * hook); names carry a random suffix. The test is skipped only if {@code ip netns add} is refused (not root, or no
 * namespaces in a container).
 */
class MultiHostProcessIT {
    private static final int DIM = 16;
    private static final String COLL = "multihost";
    private static final File ROOT = NodeProcesses.ROOT;
    private static final long START_TIMEOUT_MS = 240_000;
    /** What a node logs when its topology holds no server but itself. */
    private static final String ALONE = "servers=1, clients=0, state=ACTIVE";
    /** Primary key a thin client tries to insert through the cut node while it is alone (refused: no quorum). */
    private static final long REFUSED_PK = 99_000_000L;

    @Test
    void threeHostsSurviveACutHostAndTakeItBack() throws Exception {
        long t0 = System.nanoTime();
        try (Hosts hosts = new Hosts()) {
            hosts.createNetwork();
            for (int i = 0; i < 3; i++)
                hosts.start(i);
            String[] clientAddrs = new String[3];
            for (int i = 0; i < 3; i++)
                clientAddrs[i] = hosts.addr(i) + ":10800";
            try (VecgridClient thin = connect(clientAddrs)) {
                run(hosts, thin);
            }
            System.out.println("MultiHostProcessIT took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        }
    }

    private static void run(Hosts hosts, VecgridClient thin) throws Exception {
        awaitCluster(thin, hosts, 3, "the three hosts formed one active cluster with all three in the baseline");
        ClusterStatus st = thin.status();
        // Each node advertises its namespace's address only: discovery, communication and the client connector bind
        // VECGRID_BIND_ADDRESS (Ignite's localHost), not loopback and not every interface.
        List<String> advertised = new ArrayList<>();
        for (ClusterStatus.Node n : st.nodes()) {
            assertEquals(1, n.addresses().size(), "node " + n.consistentId() + " advertises one address: " + n.addresses());
            advertised.add(n.addresses().get(0));
        }
        Collections.sort(advertised);
        assertEquals(List.of(hosts.addr(0), hosts.addr(1), hosts.addr(2)), advertised);

        thin.createCollection(CollectionSpec.builder(COLL).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> acked = new ConcurrentHashMap<>();
        Map<Long, float[]> written = new ConcurrentHashMap<>();
        for (int i = 0; i < 3000; i += 1000) {
            List<VectorRow> rows = plain(TestRows.rows(i, 1000, DIM));
            rows.forEach(r -> written.put(r.pk(), r.vector()));
            thin.insert(COLL, rows);
            rows.forEach(r -> acked.put(r.pk(), r.vector()));
        }
        thin.flush(COLL);
        for (int i = 0; i < 20; i++) {
            float[] q = TestRows.vector(700_000 + i, DIM);
            new Oracle(Metric.L2, acked).assertExact(q, 10, thin.search(COLL, new float[][] {q}, 10).hits(0), null,
                "search " + i + " before the cut");
        }

        // The node the thin client is connected to routes its searches; cut another one.
        UUID router = thin.search(SearchRequest.builder(COLL, new float[][] {TestRows.vector(1, DIM)}, 1)
            .diagnostics(true).build()).diagnostics().router();
        String routerAddr = st.nodes().stream().filter(n -> n.id().equals(router)).findFirst().orElseThrow()
            .addresses().get(0);
        int victim = -1;
        for (int i = 2; i >= 0 && victim < 0; i--) {
            if (!hosts.addr(i).equals(routerAddr))
                victim = i;
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicInteger inserts = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> insertFailures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> tasks = new ArrayList<>();
        tasks.add(pool.submit(() -> {
            int i = 0;
            while (!stop.get()) {
                float[] q = TestRows.vector(808_000 + i++, DIM);
                Map<Long, float[]> before = Map.copyOf(acked);
                try {
                    SearchResult r = thin.search(SearchRequest.builder(COLL, new float[][] {q}, 10).build());
                    // Rows acknowledged before the search must be seen; rows written meanwhile may be.
                    Map<Long, float[]> visible = new HashMap<>(before);
                    r.hits(0).forEach(h -> {
                        if (!visible.containsKey(h.pk()) && written.containsKey(h.pk()))
                            visible.put(h.pk(), written.get(h.pk()));
                    });
                    new Oracle(Metric.L2, visible).assertExact(q, 10, r.hits(0), null, "search " + i);
                    searches.incrementAndGet();
                }
                catch (Throwable t) {
                    failures.add("search " + i + " failed: " + t);
                }
            }
            return null;
        }));
        tasks.add(pool.submit(() -> {
            long pk = 1_000_000;
            while (!stop.get()) {
                List<VectorRow> rows = plain(TestRows.rows(pk, 20, DIM));
                rows.forEach(r -> written.put(r.pk(), r.vector()));
                try {
                    thin.insert(COLL, rows);
                    rows.forEach(r -> acked.put(r.pk(), r.vector()));
                    inserts.incrementAndGet();
                }
                catch (VecgridException e) {
                    // Not acknowledged: it may or may not have landed. Only acknowledged rows must survive.
                    insertFailures.add(String.valueOf(e));
                }
                pk += 20;
            }
            return null;
        }));

        final int cut = victim;
        String cutName = hosts.name(cut);
        Map<String, Integer> phases = new LinkedHashMap<>();
        String outcome;
        boolean splitBrain = false;
        try {
            awaitCount(searches, 50, failures);
            phases.put("before the cut", searches.get());
            long aloneBefore = hosts.count(victim, ALONE);
            hosts.cut(victim);
            int atCut = searches.get();
            awaitCluster(thin, hosts, 2, "the two other nodes dropped " + cutName + " from the topology");
            phases.put("cut, until the others dropped it", searches.get() - atCut);
            int atDrop = searches.get();
            awaitCount(searches, atDrop + 100, failures);
            phases.put("cut, after the others dropped it", searches.get() - atDrop);

            // What the cut node does. Ignite 2's TCP discovery has no quorum: a node that cannot get through to the
            // next nodes of the ring within the connection recovery timeout segments itself (and the default
            // segmentation policy, USE_FAILURE_HANDLER, stops it); one that runs through the ring's nodes sooner
            // declares them all failed and goes on as a cluster of one (split brain). Wait, still cut, for either.
            Process p = hosts.process(victim);
            TestCluster.awaitTrue(cutName + " segments itself or goes on alone", () -> {
                try {
                    return !p.isAlive() || hosts.count(cut, ALONE) > aloneBefore;
                }
                catch (IOException e) {
                    return false;
                }
            }, START_TIMEOUT_MS);

            if (p.isAlive()) {
                // Split brain: it takes no write (it holds one of three baseline nodes).
                String probe = hosts.probe(victim, COLL, DIM, REFUSED_PK);
                System.out.println("thin client inside " + cutName + "'s namespace, connected to it alone: " + probe);
                assertTrue(probe.contains("INSERT REFUSED io.vecgrid.api.WriteQuorumException: insert into collection '" +
                    COLL + "' refused, nothing was written: this part of the cluster reaches 1 of its 3 baseline " +
                    "nodes ["), probe);
                // Alone it holds the copies of one replica group: a search is exact or fails naming what it misses.
                assertTrue(probe.contains("SEARCH 10 hits") ||
                    probe.contains("SEARCH FAILED io.vecgrid.api.SegmentUnavailableException"), probe);
                splitBrain = true;
            }
            hosts.heal(victim);
            int atHeal = searches.get();
            if (p.isAlive()) {
                // Clusters never merge: healed, it stays a cluster of its own until it is restarted.
                assertTrue(hosts.count(victim, ALONE) > aloneBefore);
                outcome = cutName + " declared the other nodes failed and went on as a cluster of one (its log: " +
                    "\"" + ALONE + "\"); after the heal it stayed there: stopped and restarted";
                hosts.stop(victim);
            }
            else {
                assertTrue(hosts.logged(victim, "Segmenting local node"), cutName + " logged that it segmented itself");
                outcome = cutName + " segmented itself and its process exited (code " + p.exitValue() + "): restarted";
            }
            System.out.println(outcome);

            hosts.start(victim); // its own work directory: same consistentId, same data
            awaitCluster(thin, hosts, 3, cutName + " rejoined and is in the baseline again");

            // Across the hosts: a node whose sealRows differs from the cluster's is refused when it joins (it runs in
            // the cut node's namespace, on the next ports of the ranges).
            Process odd = hosts.startMismatched(victim);
            assertTrue(odd.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS), "the mismatched node's start fails");
            String oddOut = Files.readString(hosts.output("odd", 1).toPath(), StandardCharsets.UTF_8);
            assertTrue(oddOut.contains("is refused: its vecgrid setting sealRows is 100, the cluster's is 8192"),
                "the mismatched node was refused by sealRows; its output: " + tail(oddOut));
            awaitCount(searches, searches.get() + 100, failures);
            phases.put("healed, until it rejoined and after", searches.get() - atHeal);
        }
        finally {
            stop.set(true);
            for (Future<?> f : tasks)
                f.get();
            pool.shutdown();
        }
        System.out.println("searches through the thin client by phase: " + phases + "; insert batches acknowledged: " +
            inserts.get() + ", failed (allowed, unacknowledged): " + insertFailures.size() + " " + insertFailures);
        assertEquals(List.of(), failures, "no search failed or was inexact");
        assertTrue(inserts.get() > 0, "inserts ran");

        // Nothing acknowledged is lost (an insert that failed may have landed, so it may be counted too).
        long count = thin.count(COLL);
        assertTrue(count >= acked.size() && count <= written.size(), "every acknowledged row is still there: " + count +
            " rows, " + acked.size() + " acknowledged, " + written.size() + " attempted");
        long[] pks = acked.keySet().stream().mapToLong(Long::longValue).toArray();
        int found = 0;
        for (int i = 0; i < pks.length; i += 2000)
            found += thin.get(COLL, Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 2000)), List.of()).size();
        assertEquals(pks.length, found, "get finds every acknowledged row");
        assertEquals(List.of(), thin.get(COLL, new long[] {REFUSED_PK}, List.of()), "the insert the cut node refused " +
            "is nowhere (split brain seen: " + splitBrain + ")");
        System.out.println(outcome + "; restarted, it rejoined; " + acked.size() + " acknowledged rows all found, count " +
            count);
    }

    private static List<VectorRow> plain(List<VectorRow> rows) {
        return rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
    }

    /** Connects once the nodes accept thin clients (they are starting). */
    private static VecgridClient connect(String... addrs) {
        VecgridClient[] res = new VecgridClient[1];
        TestCluster.awaitTrue("a thin client connects to " + String.join(",", addrs), () -> {
            try {
                res[0] = VecgridClient.builder().addresses(addrs).connect();
                return true;
            }
            catch (VecgridException e) {
                return false;
            }
        }, START_TIMEOUT_MS);
        return res[0];
    }

    /** Waits until the cluster is active with {@code n} server nodes, and those are its baseline, all online. */
    private static void awaitCluster(VecgridClient thin, Hosts hosts, int n, String what) {
        String[] last = {""};
        try {
            TestCluster.awaitTrue(what, () -> {
                try {
                    ClusterStatus st = thin.status();
                    last[0] = st.toString();
                    return st.nodes().size() == n && "ACTIVE".equals(st.state()) &&
                        st.baseline().stream().filter(ClusterStatus.BaselineMember::online).count() == n &&
                        (n < 3 || st.baseline().size() == 3);
                }
                catch (VecgridException e) {
                    last[0] = e.toString();
                    return false;
                }
            }, START_TIMEOUT_MS);
        }
        catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last status: " + last[0] + "; processes alive: " +
                hosts.alive(), e);
        }
    }

    private static void awaitCount(AtomicInteger n, int target, List<String> failures) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (n.get() < target) {
            assertTrue(System.nanoTime() < deadline, "reached " + target + " searches (at " + n.get() + "; failures: " +
                failures + ")");
            Thread.sleep(50);
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    /**
     * Network namespaces on a bridge, one node process per namespace. {@link #close()} kills the processes and removes
     * namespaces, veths and bridge, whatever state they are in; a shutdown hook does the same if the JVM exits first.
     */
    private static final class Hosts implements AutoCloseable {
        private final String sfx = Integer.toHexString(0x1000 + ThreadLocalRandom.current().nextInt(0xf000));
        private final String bridge = "vgbr" + sfx;
        private final String[] ns = new String[3];
        private final String[] hostVeth = new String[3];
        private final String[] nsVeth = new String[3];
        private String subnet; // "10.213.X."
        private final File work;
        private final Process[] procs = new Process[3];
        private final Map<String, Integer> starts = new HashMap<>();
        private final List<Process> others = new ArrayList<>();
        private final Thread hook = new Thread(this::cleanup, "multihost-cleanup");

        Hosts() throws IOException {
            for (int i = 0; i < 3; i++) {
                ns[i] = "vecgrid-" + sfx + "-" + (i + 1);
                hostVeth[i] = "vgh" + (i + 1) + sfx;
                nsVeth[i] = "vgn" + (i + 1) + sfx;
            }
            work = Files.createTempDirectory("vecgrid-multihost").toFile();
            Runtime.getRuntime().addShutdownHook(hook);
        }

        String addr(int i) {
            return subnet + (11 + i);
        }

        String name(int i) {
            return "mh" + sfx + "-" + (i + 1);
        }

        void createNetwork() throws IOException, InterruptedException {
            Result probe = sh("ip", "netns", "add", ns[0]);
            Assumptions.assumeTrue(probe.code == 0, "this machine refuses network namespaces ('ip netns add' failed: " +
                probe.out.trim() + "); MultiHostProcessIT needs root and namespaces");
            subnet = freeSubnet();
            must("ip", "link", "add", bridge, "type", "bridge");
            must("ip", "addr", "add", subnet + "1/24", "dev", bridge);
            must("ip", "link", "set", bridge, "up");
            for (int i = 0; i < 3; i++) {
                if (i > 0)
                    must("ip", "netns", "add", ns[i]);
                must("ip", "link", "add", hostVeth[i], "type", "veth", "peer", "name", nsVeth[i]);
                must("ip", "link", "set", nsVeth[i], "netns", ns[i]);
                must("ip", "link", "set", hostVeth[i], "master", bridge);
                must("ip", "link", "set", hostVeth[i], "up");
                must("ip", "-n", ns[i], "addr", "add", addr(i) + "/24", "dev", nsVeth[i]);
                must("ip", "-n", ns[i], "link", "set", nsVeth[i], "up");
                must("ip", "-n", ns[i], "link", "set", "lo", "up");
            }
            System.out.println("namespaces " + Arrays.toString(ns) + " on bridge " + bridge + " (" + subnet + "0/24)");
        }

        /** @return "10.213.X." for an X no address or route of this machine uses. */
        private static String freeSubnet() throws IOException, InterruptedException {
            String used = sh("ip", "-4", "-o", "addr").out + sh("ip", "-4", "route").out;
            for (int tries = 0; tries < 256; tries++) {
                String s = "10.213." + ThreadLocalRandom.current().nextInt(256) + ".";
                if (!used.contains(s))
                    return s;
            }
            throw new IllegalStateException("no free 10.213.x.0/24 subnet");
        }

        /** Starts the node of namespace {@code i} (again, after a stop: the same work directory). */
        synchronized void start(int i) throws IOException {
            procs[i] = startIn(i, name(i), ROOT + "/config/default-config.xml");
        }

        /** Starts, in namespace {@code i}, a node of a fresh work directory with sealRows 100 instead of 8192. */
        synchronized Process startMismatched(int i) throws IOException {
            File xml = new File(work, "odd-config.xml");
            String cfg = Files.readString(new File(ROOT, "config/default-config.xml").toPath());
            String odd = cfg.replace("<property name=\"sealRows\" value=\"8192\"/>", "<property name=\"sealRows\" value=\"100\"/>");
            assertTrue(!odd.equals(cfg), "the shipped config sets sealRows 8192");
            Files.writeString(xml.toPath(), odd);
            Process p = startIn(i, "odd", xml.getPath());
            others.add(p);
            return p;
        }

        private Process startIn(int i, String name, String config) throws IOException {
            int k = starts.merge(name, 1, Integer::sum);
            String logName = name.equals("odd") ? "mh" + sfx + "-odd" : name;
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns[i],
                new File(ROOT, "scripts/start-node.sh").getPath(), config, logName);
            List<String> discovery = new ArrayList<>();
            for (int j = 0; j < 3; j++)
                discovery.add(addr(j) + ":47500..47509");
            pb.environment().put("VECGRID_JVM_OPTS", "-Xms256m -Xmx768m");
            pb.environment().put("VECGRID_WORK_DIR", new File(work, logName).getPath());
            pb.environment().put("VECGRID_BIND_ADDRESS", addr(i));
            pb.environment().put("VECGRID_DISCOVERY_ADDRESSES", String.join(",", discovery));
            pb.environment().put("VECGRID_EXPECTED_NODES", "3");
            pb.redirectErrorStream(true);
            pb.redirectOutput(output(name, k));
            return pb.start(); // ip netns exec and start-node.sh exec: the process is the node's JVM
        }

        File output(String name, int k) {
            return new File(ROOT, "ignite-plugin/target/" + (name.equals("odd") ? "mh" + sfx + "-odd" : name) + "-" + k +
                ".out");
        }

        synchronized Process process(int i) {
            return procs[i];
        }

        boolean logged(int i, String text) throws IOException {
            File f = output(name(i), starts.get(name(i)));
            return Files.readString(f.toPath(), StandardCharsets.UTF_8).contains(text);
        }

        synchronized String alive() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++)
                sb.append(name(i)).append('=').append(procs[i] != null && procs[i].isAlive()).append(' ');
            return sb.toString().trim();
        }

        /** @return how many lines of node {@code i}'s latest start contain {@code text}. */
        long count(int i, String text) throws IOException {
            File f = output(name(i), starts.get(name(i)));
            return Files.readAllLines(f.toPath(), StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
        }

        /** Stops node {@code i} gracefully (SIGTERM), or kills it if it has not exited within a minute. */
        void stop(int i) throws InterruptedException {
            Process p = process(i);
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS))
                p.destroyForcibly().waitFor();
        }

        /**
         * Runs {@link QuorumProbe} in namespace {@code i}, against that node alone (reachable from inside only while
         * it is cut off); returns its output.
         */
        String probe(int i, String coll, int dim, long pk) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns[i],
                new File(System.getProperty("java.home"), "bin/java").getPath()));
            // Ignite's thin client needs the JVM options this JVM runs with (--add-opens ...).
            List<String> args = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (int k = 0; k < args.size(); k++) {
                String a = args.get(k);
                if (a.startsWith("--add-") || a.startsWith("-Djava.net"))
                    cmd.add(a);
                if ((a.equals("--add-opens") || a.equals("--add-exports")) && k + 1 < args.size())
                    cmd.add(args.get(++k));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), QuorumProbe.class.getName(),
                addr(i) + ":10800", coll, String.valueOf(dim), String.valueOf(pk)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe ends");
            return out;
        }

        /** Drops every packet to and from namespace {@code i}: its veth's host side goes down. */
        void cut(int i) throws IOException, InterruptedException {
            must("ip", "link", "set", hostVeth[i], "down");
        }

        void heal(int i) throws IOException, InterruptedException {
            must("ip", "link", "set", hostVeth[i], "up");
        }

        @Override public void close() {
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (IllegalStateException ignored) {
                // The JVM is exiting.
            }
            TestCluster.deleteTree(work);
            // The log files carry this run's random suffix: remove them (target/*.out keep the consoles).
            for (String n : List.of(name(0), name(1), name(2), "mh" + sfx + "-odd"))
                new File(ROOT, "logs/vecgrid-" + n + ".log").delete();
        }

        private synchronized void cleanup() {
            List<Process> ps = new ArrayList<>(others);
            for (Process p : procs) {
                if (p != null)
                    ps.add(p);
            }
            for (Process p : ps)
                p.destroyForcibly();
            for (Process p : ps) {
                try {
                    p.waitFor(60, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                for (int i = 0; i < 3; i++) {
                    sh("ip", "netns", "delete", ns[i]); // removes its veth pair with it
                    sh("ip", "link", "delete", hostVeth[i]);
                }
                sh("ip", "link", "delete", bridge);
            }
            catch (IOException | InterruptedException e) {
                System.err.println("MultiHostProcessIT: cleanup of " + bridge + " / " + Arrays.toString(ns) + " failed: " + e);
            }
        }
    }

    private record Result(int code, String out) {
    }

    private static Result sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private static void must(String... cmd) throws IOException, InterruptedException {
        Result r = sh(cmd);
        if (r.code != 0)
            throw new IOException(String.join(" ", cmd) + " failed (" + r.code + "): " + r.out.trim());
    }
}
