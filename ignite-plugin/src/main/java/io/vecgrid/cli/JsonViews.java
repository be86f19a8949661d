package io.vecgrid.cli;

import io.vecgrid.api.CollectionDescription;

/** The CLI's JSON documents for other front ends (SQL): the same fields as {@code vecgrid describe --json}. */
public final class JsonViews {
    private JsonViews() {
    }

    /** @return {@code d} as {@code vecgrid describe NAME --json} prints it, on one line. */
    public static String describe(CollectionDescription d) {
        return Json.line(Views.describe(d));
    }
}
