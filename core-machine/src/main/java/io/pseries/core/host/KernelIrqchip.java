package io.pseries.core.host;

import java.util.List;

import io.pseries.core.intc.ControllerSet;
import io.pseries.core.intc.InterruptController;

/**
 * The machine's {@code kernelIrqchip} option applied at every controller switch (QEMU's
 * spapr_irq_init_kvm around set_active_intc's deactivate/activate):
 *
 * <pre>
 *  deactivated(old)  old in kernel? ─► old.disconnectKernel()      (munmap, close)
 *  activating(new)   'off' ─► nothing (emulated)
 *                    else new.connectKernel(host) ─► ok: in kernel
 *                         └ error, 'on':      fatal  "kernel_irqchip requested but unavailable: ERR"
 *                         └ error, 'allowed': warning "kernel_irqchip allowed but unavailable: ERR"
 *                                             + "Falling back to kernel-irqchip=off"; emulated
 * </pre>
 *
 * A fatal error is an {@link IllegalStateException} carrying QEMU's message (QEMU exits with it):
 * at machine creation it refuses the machine, at CAS it is the CAS call's error.
 *
 * <p>Threading: the machine's thread only.
 */
public final class KernelIrqchip implements ControllerSet.SwitchHook {
    private final String mode;
    private final Host host;
    private final List<String> warnings;

    /** {@code mode} is the checked option value: "off", "on" or "allowed". */
    public KernelIrqchip(String mode, Host host, List<String> warnings) {
        this.mode = mode;
        this.host = host;
        this.warnings = warnings;
    }

    public String mode() {
        return mode;
    }

    @Override
    public void deactivated(InterruptController c) {
        if (c.inKernel()) {
            host.irqchipChanging();
            c.disconnectKernel();
        }
    }

    @Override
    public void activating(InterruptController c) {
        if ("off".equals(mode)) {
            return;
        }
        String err = c.connectKernel(host);
        if (err == null) {
            host.irqchipChanged();
            return;
        }
        if ("on".equals(mode)) {
            throw new IllegalStateException("kernel_irqchip requested but unavailable: " + err);
        }
        warnings.add("kernel_irqchip allowed but unavailable: " + err + "\nFalling back to kernel-irqchip=off");
        host.irqchipChanged();
    }

    /**
     * After a restore's sections were committed (QEMU's spapr_irq_post_load): the in-kernel
     * device is made again for the restored active controller (every connected one
     * disconnected, then the active one connected under this option, which pushes what the
     * controller holds, pass-through links re-armed), then fed the state only the kernel keeps
     * (the controller's post_load). The VM stays stopped. Returns {@code null} or what the
     * device refused.
     */
    public String postLoad(ControllerSet controllers) {
        boolean any = false;
        for (InterruptController c : controllers.all()) {
            if (c.inKernel()) {
                deactivated(c);
                any = true;
            }
        }
        if (!any && "off".equals(mode)) {
            return null;
        }
        InterruptController a = controllers.active();
        activating(a);
        return a.inKernel() ? a.kernelPostLoad() : null;
    }
}
