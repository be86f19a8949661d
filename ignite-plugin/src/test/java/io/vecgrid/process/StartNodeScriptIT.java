package io.vecgrid.process;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/start-node.sh} refuses a work directory it cannot use, naming it, before a JVM starts: a path that
 * is a file (as root, permissions cannot make a directory unreadable, so a file stands for a directory the node
 * cannot use).
 */
class StartNodeScriptIT {
    private static final File ROOT = new File("..").getAbsoluteFile();

    @Test
    void aWorkDirectoryThatIsNotADirectoryIsRefusedByName() throws Exception {
        File notADir = Files.createTempFile("vecgrid-workdir", ".file").toFile();
        try {
            ProcessBuilder pb = new ProcessBuilder(new File(ROOT, "scripts/start-node.sh").getPath(),
                new File(ROOT, "config/default-config.xml").getPath(), "bad-dir");
            pb.environment().put("VECGRID_WORK_DIR", notADir.getPath());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script returns at once");
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains(notADir.getPath()) && out.contains("VECGRID_WORK_DIR"), out);
        }
        finally {
            notADir.delete();
        }
    }
}
