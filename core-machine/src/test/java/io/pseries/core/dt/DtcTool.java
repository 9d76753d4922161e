package io.pseries.core.dt;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * The device-tree compiler for tests: runs {@code dtc} on bytes, and decides what a test does
 * when dtc is missing. With {@code PSERIES_REQUIRE_DTC=1} (CI sets it) a missing dtc fails the
 * test; otherwise the test is reported as skipped with the reason, never silently dropped.
 * The program is {@code dtc} on the PATH, or the system property {@code pseries.dtc}.
 * Any thread may call it; each call starts its own process.
 */
public final class DtcTool {
    public static final String REQUIRE_ENV = "PSERIES_REQUIRE_DTC";
    private static Boolean present;

    private DtcTool() {
    }

    /** What dtc printed and returned. */
    public record Result(int exit, String stdout, String stderr) {
    }

    static String program() {
        return System.getProperty("pseries.dtc", "dtc");
    }

    /** Whether dtc can be started (checked once per JVM). */
    public static synchronized boolean present() {
        if (present == null) {
            boolean found;
            try {
                Process p = new ProcessBuilder(program(), "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                found = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                found = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                found = false;
            }
            present = found;
        }
        return present;
    }

    /** Whether this run must have dtc (CI). */
    public static boolean required() {
        return "1".equals(System.getenv(REQUIRE_ENV));
    }

    /**
     * Ends the calling test when dtc is missing: a failure when it is required, else an aborted
     * (skipped) test whose reason says how to install it.
     */
    public static void need() {
        if (present()) {
            return;
        }
        String why = "dtc (" + program() + ") is not installed: apt-get install device-tree-compiler";
        if (required()) {
            fail(why + " (" + REQUIRE_ENV + "=1: this run must check the device tree against dtc)");
        }
        Assumptions.abort(why);
    }

    /** Runs dtc with {@code args} and the input file last; needs dtc ({@link #need}). */
    public static Result run(Path dir, byte[] input, String... args) throws IOException, InterruptedException {
        need();
        Path in = Files.createTempFile(dir, "in", ".bin");
        Files.write(in, input);
        List<String> cmd = new ArrayList<>(List.of(program()));
        cmd.addAll(List.of(args));
        cmd.add(in.toString());
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "dtc did not finish");
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
            new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream s) {
        try {
            return s.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
