package io.pseries.core.cas;

import java.util.List;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.ControllerSet;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * ibm,client-architecture-support as QEMU's do_client_architecture_support answers it: the
 * guest's option vector 5 is checked, intersected with the machine's, and the interrupt mode it
 * picks becomes active in place, without a reset.
 *
 * <pre>
 *  negotiate(guest ov5) ──► checks (one running vCPU, a vector, MMU, interrupt mode, availability)
 *        │ refused: CasException with QEMU's message, cas_refused trace, machine unchanged
 *        ▼
 *  negotiated = machine ov5 ∩ guest ov5 ──► ControllerSet.updateActive ──► CasResult, cas trace
 * </pre>
 *
 * <p>The machine's vector is what QEMU 7.2 sets for a TCG POWER9 machine, with the XIVE
 * exploitation bit when an exploitation backend exists. The negotiated vector is empty before
 * CAS and after a reset. Threading: confined to the machine's thread.
 */
public final class CasNegotiation {
    private final ControllerSet controllers;
    private final List<VCpu> cpus;
    private final Trace trace;
    private OptionVector negotiated = new OptionVector();
    private long compatPvr;
    private boolean preIsa3;

    /**
     * @param controllers the machine's backends (may still be empty: they are read at each call)
     * @param cpus        the machine's vCPUs, index order
     */
    public CasNegotiation(ControllerSet controllers, List<VCpu> cpus, Trace trace) {
        this.controllers = controllers;
        this.cpus = cpus;
        this.trace = trace;
    }

    /** The machine's own option vector 5 (spapr->ov5): what it can negotiate. A fresh copy. */
    public OptionVector platform() {
        OptionVector ov5 = OptionVector.ofBytes(2, 0x20, 5, 0xa0, 6, 0x05, 22, 0x80, 24, 0x40, 26, 0x40);
        if (controllers.has(CasRole.EXPLOITATION)) {
            ov5.set(OptionVector.OV5_XIVE_EXPLOIT);
        }
        return ov5;
    }

    /** The bits negotiated at the last CAS (empty before CAS and after reset); live, not a copy. */
    public OptionVector negotiated() {
        return negotiated;
    }

    /** Restores a snapshot's CAS outcome. The caller then re-picks the active backend. */
    public void restore(OptionVector negotiatedOv5, long compatPvr, boolean preIsa3) {
        negotiated = negotiatedOv5.copy();
        this.compatPvr = compatPvr;
        this.preIsa3 = preIsa3;
    }

    /** The compatibility PVR of every vCPU (0 before CAS, after reset, and in raw mode). */
    public long compatPvr() {
        return compatPvr;
    }

    /** What the device tree shows as each CPU's {@code cpu-version}: the compat PVR, else the real one. */
    public long cpuVersion() {
        return compatPvr != 0 ? compatPvr : PvrList.POWER9_PVR;
    }

    /** Whether the last CAS came from a guest without ISA 3.00 in option vector 1 (radix then hidden). */
    public boolean preIsa3Guest() {
        return preIsa3;
    }

    /** Whether CAS negotiated FORM2 NUMA affinity (option vector 5 byte 5, 0x20). */
    public boolean form2Affinity() {
        return negotiated.test(OptionVector.OV5_FORM2_AFFINITY);
    }

    /** Machine reset: forgets the CAS outcome. The caller then re-picks the active backend. */
    public void reset() {
        negotiated = new OptionVector();
        compatPvr = 0;
        preIsa3 = false;
    }

    /** The byte 23 this platform advertises: 0x80 both, 0x40 XIVE only, 0x00 XICS only. */
    public int platformInterruptModes() {
        boolean legacy = controllers.has(CasRole.LEGACY);
        boolean exploit = controllers.has(CasRole.EXPLOITATION);
        return legacy && exploit ? 0x80 : exploit ? 0x40 : 0x00;
    }

    /**
     * CAS from the boot CPU with the guest's option vector 5 ({@code null}: the guest sent none).
     * On success the negotiated vector is kept and the active backend switched in place; on
     * failure nothing changes and the {@link CasException} carries QEMU's message.
     */
    public CasResult negotiate(OptionVector guestOv5) {
        return negotiate(PvrList.LINUX_6_1_OV1, PvrList.LINUX_6_1, guestOv5);
    }

    /**
     * CAS with the guest's whole request: option vector 1 (null: none), the PVR list, and option
     * vector 5, checked in QEMU's order (one running vCPU, the PVR list, then vector 5).
     */
    public CasResult negotiate(OptionVector guestOv1, PvrList pvrs, OptionVector guestOv5) {
        for (VCpu c : cpus) {
            if (c.index() != 0 && c.running()) {
                throw refused("guest has multiple active vCPUs at CAS, which is not allowed",
                    PaprRc.H_MULTI_THREADS_ACTIVE, false, guestOv5);
            }
        }
        // QEMU's spapr_cas_pvr trace (current, explicit_match, new) rides on the cas event
        PvrList.Choice choice = pvrs.select(PvrList.POWER9_PVR);
        if (choice.compatPvr() == 0 && !choice.explicitMatch()) {
            throw refused("Couldn't negotiate a suitable PVR during CAS", PaprRc.H_HARDWARE, false, guestOv5);
        }
        if (guestOv5 == null) {
            throw refused("guest didn't provide option vector 5", PaprRc.H_PARAMETER, false, null);
        }
        if (guestOv5.test(OptionVector.bit(24, 0))) {
            throw refused("guest requested hash and radix MMU, which is invalid.", 0, true, guestOv5);
        }
        if (guestOv5.test(OptionVector.OV5_XIVE_BOTH)) {
            throw refused("guest requested an invalid interrupt mode", 0, true, guestOv5);
        }
        boolean guestXive = guestOv5.test(OptionVector.OV5_XIVE_EXPLOIT);
        if (guestXive && !controllers.has(CasRole.EXPLOITATION)) {
            throw refused("Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or"
                + " ic-mode=dual machine property", 0, true, guestOv5);
        }
        if (!guestXive && !controllers.has(CasRole.LEGACY)) {
            throw refused("Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode"
                + " machine property or try ic-mode=xics or ic-mode=dual", 0, true, guestOv5);
        }
        negotiated = platform().intersect(guestOv5);
        compatPvr = choice.compatPvr();
        preIsa3 = guestOv1 == null || !guestOv1.test(OptionVector.OV1_PPC_3_00);
        boolean switched = controllers.updateActive(negotiated);
        InterruptController active = controllers.active();
        CasResult r = new CasResult(active.name(), guestOv5.getByte(23), negotiated.getByte(23), negotiated.copy(), switched,
            compatPvr, choice.explicitMatch());
        if (trace.on(TraceCategory.CAS)) {
            trace.emit(TraceCategory.CAS, 0, "cas", "requested", r.requested(), "answer", r.answer(),
                "mode", r.mode(), "switched", r.switched(), "ov5", negotiated.toString(),
                "explicit_match", choice.explicitMatch(), "compat_pvr", choice.compatPvr());
        }
        return r;
    }

    private CasException refused(String msg, long rc, boolean fatal, OptionVector guestOv5) {
        if (trace.on(TraceCategory.CAS)) {
            trace.emit(TraceCategory.CAS, 0, "cas_refused", "message", msg, "rc", rc, "fatal", fatal,
                "requested", guestOv5 == null ? -1 : guestOv5.getByte(23));
        }
        return new CasException(msg, rc, fatal);
    }
}
