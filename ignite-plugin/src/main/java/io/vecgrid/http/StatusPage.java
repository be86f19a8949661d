package io.vecgrid.http;

import org.apache.ignite.Ignite;

/** The node's read-only status page. */
final class StatusPage {
    private final Ignite ignite;

    StatusPage(Ignite ignite) {
        this.ignite = ignite;
    }

    String render() {
        return "<!DOCTYPE html><html><head><title>vecgrid</title></head><body><h1>vecgrid</h1>" +
            "<p><a href=\"/metrics\">metrics</a></p></body></html>";
    }
}
