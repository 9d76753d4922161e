package io.pseries.core.intc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.VCpu;

/**
 * The interrupt-controller backends of one machine and which of them is active: the
 * all-backends vs active-backend seam (QEMU's SpaprInterruptController list in spapr_irq.c).
 *
 * <pre>
 *  cpuCreated / claim / free / reset ──► every backend (legacy first)
 *  updateActive(negotiated ov5) ──► choose (spapr_irq_update_active_intc) ──► switchTo(want)
 *      switchTo:  old.deactivate(), every vCPU's interrupt inputs dropped
 *                 active = want, want.activate(), every raised line replayed into want
 * </pre>
 *
 * <p>In dual mode both controllers exist from creation and know every claimed number; only the
 * active one is told line levels, writes its device-tree node and serves its hcalls and MMIO.
 * {@link #switchTo} is the one place the active backend changes (CAS, machine reset): whatever
 * must happen around a switch (an in-kernel device disconnected before, another connected
 * after) belongs there, before {@code deactivate} or after the replay.
 *
 * <p>Threading: confined to the machine's thread.
 */
public final class ControllerSet {
    /** What happens around a switch: the in-kernel device of the old backend goes, the new one's comes. */
    public interface SwitchHook {
        /** After {@code c.deactivate()}. */
        void deactivated(InterruptController c);

        /** Before {@code c.activate()} (QEMU's activate connects first, then enables the MMIO). */
        void activating(InterruptController c);
    }

    private final List<InterruptController> controllers = new ArrayList<>();
    private SwitchHook hook = new SwitchHook() {
        @Override
        public void deactivated(InterruptController c) {
        }

        @Override
        public void activating(InterruptController c) {
        }
    };
    private final List<VCpu> cpus;
    private final Supplier<int[]> raisedLines;
    private InterruptController active;

    /**
     * @param cpus        the machine's vCPUs (a live view: vCPUs are created after the controllers)
     * @param raisedLines the interrupt numbers whose line is up, replayed into a newly active backend
     */
    public ControllerSet(List<VCpu> cpus, Supplier<int[]> raisedLines) {
        this.cpus = cpus;
        this.raisedLines = raisedLines;
    }

    /** Sets what runs around every switch (the machine's kernel-irqchip policy). */
    public void setSwitchHook(SwitchHook h) {
        this.hook = h;
    }

    /** Adds a backend (creation order: legacy first, as spapr_irq_init). */
    public void add(InterruptController c) {
        controllers.add(c);
    }

    /** Every backend, legacy first. */
    public List<InterruptController> all() {
        return Collections.unmodifiableList(controllers);
    }

    /** The backend with this name, or null. */
    public InterruptController byName(String name) {
        for (InterruptController c : controllers) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Whether a backend of this CAS role exists. */
    public boolean has(CasRole role) {
        return controllers.stream().anyMatch(c -> c.casRole() == role);
    }

    /** The active backend (null only before the first {@link #updateActive}). */
    public InterruptController active() {
        return active;
    }

    public boolean isActive(InterruptController c) {
        return active == c;
    }

    // ------------------------------------------------------------------ every backend

    /** A vCPU was created: every backend allocates its presenter state. */
    public void cpuCreated(VCpu cpu) {
        for (InterruptController c : controllers) {
            c.cpuCreated(cpu);
        }
    }

    /** Claims a (checked, free) number in every backend. */
    public void claim(int irq, boolean lsi) {
        for (InterruptController c : controllers) {
            c.claim(irq, lsi);
        }
    }

    /** Releases a number in every backend. */
    public void free(int irq) {
        for (InterruptController c : controllers) {
            c.free(irq);
        }
    }

    /** Machine reset of every backend (claims kept). The caller then picks the active one. */
    public void reset() {
        for (InterruptController c : controllers) {
            c.reset();
        }
    }

    // ------------------------------------------------------------------ the active backend

    /** Sends a line level to the active backend only. */
    public void setIrq(int irq, boolean level) {
        active.setIrq(irq, level);
    }

    /**
     * QEMU's spapr_irq_update_active_intc: the exploitation backend when it is alone or was
     * negotiated ({@code negotiated} has the XIVE exploitation bit), the legacy one otherwise.
     */
    public InterruptController choose(OptionVector negotiated) {
        InterruptController legacy = null;
        InterruptController exploit = null;
        for (InterruptController c : controllers) {
            if (c.casRole() == CasRole.LEGACY) {
                legacy = c;
            } else {
                exploit = c;
            }
        }
        if (legacy == null) {
            return exploit;
        }
        if (exploit != null && negotiated.test(OptionVector.OV5_XIVE_EXPLOIT)) {
            return exploit;
        }
        return legacy;
    }

    /**
     * Snapshot restore: makes {@code want} active without replaying line levels (its restored
     * source state already holds them); the machine lowered the vCPU inputs before, and the
     * controllers re-derive them after.
     */
    public void restoreActive(InterruptController want) {
        if (want == active) {
            return;
        }
        if (active != null) {
            active.deactivate();
        }
        active = want;
        want.activate();
    }

    /** Makes {@link #choose}'s pick active; returns whether the active backend changed. */
    public boolean updateActive(OptionVector negotiated) {
        return switchTo(choose(negotiated));
    }

    /**
     * Makes {@code want} the active backend; nothing happens when it already is. Returns
     * whether the active backend changed.
     */
    public boolean switchTo(InterruptController want) {
        if (want == active) {
            return false;
        }
        InterruptController before = active;
        // before: the old backend stops serving and lets go of the vCPUs' inputs
        if (before != null) {
            before.deactivate();
            hook.deactivated(before);
            for (VCpu c : cpus) {
                c.setOsInterrupt(false);
                c.setHvInterrupt(false);
            }
        }
        active = want;
        hook.activating(want);
        want.activate();
        // after: a wire keeps its level, so the new backend sees every line that is up
        for (int irq : raisedLines.get()) {
            want.setIrq(irq, true);
        }
        return true;
    }
}
