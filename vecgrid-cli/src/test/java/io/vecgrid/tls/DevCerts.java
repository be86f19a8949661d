package io.vecgrid.tls;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs {@code scripts/make-dev-certs.sh} (the operator's way to make development TLS stores) for the tests. */
final class DevCerts {
    /** The repository root (tests run in {@code ignite-plugin}). */
    static final File ROOT = new File("..").getAbsoluteFile();

    private DevCerts() {
    }

    /** What one run of the script did. */
    record Run(int code, String output) {
    }

    /**
     * Runs the script into {@code dir} with the given store passwords (through the environment, as an operator would).
     */
    static Run make(File dir, String keyStorePassword, String trustStorePassword) throws IOException,
        InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new File(ROOT, "scripts/make-dev-certs.sh").getPath(), dir.getPath());
        pb.environment().put("VECGRID_SSL_KEYSTORE_PASSWORD", keyStorePassword);
        pb.environment().put("VECGRID_SSL_TRUSTSTORE_PASSWORD", trustStorePassword);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("make-dev-certs.sh did not finish in 120 s:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    /** Runs the script and fails unless it succeeds. */
    static void makeOrFail(File dir, String keyStorePassword, String trustStorePassword) throws Exception {
        Run r = make(dir, keyStorePassword, trustStorePassword);
        if (r.code() != 0)
            throw new AssertionError("make-dev-certs.sh failed (" + r.code() + "):\n" + r.output());
    }
}
