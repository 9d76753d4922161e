package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The README's examples run as written: every command of a {@code sh} block preceded by a
 * {@code <!-- runnable -->} comment runs through the launcher from the repository root and must
 * exit 0. Needs the distribution the launcher uses (scripts/target/lib: the reactor packages
 * the scripts module before this one); the launcher does not rebuild here (PSERIES_NO_BUILD=1).
 */
class ReadmeCommandsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String MARKER = "<!-- runnable -->";

    /** The commands of the runnable blocks, trailing "  # comments" removed. */
    static List<String> runnableCommands() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals(MARKER)) {
                continue;
            }
            int j = i + 1;
            while (j < lines.size() && lines.get(j).isBlank()) {
                j++;
            }
            assertTrue(j < lines.size() && lines.get(j).strip().equals("```sh"), "a runnable marker at line " + (i + 1) + " precedes a sh block");
            for (j++; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                String cmd = lines.get(j).replaceFirst("\\s{2,}#.*$", "").strip();
                if (!cmd.isEmpty()) {
                    out.add(cmd);
                }
            }
        }
        return out;
    }

    @Test
    void everyRunnableReadmeCommandSucceeds() throws Exception {
        assertTrue(Files.isDirectory(ROOT.resolve("scripts/target/lib")),
            "the launcher's distribution is missing: run 'mvn -DskipTests package' (./run-tests builds it first)");
        Files.createDirectories(ROOT.resolve("target"));
        List<String> cmds = runnableCommands();
        assertTrue(cmds.size() >= 10, "runnable README commands: " + cmds);
        List<String> failed = new ArrayList<>();
        for (String cmd : cmds) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd).directory(ROOT.toFile()).redirectErrorStream(true);
            pb.environment().put("PSERIES_NO_BUILD", "1");
            File log = Files.createTempFile("readme-cmd", ".log").toFile();
            pb.redirectOutput(log);
            Process p = pb.start();
            p.getOutputStream().close();
            boolean done = p.waitFor(240, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            log.delete();
            if (!done || p.exitValue() != 0) {
                failed.add(cmd + " -> " + (done ? "exit " + p.exitValue() : "timed out") + "\n" + output.lines().limit(15).reduce("", (a, b) -> a + "  " + b + "\n"));
            }
        }
        assertEquals(List.of(), failed);
    }
}
