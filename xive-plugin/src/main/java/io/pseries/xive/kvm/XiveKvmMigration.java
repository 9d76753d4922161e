package io.pseries.xive.kvm;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.KvmResult;
import io.pseries.xive.Eas;
import io.pseries.xive.End;
import io.pseries.xive.Pq;
import io.pseries.xive.ThreadContext;
import io.pseries.xive.XiveSource;

/**
 * Migration with the native XIVE device, the VMM's side (QEMU's spapr_xive_kvm.c run-state
 * handler, pre_save and post_load; passthrough-facts section 5):
 *
 * <pre>
 *  vmStop    vCPUs out of the guest; every valid source whose PQ is not 01 -> 10, old PQ kept; EQ_SYNC
 *  preSave   EQ_CONFIG get of every valid END (generation, index); VP_STATE get of every vCPU
 *  postLoad  (stopped) EQ_CONFIG set, then per valid EAS GRP_SOURCE and SOURCE_CONFIG, then VP_STATE set
 *  vmRun     saved PQ written back (SET_PQ_00 + PQ << 8), a 00 found at 11 re-triggered; vCPUs back in
 *  stayStopped  (after postLoad, the VM not run) every valid source latched as vmStop leaves it:
 *            10 where the saved PQ is not 01, 01 where it is; the saved PQs kept
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
final class XiveKvmMigration {
    private final SpaprXiveKvm k;

    XiveKvmMigration(SpaprXiveKvm k) {
        this.k = k;
    }

    /**
     * The VM stops (vm_stop: the vCPUs leave the guest, then kvmppc_xive_change_state_handler):
     * every valid source whose PQ is not 01 is set to 10 (PENDING: masked, and a trigger while
     * stopped latches Q) and the PQ it had is kept as the emulated source's, which is what the
     * snapshot carries; then EQ_SYNC flushes what is in flight into the queues and marks their
     * pages dirty. Only a failure of EQ_SYNC is reported.
     */
    void vmStop() {
        if (k.stopped()) {
            return;
        }
        k.device().pauseVcpus();
        XiveSource src = k.xive().source();
        for (int lisn = 0; lisn < k.xive().nrIrqs(); lisn++) {
            if (!Eas.valid(k.xive().router().eas(lisn))) {
                continue;
            }
            long pq = k.esbAccess(lisn, false, XiveSource.ESB_GET, false, 0);
            if (pq < 0) {
                continue;
            }
            if (pq != Pq.OFF) {
                pq = k.esbAccess(lisn, false, XiveSource.ESB_SET_PQ_10, false, 0);
            }
            src.setPq(lisn, (int) pq & 3);
        }
        k.report(k.host().vm().setAttr(k.fd(), KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_EQ_SYNC), "SET",
            KvmXiveUapi.GRP_CTRL,
            KvmXiveUapi.CTRL_EQ_SYNC);
        k.setStopped(true);
    }

    /**
     * The VM runs (the run-state handler with running = true, then the vCPUs re-enter): every
     * valid source gets its saved PQ back by the load at SET_PQ_00 + (PQ << 8), and a source
     * saved at 00 that the load shows at 11 (an event latched while stopped) is triggered again.
     */
    void vmRun() {
        if (!k.stopped()) {
            return;
        }
        XiveSource src = k.xive().source();
        for (int lisn = 0; lisn < k.xive().nrIrqs(); lisn++) {
            if (!Eas.valid(k.xive().router().eas(lisn))) {
                continue;
            }
            int saved = src.pq(lisn);
            long old = k.esbAccess(lisn, false, XiveSource.ESB_SET_PQ_00 + (saved << 8), false, 0);
            if (saved == Pq.RESET && old == Pq.QUEUED) {
                k.esbAccess(lisn, true, 0, true, 0);
            }
        }
        k.setStopped(false);
        k.device().resumeVcpus();
    }

    /**
     * A restored VM that is not run (a checkpoint of a stopped source): the device's sources are
     * made what {@link #vmStop} left on the source, so a trigger while stopped latches Q as
     * there: 10 where the saved PQ is not 01, 01 where it is. The saved PQs (the emulated
     * source's) stay as loaded; {@link #vmRun} would give them back.
     */
    void stayStopped() {
        XiveSource src = k.xive().source();
        for (int lisn = 0; lisn < k.xive().nrIrqs(); lisn++) {
            if (Eas.valid(k.xive().router().eas(lisn))) {
                int latch = src.pq(lisn) == Pq.OFF ? Pq.OFF : Pq.PENDING;
                k.esbAccess(lisn, false, XiveSource.ESB_SET_PQ_00 + (latch << 8), false, 0);
            }
        }
    }

    /**
     * kvmppc_xive_pre_save and the vCPUs' pre_save: every valid END's generation and index
     * (EQ_CONFIG get) and every vCPU's OS ring words 0-1 (VP_STATE get, with the NVT-backed
     * IPB) into the emulated controller, whose sections the snapshot writes. The PQs were
     * saved when the VM stopped.
     */
    void preSave() {
        for (int e = 0; e < k.xive().nrEnds(); e++) {
            if ((k.xive().router().endWord(e, 0) & End.W0_VALID) != 0) {
                k.getQueueConfig(e);
            }
        }
        k.pullVpStates();
    }

    /**
     * kvmppc_xive_post_load, in its order: every valid END (EQ_CONFIG set, with its generation
     * and index), then every valid EAS (GRP_SOURCE with the LSI and asserted bits, then
     * SOURCE_CONFIG with target, priority, MASKED and EISN), then every vCPU's VP_STATE. The
     * VM is stopped meanwhile; the saved PQs go back when it runs ({@link #vmRun}). Returns
     * {@code null} or the first refusal, in QEMU's words.
     */
    String postLoad() {
        if (!k.stopped()) {
            k.device().pauseVcpus();
            k.setStopped(true);
        }
        String err = null;
        for (int e = 0; e < k.xive().nrEnds(); e++) {
            if ((k.xive().router().endWord(e, 0) & End.W0_VALID) != 0 && !k.setQueueConfig(e) && err == null) {
                err = String.format("XIVE: unable to restore END %d", e);
            }
        }
        for (int lisn = 0; lisn < k.xive().nrIrqs(); lisn++) {
            long eas = k.xive().router().eas(lisn);
            if (!Eas.valid(eas)) {
                continue;
            }
            String se = k.sourceReset(lisn);
            if (se != null && err == null) {
                err = se;
            }
            if (!k.setSourceConfig(lisn, eas) && err == null) {
                err = String.format("XIVE: unable to restore the configuration of LISN 0x%x", lisn);
            }
        }
        for (VCpu c : k.host().vm().cpus()) {
            ThreadContext t = k.xive().threadContext(c.index());
            long w = 0;
            for (int i = 0; i < 8; i++) {
                w = (w << 8) | t.reg(ThreadContext.QW1_OS + i);
            }
            KvmResult r = k.host().vm().setOneReg(k.fd(), c, KvmXiveUapi.REG_VP_STATE, w, 0);
            if (!r.isOk() && err == null) {
                err = String.format("XIVE: unable to restore the state of CPU%d: %s", c.vcpuId(), r.errno().message());
            }
        }
        return err;
    }
}
