package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.reference.LinuxBootOps;

/**
 * {@code m.pic('text')} after the model's guest booted the reference configuration and ran the
 * reference init script, line by line against QEMU 7.2's {@code info pic} at the end of the
 * Linux 6.1 boots ({@code reference/linux-boot/*.hmp.txt}).
 *
 * <p>Normalised on both sides, because they depend on the run and not on the machine: in XIVE
 * mode the event queues' fill index and their last entries (how many IPIs and device interrupts
 * Linux took before the monitor command: thousands on QEMU, a handful in the model) and the
 * queue page addresses (wherever the guest allocated them); in XICS mode the ICS's host
 * address (a QEMU heap pointer, which the model, having no such object, prints as {@code (nil)}). Everything else (every source's type, PQ, mask, EISN, target
 * and priority, every CPU's thread context, the queue size and generation) is compared as it is.
 */
class QemuInfoPicTest {

    /** QEMU's {@code info pic} section of a monitor dump. */
    static List<String> infoPic(String hmpFile) throws IOException {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : Files.readAllLines(LinuxBootOps.file(hmpFile))) {
            if (l.startsWith("### ")) {
                if (in) {
                    break;
                }
                in = l.equals("### (qemu) info pic");
                continue;
            }
            if (in) {
                out.add(l);
            }
        }
        return out;
    }

    /** Takes out what depends on the run (see the class comment). */
    static String normalise(String line) {
        return line
            .replaceAll("\\s+\\d+/(\\d+) @[0-9a-f]+ \\^(\\d) \\[.*\\]$", "  N/$1 @ADDR ^$2 [...]")
            .replaceAll("^(ICS [0-9a-f]+\\.\\.[0-9a-f]+) \\S+$", "$1 HOSTADDR");
    }

    @ParameterizedTest(name = "{0} 4-vCPU boot")
    @ValueSource(strings = {"xive", "xics"})
    void infoPicAfterBootMatchesQemu(String mode) throws IOException {
        Machine m = LinuxBootOrderTest.observed(mode);
        m.boot(GuestOs.BootOptions.defaults());
        LinuxBootOrderTest.initScript(m);
        m.runUntilIdle();
        List<String> want = infoPic(mode + "_smp4.hmp.txt").stream().map(QemuInfoPicTest::normalise).toList();
        List<String> got = m.activeController().picText().lines().map(QemuInfoPicTest::normalise).toList();
        assertEquals(String.join("\n", want), String.join("\n", got));
    }
}
