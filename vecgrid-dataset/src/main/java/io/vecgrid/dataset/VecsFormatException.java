package io.vecgrid.dataset;

import java.io.IOException;
import java.nio.file.Path;

/** A vector file (fvecs, ivecs, IDX, GloVe JSON) is truncated or inconsistent; the message names the file and where. */
public class VecsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file at fault. */
    private final transient Path file;

    public VecsFormatException(Path file, String msg) {
        super(file + ": " + msg);
        this.file = file;
    }

    /** @return the file at fault. */
    public Path file() {
        return file;
    }
}
