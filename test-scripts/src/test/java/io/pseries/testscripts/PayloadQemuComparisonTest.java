package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cpu.CpuThreads;

/**
 * Real guest code against QEMU: the payloads in {@code payloads/} are built with the cross
 * compiler, booted on this machine and their console compared line by line with what QEMU 7.2
 * printed for the same binary ({@code payloads/NAME/qemu-7.2-*.txt}), the time-dependent figures
 * of the RESULT lines masked. Without the cross compiler the test is skipped, unless
 * PSERIES_REQUIRE_CROSS is set (CI), where it fails.
 */
class PayloadQemuComparisonTest {
    private static final Path PAYLOADS = PayloadBuild.PAYLOADS;
    private static final Path OUT = Path.of("target", "payloads").toAbsolutePath();

    @BeforeAll
    static void build() throws IOException, InterruptedException {
        PayloadBuild.build(OUT, List.of("qemu-selftest", "exceptions"));
    }

    /** The console with QEMU's line ends and the RESULT lines' timing figures masked. */
    static List<String> comparable(String console) {
        return Arrays.stream(console.replace("\r", "").split("\n", -1))
            .map(l -> l.replaceAll("tb_ticks=\\d+ us=\\d+ rate_per_s=\\d+ ns_per_irq=\\d+", "tb_ticks=_ us=_ rate_per_s=_ ns_per_irq=_"))
            .toList();
    }

    @ParameterizedTest(name = "{0} in {1} mode on {2} vCPUs prints what QEMU 7.2 printed")
    @CsvSource({
        "qemu-selftest, xive, 1, qemu-7.2-xive.txt",
        "qemu-selftest, xics, 1, qemu-7.2-xics.txt",
        "exceptions, xics, 4, qemu-7.2-xics-smp4.txt",
    })
    void consoleMatchesQemu(String payload, String icMode, int cpus, String expected) throws IOException {
        Machine m = Machine.create(MachineConfig.builder().cpus(cpus).icMode(icMode).memory(512L << 20).build());
        m.loadElf(Files.readAllBytes(OUT.resolve(payload + ".elf")));
        CpuThreads.Outcome o = m.runGuest(60_000_000_000L);
        assertEquals(new CpuThreads.Outcome(CpuThreads.Ending.HALTED, "power-off"), o, m.console());
        String qemu = Files.readString(PAYLOADS.resolve(payload).resolve(expected));
        assertEquals(comparable(qemu), comparable(m.console()));
    }
}
