package io.pseries.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** kernelIrqchip with a controller that has no in-kernel device: QEMU's warning for 'allowed', its fatal error for 'on'. */
class MachineWarningsTest {
    @Test
    void kernelIrqchipAllowedFallsBackToTheEmulatedControllersWithQemusWarning() {
        Machine m = FakeIntc.machine(MachineConfig.builder().icMode("xive").kernelIrqchip("allowed").build());
        assertEquals(1, m.warnings().size());
        assertTrue(m.warnings().get(0).startsWith("kernel_irqchip allowed but unavailable"), m.warnings().get(0));
        assertTrue(m.warnings().get(0).endsWith("\nFalling back to kernel-irqchip=off"), m.warnings().get(0));
        assertEquals(List.of(m.warnings().get(0)), m.info().get("warnings"));
    }

    @Test
    void kernelIrqchipOffHasNoWarning() {
        assertTrue(FakeIntc.machine(1, "xive").warnings().isEmpty());
    }

    @Test
    void kernelIrqchipOnIsFatalSayingWhy() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> FakeIntc.machine(MachineConfig.builder().icMode("xive").kernelIrqchip("on").build()));
        assertTrue(e.getMessage().startsWith("kernel_irqchip requested but unavailable: "), e.getMessage());
    }
}
