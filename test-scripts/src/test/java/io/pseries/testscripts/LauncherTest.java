package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.cli.Main;

/**
 * The shell side: the JDK discovery's warnings, the Maven Wrapper on a machine without mvn,
 * the quiet test summary of ./run-tests, and the completion script. These run bash; a
 * machine without bash fails them (CI has it).
 */
class LauncherTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Proc(int code, String out, String err) {
    }

    static Proc bash(Map<String, String> env, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(ROOT.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "bash finished");
        return new Proc(p.exitValue(), out, err);
    }

    @Test
    void aPseriesJavaHomeThatIsNoJdkIsReportedNotSilentlyIgnored() throws Exception {
        Proc missing = bash(Map.of("PSERIES_JAVA_HOME", "/no/such/jdk"), ". tools/jdk.sh; pseries_check_java_home 21");
        assertEquals("pseries: PSERIES_JAVA_HOME=/no/such/jdk is not a JDK (no /no/such/jdk/bin/java); ignoring it and looking in"
            + " JAVA_HOME and /usr/lib/jvm\n", missing.err());
        Path old = dir.resolve("jdk17");
        Files.createDirectories(old.resolve("bin"));
        Files.writeString(old.resolve("bin/java"), "#!/bin/sh\n");
        old.resolve("bin/java").toFile().setExecutable(true);
        Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");
        Proc tooOld = bash(Map.of("PSERIES_JAVA_HOME", old.toString()), ". tools/jdk.sh; pseries_check_java_home 21");
        assertEquals("pseries: PSERIES_JAVA_HOME=" + old + " is JDK 17, pseries needs 21+ (JDK 25 to build); ignoring it\n", tooOld.err());
        Proc unset = bash(Map.of(), "unset PSERIES_JAVA_HOME; . tools/jdk.sh; pseries_check_java_home 21");
        assertEquals("", unset.err());
    }

    /** A PATH with the usual tools but no mvn. */
    private Path pathWithoutMaven() throws Exception {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        for (String tool : List.of("bash", "sh", "env", "uname", "dirname", "basename", "cat", "sed", "grep", "mkdir", "rm", "mv", "cp",
                "tr", "head", "tail", "ls", "find", "curl", "wget", "unzip", "tar", "id", "printf", "chmod", "date", "readlink", "pwd",
                "mktemp", "cut", "wc", "sort", "touch", "awk", "sha256sum", "expr")) {
            Proc w = bash(Map.of(), "command -v " + tool + " || true");
            String p = w.out().strip();
            if (!p.isEmpty() && p.startsWith("/")) {
                Files.createSymbolicLink(bin.resolve(tool), Path.of(p));
            }
        }
        return bin;
    }

    @Test
    void withoutMvnOnPathTheMavenWrapperRunsMaven() throws Exception {
        Path bin = pathWithoutMaven();
        Map<String, String> env = Map.of("PATH", bin.toString(), "JAVA_HOME", System.getProperty("java.home"));
        Proc which = bash(env, ". tools/jdk.sh; pseries_mvn");
        assertEquals(ROOT.resolve("mvnw") + "\n", which.out());
        Proc v = bash(env, "./mvnw -v");
        assertEquals(0, v.code(), v.err() + v.out());
        assertTrue(v.out().contains("Apache Maven 3.9"), v.out());
    }

    @Test
    void theQuietSummaryCountsEachModuleAndNamesTheFailures() throws Exception {
        Path log = dir.resolve("mvn.log");
        Files.writeString(log, """
            [INFO] ----------------------< io.pseries:core-machine >-----------------------
            [INFO] Tests run: 3, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s -- in io.pseries.core.ATest
            [INFO] Results:
            [INFO]
            [INFO] Tests run: 10, Failures: 0, Errors: 0, Skipped: 2
            [INFO] ----------------------< io.pseries:test-scripts >-----------------------
            [ERROR] Results:
            [ERROR]
            [ERROR] Failures:
            [ERROR]   CommandLineTest.shards:214 expected: <1> but was: <2>
            [ERROR] Errors:
            [ERROR]   JsApiTest.boots:12 NullPointer
            [ERROR] Tests run: 20, Failures: 1, Errors: 1, Skipped: 1
            [ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.5.2:test (default-test) on project test-scripts
            """);
        Path total = dir.resolve("total");
        Proc p = bash(Map.of(), "awk -v total=" + total + " -f tools/maven-summary.awk " + log);
        assertEquals(List.of(
            "run-tests: core-machine   8 passed, 0 failed, 2 skipped",
            "run-tests:   FAILED CommandLineTest.shards:214 expected: <1> but was: <2>",
            "run-tests:   FAILED JsApiTest.boots:12 NullPointer",
            "run-tests: test-scripts   17 passed, 2 failed, 1 skipped",
            "run-tests: [ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.5.2:test (default-test) on project test-scripts"),
            p.out().lines().toList());
        assertEquals("25 2 3", Files.readString(total).strip(), "passed, failed (failures and errors), skipped");
    }

    @Test
    void bashCompletionCompletesSubcommandsAndOptions() throws Exception {
        StringWriter out = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)).execute("completion", "bash");
        assertEquals(0, code);
        Path script = dir.resolve("pseries-completion.bash");
        Files.writeString(script, out.toString());
        List<String> lines = new ArrayList<>();
        for (String words : List.of("pseries ru", "pseries test --sh", "pseries test --reporter ", "pseries comp")) {
            String[] w = words.split(" ", -1);
            StringBuilder arr = new StringBuilder();
            for (String x : w) {
                arr.append(" '").append(x).append('\'');
            }
            Proc p = bash(Map.of(), "source " + script + "; COMP_WORDS=(" + arr + "); COMP_CWORD=" + (w.length - 1)
                + "; COMP_LINE='" + words + "'; COMP_POINT=${#COMP_LINE}; _complete_pseries; echo \"${COMPREPLY[*]}\"");
            lines.add(p.out().strip());
        }
        assertEquals("run", lines.get(0).strip());
        assertTrue(lines.get(1).contains("--shard"), lines.get(1));
        assertEquals(List.of("junit", "spec", "tap"), List.of(lines.get(2).split(" +")).stream().sorted().toList());
        assertEquals("completion", lines.get(3).strip());
        StringWriter zsh = new StringWriter();
        Main.commandLine(new PrintWriter(zsh, true), new PrintWriter(new StringWriter(), true)).execute("completion", "zsh");
        assertTrue(zsh.toString().contains("bashcompinit") && zsh.toString().contains("_complete_pseries"), "zsh loads the same script");
    }
}
