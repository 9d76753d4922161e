package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * The payloads of {@code payloads/} built with the cross compiler into a directory. Without the
 * compiler the calling test class is skipped, unless PSERIES_REQUIRE_CROSS is set (CI), where it fails.
 */
final class PayloadBuild {
    static final Path PAYLOADS = Path.of("..", "payloads").toAbsolutePath().normalize();

    private PayloadBuild() {
    }

    static void build(Path out, List<String> names) throws IOException, InterruptedException {
        boolean have = new ProcessBuilder("sh", "-c", "command -v powerpc64le-linux-gnu-gcc").start().waitFor() == 0;
        if (!have && System.getenv("PSERIES_REQUIRE_CROSS") == null) {
            Assumptions.abort("powerpc64le-linux-gnu-gcc is not installed (apt-get install gcc-powerpc64le-linux-gnu)");
        }
        for (String name : names) {
            Process p = new ProcessBuilder("sh", PAYLOADS.resolve("build.sh").toString(), name, out.toString())
                .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "building " + name + ":\n" + log);
        }
    }
}
