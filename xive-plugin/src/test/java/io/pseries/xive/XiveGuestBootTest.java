package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;

/**
 * The Linux-like guest booted in XIVE mode on 4 vCPUs (facts §13.2-13.5): CAS asks and gets
 * byte 23 = 0x40, the XIVE driver sets up a priority-6 queue of 2^16 bytes and an IPI on every
 * CPU, device interrupts are spread round-robin, and a ring of IPIs leaves every CPU at rest
 * (CPPR 0xFF, nothing pending, its OS CAM still pushed) with one entry in each IPI's queue.
 */
class XiveGuestBootTest {

    static Machine machine(int cpus) {
        return Machine.create(MachineConfig.builder().cpus(cpus).icMode("xive")
            .device("spapr-vlan", Map.of()).build());
    }

    @Test
    void bootsAndDeliversIpisInARing() {
        Machine m = machine(4);
        GuestOs.BootReport r = m.boot(GuestOs.BootOptions.defaults());
        assertEquals("xive", r.mode());
        assertEquals(4, r.cpus());
        String steps = String.join("\n", r.steps());
        int cas = steps.indexOf("cas: answer byte 23 = 0x40");
        int driver = steps.indexOf("kernel: interrupt driver xive");
        assertTrue(cas >= 0 && driver > cas, "CAS answers XIVE exploitation before the driver starts: " + steps);
        assertTrue(steps.indexOf("xive: TIMA OS page 0x60302031a0000, priority 6, IPI LISNs 0..3, queues of 2^16 bytes") > driver,
            steps);
        for (int c = 1; c < 4; c++) {
            assertTrue(steps.indexOf("cpu " + c + ": started, interrupt set-up done") > driver,
                "cpu " + c + " brought up, with its queue, CPPR and IPI, after the driver: " + steps);
        }
        // kernel numbers in map order (EPOW, the VIO bus: vty, nvram, l-lan; then hot-plug), targets
        // round-robin in request order (EPOW, hot-plug, console, l-lan at open)
        assertEquals(List.of("4096@17>0", "4352@18>2", "4354@20>3", "4097@21>1"), r.irqs().stream()
                .map(i -> i.get("hwirq") + "@" + i.get("virq") + ">" + i.get("cpu")).toList(),
            "device interrupts: hwirq@virq>cpu");

        for (int i = 0; i < 4; i++) {
            m.guest().ipi(i, (i + 1) % 4);
        }
        m.runUntilIdle();
        for (int i = 0; i < 4; i++) {
            assertEquals(1, m.guest().ipisTaken(i), "cpu " + i);
        }
        String pic = m.activeController().picText();
        for (int c = 0; c < 4; c++) {
            String cpu = String.format("CPU[%04x]", c);
            assertTrue(pic.contains(String.format("%s:   OS    00   ff  00    ff   ff  00  ff   ff  8000040%d", cpu, c)),
                "OS ring of cpu " + c + " at rest (NSR 0, CPPR ff, IPB 0, PIPR ff, CAM pushed):\n" + pic);
            assertTrue(pic.matches("(?s).*\\n  0000000" + c + " MSI --    00000010   " + c + "/6      1/16384 @[0-9a-f]+ \\^1 \\[ (0{8} ){4}80000010 \\^0{8} \\]\\n.*"),
                "IPI " + c + ": PQ 00, EISN 0x10, one entry of a 16384-entry queue, generation 1, the queue's tail"
                    + " as QEMU prints it (the entry written, then ^ at the next slot):\n" + pic);
        }
    }
}
