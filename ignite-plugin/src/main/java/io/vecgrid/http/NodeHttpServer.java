package io.vecgrid.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vecgrid.Vecgrid;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.metrics.PrometheusExport;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteLogger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The node's HTTP page, on the JDK's HTTP server: {@code /metrics} (Ignite's and vecgrid's metrics in Prometheus text
 * format) and {@code /} (the read-only status page). Bound on the first free port of
 * {@code httpPort..httpPort+httpPortRange-1}; read-only, GET and HEAD only.
 */
public final class NodeHttpServer {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String url;

    private NodeHttpServer(HttpServer server, ExecutorService executor, String url) {
        this.server = server;
        this.executor = executor;
        this.url = url;
    }

    /**
     * Binds the page. @return the server, or {@code null} if the configuration turns it off.
     *
     * @throws IgniteException naming the ports (and the property) when none of them is free.
     */
    public static NodeHttpServer bind(Ignite ignite, VecgridConfiguration cfg,
        Iterable<org.apache.ignite.spi.metric.ReadOnlyMetricRegistry> registries) {
        if (cfg.getHttpPort() <= 0)
            return null;
        String host = cfg.getHttpHost() == null || cfg.getHttpHost().isBlank() ? null : cfg.getHttpHost().trim();
        InetAddress addr;
        try {
            addr = host == null ? null : InetAddress.getByName(host);
        }
        catch (UnknownHostException e) {
            throw new IgniteException("vecgrid configuration: httpHost '" + host + "' is not a known address: " + e.getMessage(), e);
        }
        int first = cfg.getHttpPort();
        int last = first + cfg.getHttpPortRange() - 1;
        HttpServer srv = null;
        IOException lastErr = null;
        for (int port = first; port <= last && srv == null; port++) {
            try {
                srv = HttpServer.create(addr == null ? new InetSocketAddress(port) : new InetSocketAddress(addr, port), 16);
            }
            catch (BindException e) {
                lastErr = e;
            }
            catch (IOException e) {
                throw new IgniteException("vecgrid: cannot open the HTTP page on port " + port + ": " + e.getMessage(), e);
            }
        }
        if (srv == null) {
            throw new IgniteException("vecgrid: no free port for the node's HTTP page (metrics, status) in " +
                (first == last ? "port " + first : "ports " + first + ".." + last) + (host == null ? "" : " of " + host) +
                " (" + (lastErr == null ? "taken" : lastErr.getMessage()) + "): they are taken, by other nodes of this " +
                "machine or another program; set httpPort and httpPortRange of the vecgrid configuration to free ports, " +
                "or httpPort to 0 to turn the page off");
        }
        ExecutorService exec = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "vecgrid-http-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
        String shownHost = host == null ? "localhost" : host;
        String url = "http://" + shownHost + ":" + srv.getAddress().getPort() + "/";
        NodeHttpServer res = new NodeHttpServer(srv, exec, url);
        PrometheusExport export = new PrometheusExport(registries, () -> {
            Vecgrid vg = Vecgrid.localOrNull(ignite);
            return vg == null ? null : vg.metrics();
        });
        StatusPage status = new StatusPage(ignite);
        srv.createContext("/metrics", ex -> res.serve(ex, () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 10);
            export.write(out);
            return new Reply(200, PrometheusExport.contentType(), out.toByteArray());
        }));
        srv.createContext("/", ex -> res.serve(ex, () -> {
            if (!"/".equals(ex.getRequestURI().getPath()))
                return new Reply(404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            return new Reply(200, "text/html; charset=utf-8", status.render().getBytes(StandardCharsets.UTF_8));
        }));
        srv.setExecutor(exec);
        srv.start();
        return res;
    }

    /** @return the page's base URL, {@code http://host:port/}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private interface Body {
        Reply get() throws Exception;
    }

    private static final class Reply {
        final int status;
        final String type;
        final byte[] body;

        Reply(int status, String type, byte[] body) {
            this.status = status;
            this.type = type;
            this.body = body;
        }
    }

    private void serve(HttpExchange ex, Body body) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            Reply r;
            if (!"GET".equals(method) && !"HEAD".equals(method))
                r = new Reply(405, "text/plain; charset=utf-8", "read-only: GET or HEAD\n".getBytes(StandardCharsets.UTF_8));
            else {
                try {
                    r = body.get();
                }
                catch (Exception | Error e) {
                    r = new Reply(500, "text/plain; charset=utf-8", ("error: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            ex.getResponseHeaders().set("Content-Type", r.type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(method);
            ex.sendResponseHeaders(r.status, head ? -1 : r.body.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body);
                }
            }
        }
    }
}
