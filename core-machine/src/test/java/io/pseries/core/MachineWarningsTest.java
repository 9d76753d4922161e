package io.pseries.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** kernelIrqchip: QEMU's fallback warning for 'allowed', a clear refusal for 'on'. */
class MachineWarningsTest {
    @Test
    void kernelIrqchipAllowedFallsBackToTheEmulatedControllersWithQemusWarning() {
        Machine m = FakeIntc.machine(MachineConfig.builder().icMode("xive").kernelIrqchip("allowed").build());
        assertEquals(1, m.warnings().size());
        assertTrue(m.warnings().get(0).startsWith("kernel_irqchip allowed but unavailable"), m.warnings().get(0));
        assertEquals(List.of(m.warnings().get(0)), m.info().get("warnings"));
    }

    @Test
    void kernelIrqchipOffHasNoWarning() {
        assertTrue(FakeIntc.machine(1, "xive").warnings().isEmpty());
    }

    @Test
    void kernelIrqchipOnIsRefusedSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FakeIntc.machine(MachineConfig.builder().icMode("xive").kernelIrqchip("on").build()));
        assertTrue(e.getMessage().startsWith("invalid machine option kernelIrqchip: 'on' needs the simulated in-kernel"), e.getMessage());
    }
}
