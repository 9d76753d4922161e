package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;

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
        for (int i = 0; i < 4; i++) {
            m.guest().ipi(i, (i + 1) % 4);
        }
        m.runUntilIdle();
        for (int i = 0; i < 4; i++) {
            assertEquals(1, m.guest().ipisTaken(i), "cpu " + i);
        }
        System.out.println(r.steps());
        System.out.println(m.activeController().picText());
    }
}
