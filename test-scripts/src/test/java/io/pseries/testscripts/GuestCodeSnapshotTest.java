package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.snapshot.SnapshotException;

/**
 * Snapshots of machines running real guest code (the payloads of {@code payloads/}, built with
 * the cross compiler): the interpreters' registers, stops, decrementers and pending slices are
 * in the stream ({@code cpu/code}), so a run cut into pieces, each piece's machine snapshotted
 * and restored into a fresh machine that runs the next piece, ends exactly as the same pieces run
 * on one machine: the same console, virtual time and final snapshot, byte for byte. Without the
 * cross compiler the test is skipped, unless PSERIES_REQUIRE_CROSS is set (CI), where it fails.
 */
class GuestCodeSnapshotTest {
    private static final Path OUT = Path.of("target", "payloads-snapshot").toAbsolutePath();
    /** How many pieces a run is cut into (a piece is the straight run's virtual time over this). */
    private static final int PIECES = 64;
    private static final long LIMIT_NS = 60_000_000_000L;

    @BeforeAll
    static void build() throws IOException, InterruptedException {
        PayloadBuild.build(OUT, List.of("qemu-selftest", "exceptions"));
    }

    private static Machine booted(String payload, String icMode, int cpus) throws IOException {
        Machine m = Machine.create(MachineConfig.builder().cpus(cpus).icMode(icMode).memory(512L << 20).build());
        m.loadElf(Files.readAllBytes(OUT.resolve(payload + ".elf")));
        return m;
    }

    /** The virtual time a straight run of the payload takes to power off. */
    private static long length(String payload, String icMode, int cpus) throws IOException {
        Machine m = booted(payload, icMode, cpus);
        assertEquals(new CpuThreads.Outcome(CpuThreads.Ending.HALTED, "power-off"), m.runGuest(LIMIT_NS), m.console());
        return m.now();
    }

    /** Runs {@code m} in pieces of {@code piece} ns until power-off; {@code checkpoint} each piece: a fresh machine takes over. */
    private static Machine runInPieces(Machine m, long piece, boolean checkpoint) {
        for (long t = 0; t < LIMIT_NS; t += piece) {
            CpuThreads.Outcome o = m.runGuest(piece);
            if (o.ending() != CpuThreads.Ending.TIMEOUT) {
                assertEquals(new CpuThreads.Outcome(CpuThreads.Ending.HALTED, "power-off"), o, m.console());
                return m;
            }
            if (checkpoint) {
                byte[] s = m.snapshot();
                Machine fresh = Machine.create(m.config());
                fresh.restore(s);
                m = fresh;
            }
        }
        throw new AssertionError("no power-off in " + LIMIT_NS + " ns: " + m.console());
    }

    @ParameterizedTest(name = "{0} in {1} mode on {2} vCPUs ends the same with a snapshot and restore at 64 points")
    @CsvSource({
        "qemu-selftest, xive, 1",
        "qemu-selftest, xics, 1",
        "exceptions, xics, 4",
    })
    void aRunCutByCheckpointsEndsAsTheSamePiecesOnOneMachine(String payload, String icMode, int cpus) throws IOException {
        long piece = Math.max(1, length(payload, icMode, cpus) / PIECES);
        Machine straight = runInPieces(booted(payload, icMode, cpus), piece, false);
        Machine restored = runInPieces(booted(payload, icMode, cpus), piece, true);
        assertTrue(straight.console().contains("DONE") || straight.console().contains("RESULT"), straight.console());
        assertEquals(straight.console(), restored.console());
        assertEquals(straight.now(), restored.now());
        for (int c = 0; c < cpus; c++) {
            assertEquals(straight.interpreter(c).registers(), restored.interpreter(c).registers(), "vCPU " + c);
        }
        assertArrayEquals(straight.snapshot(), restored.snapshot(), "the final snapshots differ");
    }

    /** A snapshot of a machine mid guest code, restored into a machine of the same configuration, goes on from there. */
    @Test
    void theRestoredMachineGoesOnFromTheSavedRegistersNotTheTargetsOwn() throws IOException {
        long half = length("exceptions", "xics", 4) / 2;
        Machine a = booted("exceptions", "xics", 4);
        assertEquals(CpuThreads.Ending.TIMEOUT, a.runGuest(half).ending());
        byte[] s = a.snapshot();
        Machine b = booted("exceptions", "xics", 4);
        b.restore(s);
        for (int c = 0; c < 4; c++) {
            assertEquals(a.interpreter(c).registers(), b.interpreter(c).registers(), "vCPU " + c);
        }
        assertEquals(a.runGuest(LIMIT_NS), b.runGuest(LIMIT_NS));
        assertEquals(a.console(), b.console());
    }

    /** An interpreter's stop kind out of range is refused whole, and the target keeps its own state. */
    @Test
    void aCorruptInterpreterStateIsRefusedAndTheTargetIsUnchanged() throws IOException {
        Machine a = booted("exceptions", "xics", 4);
        a.runGuest(length("exceptions", "xics", 4) / 2);
        Machine b = booted("exceptions", "xics", 4);
        byte[] before = b.snapshot();
        byte[] bad = a.snapshot();
        // every single-byte change of the cpu/code section is refused by its checksum at least
        int at = indexOf(bad, "cpu/code".getBytes(StandardCharsets.UTF_8));
        assertTrue(at > 0);
        bad[at + 40] ^= 0x5a;
        SnapshotException e = assertThrows(SnapshotException.class, () -> b.restore(bad));
        assertTrue(e.getMessage().contains("cpu/code"), e.getMessage());
        assertArrayEquals(before, b.snapshot());
    }

    private static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (a[i + j] != b[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
