package io.vecgrid.auth;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.cli.ClientChecks;
import io.vecgrid.cli.CliRun;
import io.vecgrid.cli.VecgridCli;
import io.vecgrid.client.AuthenticationException;
import io.vecgrid.client.VecgridClient;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two persistent server nodes with Ignite's built-in authentication on (as config/secure-config.xml): the thin client,
 * the CLI, JDBC and sqlline are refused without credentials or with wrong ones, with an error that names the user and
 * says how to log in, and serve everything as the superuser {@code ignite}/{@code ignite} or as a user created with
 * {@code CREATE USER}. A thick-client node joins without credentials; direct writes to a collection's caches are
 * refused under authentication too.
 */
class AuthenticationTest {
    private static final int DIM = 8;
    private static final String SUPERUSER = "ignite";
    private static final String SUPERUSER_PASSWORD = "ignite";

    private static File root;
    private static TestCluster cluster;
    private static String hosts;
    private static String jdbcUrl;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("vecgrid-auth").toFile();
        cluster = new TestCluster().persistent(root).authentication(true).startServers(2);
        hosts = "127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 1);
        jdbcUrl = "jdbc:ignite:thin://127.0.0.1:" + cluster.clientPort() + "/VECGRID";
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
        TestCluster.deleteTree(root);
    }

    private static VecgridClient login(String user, String password) {
        return VecgridClient.builder().addresses(hosts).credentials(user, password).connect();
    }

    private static CollectionSpec spec(String name) {
        return CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build();
    }

    @Test
    void thinClientWithoutCredentialsIsRefused() {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> VecgridClient.connect(hosts));
        assertNull(e.user());
        assertTrue(e.getMessage().startsWith("authentication failed: the vecgrid cluster at [" + hosts + "] requires " +
            "a user name and password and none was given; pass a user name and password with " +
            "VecgridClient.builder().credentials(user, password)"), e.getMessage());
    }

    @Test
    void wrongPasswordOrUnknownUserIsRefused() {
        AuthenticationException wrong = assertThrows(AuthenticationException.class, () -> login(SUPERUSER, "not-it"));
        assertEquals(SUPERUSER, wrong.user());
        assertTrue(wrong.getMessage().startsWith("authentication failed for user 'ignite' at [" + hosts + "]: the " +
            "cluster rejected the user name or password; pass a user name and password with " +
            "VecgridClient.builder().credentials(user, password)"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-it"), "the password is never in a message: " + wrong.getMessage());

        AuthenticationException unknown = assertThrows(AuthenticationException.class, () -> login("nobody", "x"));
        assertTrue(unknown.getMessage().startsWith("authentication failed for user 'nobody' at "),
            unknown.getMessage());

        AuthenticationException noPassword = assertThrows(AuthenticationException.class, () -> login(SUPERUSER, null));
        assertTrue(noPassword.getMessage().contains("rejected the user name or password (no password was given)"),
            noPassword.getMessage());
    }

    /**
     * Every kind of call as the superuser, on a collection with two replicas: sealed segments are searched by jobs on
     * both nodes, so the login's security context travels with vecgrid's own compute.
     */
    @Test
    void rightCredentialsServeEveryOperation() {
        try (VecgridClient vg = login(SUPERUSER, SUPERUSER_PASSWORD)) {
            vg.createCollection(spec("served"));
            Map<Long, float[]> expected = ClientChecks.writeFlushSearch(vg, "served", DIM);

            List<VectorRow> got = vg.get("served", new long[] {5, 250}, null);
            assertEquals(2, got.size());
            assertArrayEquals(expected.get(5L), got.get(0).vector());
            assertEquals("row-5", got.get(0).fields().get("name"));
            assertArrayEquals(expected.get(250L), got.get(1).vector());

            assertTrue(vg.describeCollection("served").segmentCount() > 0, "flush sealed segments");
            assertEquals(2, vg.status().nodes().size());
            vg.dropCollection("served");
        }
    }

    /** One CLI run with the given environment. */
    private static CliRun cli(Map<String, String> env, String... args) {
        return CliRun.run(env, args);
    }

    @Test
    void cliLogsInWithOptionsOrEnvironment() {
        Map<String, String> none = Map.of();
        CliRun ok = cli(none, "--host", hosts, "--user", SUPERUSER, "--password", SUPERUSER_PASSWORD, "create", "clic",
            "--dim", "4", "--metric", "L2", "--index", "FLAT");
        assertEquals(VecgridCli.EXIT_OK, ok.code(), ok.toString());
        // The options after the command, as --host may be.
        CliRun list = cli(none, "list", "--user", SUPERUSER, "--password", SUPERUSER_PASSWORD, "--host", hosts);
        assertEquals(VecgridCli.EXIT_OK, list.code(), list.toString());
        assertTrue(list.out().lines().anyMatch("clic"::equals), list.toString());

        CliRun wrong = cli(none, "--host", hosts, "--user", SUPERUSER, "--password", "not-it", "list");
        assertEquals(3, wrong.code(), wrong.toString());
        assertEquals(VecgridCli.EXIT_AUTH, wrong.code());
        assertEquals("vecgrid: authentication failed for user 'ignite' at " + hosts + ": the cluster rejected the " +
            "user name or password; pass them with --user and --password, or set VECGRID_USER and VECGRID_PASSWORD",
            wrong.err().trim(), wrong.toString());
        assertFalse(wrong.err().contains("not-it"), wrong.toString());

        CliRun missing = cli(none, "--host", hosts, "status");
        assertEquals(VecgridCli.EXIT_AUTH, missing.code(), missing.toString());
        assertEquals("vecgrid: authentication failed: the cluster at " + hosts + " requires a user name and password " +
            "and none was given; pass them with --user and --password, or set VECGRID_USER and VECGRID_PASSWORD",
            missing.err().trim(), missing.toString());

        CliRun noPassword = cli(none, "--host", hosts, "--user", SUPERUSER, "list");
        assertEquals(VecgridCli.EXIT_AUTH, noPassword.code(), noPassword.toString());
        assertTrue(noPassword.err().contains("(no password was given)"), noPassword.toString());

        CliRun noUser = cli(none, "--host", hosts, "--password", SUPERUSER_PASSWORD, "list");
        assertEquals(VecgridCli.EXIT_BAD_INPUT, noUser.code(), noUser.toString());
        assertTrue(noUser.err().contains("a password is set (--password or VECGRID_PASSWORD) but no user name"),
            noUser.toString());

        // The environment, for every kind of subcommand (a method and a class).
        Map<String, String> env = Map.of("VECGRID_USER", SUPERUSER, "VECGRID_PASSWORD", SUPERUSER_PASSWORD);
        CliRun status = cli(env, "--host", hosts, "status");
        assertEquals(VecgridCli.EXIT_OK, status.code(), status.toString());
        assertTrue(status.out().contains("2 server node(s)"), status.toString());
        CliRun created = cli(env, "--host", hosts, "create", "clienv", "--dim", "4", "--metric", "IP");
        assertEquals(VecgridCli.EXIT_OK, created.code(), created.toString());

        // Options win over the environment.
        Map<String, String> badEnv = Map.of("VECGRID_USER", SUPERUSER, "VECGRID_PASSWORD", "not-it");
        assertEquals(VecgridCli.EXIT_AUTH, cli(badEnv, "--host", hosts, "list").code());
        CliRun overridden = cli(badEnv, "--host", hosts, "--password", SUPERUSER_PASSWORD, "drop", "clienv", "--yes");
        assertEquals(VecgridCli.EXIT_OK, overridden.code(), overridden.toString());
        assertEquals(VecgridCli.EXIT_OK, cli(env, "--host", hosts, "drop", "clic", "--yes").code());

        CliRun help = cli(none, "--help");
        assertTrue(help.out().matches("(?s).*\\n +3 +authentication failed.*"), help.toString());
        assertTrue(help.out().contains("VECGRID_PASSWORD"), help.toString());
    }

    @Test
    void jdbcLogsInWithUserAndPassword() throws Exception {
        try (VecgridClient vg = login(SUPERUSER, SUPERUSER_PASSWORD)) {
            vg.createCollection(spec("jdbc"));
            vg.insert("jdbc", TestRows.rows(0, 20, DIM));
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, SUPERUSER, SUPERUSER_PASSWORD);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM JDBC")) {
            assertTrue(rs.next());
            assertEquals(20, rs.getLong(1));
        }
        // The same as URL properties.
        try (Connection c = DriverManager.getConnection(jdbcUrl + "?user=ignite&password=ignite");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ID FROM JDBC WHERE ID = 7")) {
            assertTrue(rs.next());
            assertEquals(7, rs.getLong(1));
        }

        SQLException none = assertThrows(SQLException.class, () -> DriverManager.getConnection(jdbcUrl));
        assertEquals("08004", none.getSQLState(), none.toString());
        assertTrue(none.getMessage().contains("The user name or password is incorrect"), none.getMessage());
        SQLException wrong = assertThrows(SQLException.class,
            () -> DriverManager.getConnection(jdbcUrl, SUPERUSER, "not-it"));
        assertTrue(wrong.getMessage().contains("The user name or password is incorrect [userName=ignite]"),
            wrong.getMessage());

        // sqlline as scripts/sqlline.sh starts it: -n/-p from VECGRID_USER/VECGRID_PASSWORD, else empty.
        String in = sqlline(SUPERUSER, SUPERUSER_PASSWORD, "SELECT COUNT(*) AS N FROM JDBC;");
        assertTrue(in.contains("| 20 |"), in);
        String out = sqlline("", "", "SELECT COUNT(*) AS N FROM JDBC;");
        assertTrue(out.contains("The user name or password is incorrect"), out);

        try (VecgridClient vg = login(SUPERUSER, SUPERUSER_PASSWORD)) {
            vg.dropCollection("jdbc");
        }
    }

    /** @return what sqlline printed running {@code sql} as {@code user}. */
    private static String sqlline(String user, String password, String sql) throws Exception {
        return ClientChecks.sqlline(root, jdbcUrl, user, password, sql);
    }

    private static void sql(String user, String password, String stmt) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             Statement st = c.createStatement()) {
            st.execute(stmt);
        }
    }

    /**
     * The user management the docs show, over JDBC: a user created by the superuser logs in through the client and
     * may change its own password but not create users; an unquoted name is upper-cased; a dropped user is refused.
     */
    @Test
    void createdUsersLogInThroughTheClient() throws Exception {
        sql(SUPERUSER, SUPERUSER_PASSWORD, "CREATE USER \"app\" WITH PASSWORD 'app-secret'");
        try (VecgridClient vg = login("app", "app-secret")) {
            vg.createCollection(spec("byapp"));
            vg.insert("byapp", TestRows.rows(0, 10, DIM));
            assertEquals(10, vg.count("byapp"));
        }

        // Why config/secure-config.xml turns the SQL query history off: with Ignite's default (this cluster's), any
        // user reads the statement that set another user's password.
        boolean seen = false;
        try (Connection c = DriverManager.getConnection(jdbcUrl, "app", "app-secret");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SQL FROM SYS.SQL_QUERIES_HISTORY")) {
            while (rs.next())
                seen |= rs.getString(1).contains("'app-secret'");
        }
        assertTrue(seen, "the query history shows CREATE USER with its password");

        SQLException notAllowed = assertThrows(SQLException.class,
            () -> sql("app", "app-secret", "CREATE USER \"other\" WITH PASSWORD 'x'"));
        assertTrue(notAllowed.getMessage().contains("User management operations are not allowed for user"),
            notAllowed.getMessage());
        sql("app", "app-secret", "ALTER USER \"app\" WITH PASSWORD 'app-secret-2'");
        assertThrows(AuthenticationException.class, () -> login("app", "app-secret"));
        try (VecgridClient vg = login("app", "app-secret-2")) {
            assertEquals(10, vg.count("byapp"));
            vg.dropCollection("byapp");
        }

        sql(SUPERUSER, SUPERUSER_PASSWORD, "CREATE USER reader WITH PASSWORD 'reader-secret'");
        assertThrows(AuthenticationException.class, () -> login("reader", "reader-secret"));
        try (VecgridClient vg = login("READER", "reader-secret")) {
            assertEquals(2, vg.status().nodes().size());
        }

        sql(SUPERUSER, SUPERUSER_PASSWORD, "DROP USER \"app\"");
        AuthenticationException dropped = assertThrows(AuthenticationException.class,
            () -> login("app", "app-secret-2"));
        assertEquals("app", dropped.user());
        sql(SUPERUSER, SUPERUSER_PASSWORD, "DROP USER READER");
    }

    /** The superuser's password changes as the docs say (and is put back for the other tests). */
    @Test
    void superuserPasswordChanges() throws Exception {
        // Unquoted, the name is upper-cased: there is no user IGNITE.
        SQLException unquoted = assertThrows(SQLException.class,
            () -> sql(SUPERUSER, SUPERUSER_PASSWORD, "ALTER USER ignite WITH PASSWORD 'changed-secret'"));
        assertTrue(unquoted.getMessage().contains("User doesn't exist [userName=IGNITE]"), unquoted.getMessage());

        sql(SUPERUSER, SUPERUSER_PASSWORD, "ALTER USER \"ignite\" WITH PASSWORD 'changed-secret'");
        try {
            assertThrows(AuthenticationException.class, () -> login(SUPERUSER, SUPERUSER_PASSWORD));
            try (VecgridClient vg = login(SUPERUSER, "changed-secret")) {
                assertEquals(2, vg.status().nodes().size());
            }
        }
        finally {
            sql(SUPERUSER, "changed-secret", "ALTER USER \"ignite\" WITH PASSWORD '" + SUPERUSER_PASSWORD + "'");
        }
        try (VecgridClient vg = login(SUPERUSER, SUPERUSER_PASSWORD)) {
            assertEquals(2, vg.status().nodes().size());
        }
    }

    /**
     * Nodes join without credentials: a thick client with authentication enabled (as every node of the cluster must
     * have) joins and uses the Java API; one without is refused at join.
     */
    @Test
    void thickClientJoinsWithoutCredentials() {
        Ignite thick = cluster.startClient("thick");
        try {
            VectorGrid vg = Vecgrid.of(thick);
            vg.createCollection(spec("bythick"));
            vg.insert("bythick", TestRows.rows(0, 5, DIM));
            assertEquals(5, vg.count("bythick"));
            // With authentication on, vecgrid's security processor is Ignite's own (a subclass of it): a data
            // streamer on the collection's rows is still refused, and writes nothing.
            String rows = Vecgrid.local(cluster.node("s0")).metaStore().meta("bythick").rowsCache();
            try (org.apache.ignite.IgniteDataStreamer<Object, Object> s = thick.dataStreamer(rows)) {
                Exception e = assertThrows(Exception.class,
                    () -> s.addData(io.vecgrid.shard.RowKey.of(100, 2), new byte[1]));
                assertTrue(e.getMessage().startsWith("Write to cache " + rows + " refused: it holds collection " +
                    "'bythick'"), e.getMessage());
            }
            assertEquals(5, vg.count("bythick"));
            assertEquals(5, Vecgrid.of(cluster.node("s1")).get("bythick", TestRows.pks(0, 200), null).size());
            vg.dropCollection("bythick");
        }
        finally {
            cluster.stop("thick");
        }

        IgniteConfiguration plain = cluster.config("plain", true).setAuthenticationEnabled(false);
        Exception refused = assertThrows(Exception.class, () -> Ignition.start(plain));
        StringBuilder msgs = new StringBuilder();
        for (Throwable t = refused; t != null; t = t.getCause())
            msgs.append(t.getMessage()).append(" | ");
        assertTrue(msgs.toString().contains("Local node's grid security processor class is not equal to remote " +
            "node's grid security processor class"), msgs.toString());
    }
}
