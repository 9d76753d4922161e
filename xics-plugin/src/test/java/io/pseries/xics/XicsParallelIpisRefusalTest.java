package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;

/**
 * A XICS guest's IPIs do not run on host threads: H_IPI is an hcall through the shared hcall
 * table and ICP servers, not a posted ESB store. The refusal names it, and nothing is sent.
 */
class XicsParallelIpisRefusalTest {
    @Test
    void refused_onAnXicsGuest_naming_H_IPI() {
        Machine m = Machine.create(MachineConfig.builder().cpus(4).icMode("xics").devices(List.of()).hostThreads(2).build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.parallelIpis().run(new int[] {0, 1}, 1));
        assertTrue(e.getMessage().contains("on 2 host threads is refused: the guest runs XICS: its IPI is the H_IPI hcall"),
            e.getMessage());
        assertEquals(0, m.guest().ipisTaken(1));
        m.guest().ipi(0, 1);
        m.runUntilIdle();
        assertEquals(1, m.guest().ipisTaken(1), "the deterministic mode still serves it");
    }
}
