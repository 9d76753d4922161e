package io.pseries.xive.kvm;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.Errno;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.MemSlot;
import io.pseries.core.host.Vma;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.mem.MmioRegion;
import io.pseries.xive.Eas;
import io.pseries.xive.End;
import io.pseries.xive.EndConfig;
import io.pseries.xive.Field;
import io.pseries.xive.Pq;
import io.pseries.xive.SpaprXive;
import io.pseries.xive.ThreadContext;
import io.pseries.xive.XiveSource;

/**
 * The VMM's side of the native XIVE KVM device (QEMU's hw/intc/spapr_xive_kvm.c): how the
 * emulated sPAPR XIVE hands its work to the kernel while connected.
 *
 * <pre>
 *  connect     capability? create device, NR_SERVERS, mmap the ESB window (page 4) and the TIMA
 *              (page 0) and register both as memory slots over the guest's ESB and TIMA
 *              addresses, connect every vCPU (its VP starts with the kernel's own state: QEMU
 *              pushes no VP_STATE at connect), GRP_SOURCE for every valid EAS (LSI, asserted)
 *  disconnect  memory slots removed, munmap both, close the fd
 *  while connected:
 *    device line        ─► ASSERTED kept here; a trigger store through the VMM's ESB mapping
 *    H_INT_SET_SOURCE_CONFIG ─► SOURCE_CONFIG with the MASKED bit (nothing for priority 0xFF, as QEMU 7.2)
 *    H_INT_SET_QUEUE_CONFIG  ─► EQ_CONFIG set      H_INT_GET_QUEUE_CONFIG(debug) ─► EQ_CONFIG get
 *    H_INT_ESB          ─► load/store through the VMM's mapping of the management page
 *                         (an LSI's LOAD_EOI: SET_PQ_00, then a trigger if still asserted)
 *    H_INT_SYNC ─► SOURCE_SYNC          H_INT_RESET ─► CTRL RESET
 *    pic()              ─► PQ by ESB GET through the mapping, END position by EQ_CONFIG get,
 *                         OS ring words 0-1 by VP_STATE (kvmppc_xive_synchronize_state)
 *  stop / run, pre_save / post_load ─► {@link XiveKvmMigration} (snapshots and migration)
 * </pre>
 *
 * The VMM's own ESB accesses go through its mapping, so they fault pages in as QEMU's do.
 *
 * <p>Threading: the machine's thread only.
 */
public final class SpaprXiveKvm {
    /** QEMU maps with 64K pages whatever the host's page size (kvmppc_xive_mmap). */
    private static final int QEMU_PAGE_SHIFT = 16;

    private final SpaprXive xive;
    private final Host host;
    private final XiveKvmMigration migration;
    private int fd = -1;
    private Vma esb;
    private Vma tima;
    private int esbSlot = -1;
    /** With {@code host.esbMapping: 'per-source'}: one VMA and memory slot per source instead of {@link #esb}. */
    private PerSourceEsbMappings perSource;
    private int timaSlot = -1;

    public SpaprXiveKvm(SpaprXive xive, Host host) {
        this.xive = xive;
        this.host = host;
        this.migration = new XiveKvmMigration(this);
    }

    public int fd() {
        return fd;
    }

    public Vma esbVma() {
        return esb;
    }

    public Vma timaVma() {
        return tima;
    }

    private static String attrError(String op, long group, long attr, Errno e) {
        return String.format("KVM_%s_DEVICE_ATTR failed: Group %d attr 0x%016x: %s", op, group, attr, e.message());
    }

    /** kvmppc_xive_connect: {@code null}, or QEMU's error (everything done so far undone). */
    public String connect() {
        if (!host.vm().offers(KvmDeviceType.XIVE)) {
            return "IRQ_XIVE capability must be present for KVM";
        }
        KvmResult r = host.vm().createDevice(KvmDeviceType.XIVE);
        if (!r.isOk()) {
            return "XIVE: error creating KVM device: " + r.errno().message();
        }
        fd = r.ret();
        String err = setUp();
        if (err != null) {
            disconnect();
        }
        return err;
    }

    private String setUp() {
        if (host.vm().hasAttr(fd, KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_NR_SERVERS).isOk()) {
            KvmResult r = host.vm().setAttr(fd, KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_NR_SERVERS, xive.nrServers());
            if (!r.isOk()) {
                return attrError("SET", KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_NR_SERVERS, r.errno());
            }
        }
        VmmProcess.MmapResult m;
        String e;
        if (host.config().esbPerSource()) {
            // the layout laboratory's per-source ESB: each source is mapped when it is reset below
            perSource = new PerSourceEsbMappings(host, fd);
        } else {
            long esbLen = xive.source().regionSize();
            m = mmap(KvmXiveUapi.ESB_PAGE_OFFSET, esbLen, "xive.esb-kvm");
            if (!m.isOk()) {
                return "XIVE: unable to set memory mapping: " + m.errno().message();
            }
            esb = m.vma();
            e = slot(SpaprXive.VC_BASE, esb, "xive.esb-kvm", true);
            if (e != null) {
                return e;
            }
        }
        m = mmap(KvmXiveUapi.TIMA_PAGE_OFFSET, 4L << QEMU_PAGE_SHIFT, "xive.tima");
        if (!m.isOk()) {
            return "XIVE: unable to set memory mapping: " + m.errno().message();
        }
        tima = m.vma();
        e = slot(SpaprXive.TM_BASE, tima, "xive.tima", false);
        if (e != null) {
            return e;
        }
        for (VCpu c : host.vm().cpus()) {
            KvmResult r = host.vm().enableCap(fd, c, c.vcpuId());
            if (!r.isOk()) {
                String msg = String.format("XIVE: unable to connect CPU%d to KVM device: %s", c.vcpuId(), r.errno().message());
                return r.errno() == Errno.ENOSPC ? msg + "\nTry -smp maxcpus=N with N < " + xive.nrServers() : msg;
            }
        }
        for (int lisn = 0; lisn < xive.nrIrqs(); lisn++) {
            if (Eas.valid(xive.router().eas(lisn))) {
                String se = sourceReset(lisn);
                if (se != null) {
                    return se;
                }
            }
        }
        return null;
    }

    private VmmProcess.MmapResult mmap(long pageOffset, long bytes, String name) {
        int shift = host.config().pageShift();
        long byteOffset = pageOffset << QEMU_PAGE_SHIFT;
        return host.process().mmap(fd, byteOffset >>> shift, bytes >>> shift, name);
    }

    /** The RAM-device memory region QEMU overlays on the emulated one becomes a KVM memory slot. */
    private String slot(long gpa, Vma v, String name, boolean isEsb) {
        int s = host.memslots().freeSlot();
        if (s < 0) {
            return "kvm_alloc_slot: no free slot available";
        }
        KvmResult r = host.memslots().set(s, gpa, v.size(), v.start(), 0, name);
        if (!r.isOk()) {
            return "kvm_set_phys_mem: error registering slot: " + r.errno().message();
        }
        if (isEsb) {
            esbSlot = s;
        } else {
            timaSlot = s;
        }
        return null;
    }

    /** kvmppc_xive_disconnect: slots removed, both regions unmapped, the fd closed. */
    public void disconnect() {
        if (perSource != null) {
            perSource.unmapAll();
            perSource = null;
        }
        if (esbSlot >= 0) {
            host.memslots().set(esbSlot, 0, 0, 0, 0, "xive.esb-kvm");
            esbSlot = -1;
        }
        if (timaSlot >= 0) {
            host.memslots().set(timaSlot, 0, 0, 0, 0, "xive.tima");
            timaSlot = -1;
        }
        if (esb != null) {
            host.process().munmap(esb);
            esb = null;
        }
        if (tima != null) {
            host.process().munmap(tima);
            tima = null;
        }
        if (fd >= 0) {
            host.process().close(fd);
            fd = -1;
        }
    }

    /** kvmppc_xive_source_reset_one: GRP_SOURCE with the LSI and asserted bits. */
    public String sourceReset(int lisn) {
        long state = 0;
        if (xive.source().isLsi(lisn)) {
            state = KvmXiveUapi.LEVEL_SENSITIVE;
            if (xive.source().asserted(lisn)) {
                state |= KvmXiveUapi.LEVEL_ASSERTED;
            }
        }
        KvmResult r = host.vm().setAttr(fd, KvmXiveUapi.GRP_SOURCE, lisn, state);
        if (!r.isOk()) {
            return attrError("SET", KvmXiveUapi.GRP_SOURCE, lisn, r.errno());
        }
        return perSource == null ? null : perSource.map(lisn);
    }

    // ------------------------------------------------------------------ the VMM's ESB accesses

    /** An access through the VMM's mapping of the ESB window; all-ones (and a guest error) on SIGBUS. */
    long esbAccess(int lisn, boolean trigger, int offset, boolean write, long data) {
        Vma v = perSource == null ? esb : perSource.vma(lisn);
        long page = (perSource == null ? 2L * lisn : 0) + (trigger ? 0 : 1);
        long sub = (long) offset & ((1L << host.config().pageShift()) - 1);
        long phys = v == null ? -1 : host.process().touch(v, page, -1);
        if (phys < 0) {
            host.trace().guestError(-1, String.format("XIVE: VMM access to the ESB page of LISN 0x%x got SIGBUS", lisn),
                "lisn", lisn);
            return -1;
        }
        MmioRegion r = host.vm().hostPhys().find(phys + sub);
        if (r == null) {
            return -1;
        }
        if (write) {
            r.handler().write(null, phys + sub - r.base(), 8, data);
            return -1;
        }
        return r.handler().read(null, phys + sub - r.base(), 8);
    }

    /** kvmppc_xive_source_set_irq: an MSI trigger on a rising edge; an LSI keeps ASSERTED and triggers while up. */
    public void setIrq(int lisn, boolean level) {
        XiveSource src = xive.source();
        if (!src.isLsi(lisn)) {
            if (!level) {
                return;
            }
        } else if (level) {
            src.setStatus(lisn, src.status(lisn) | Pq.ASSERTED);
        } else {
            src.setStatus(lisn, src.status(lisn) & ~Pq.ASSERTED);
            return;
        }
        esbAccess(lisn, true, 0, true, 0);
    }

    /** kvmppc_xive_esb_rw, for H_INT_ESB. */
    public long esbRw(int lisn, int offset, long data, boolean write) {
        if (write) {
            esbAccess(lisn, false, offset, true, data);
            return -1;
        }
        XiveSource src = xive.source();
        if (src.isLsi(lisn) && offset == XiveSource.ESB_LOAD_EOI) {
            esbAccess(lisn, false, XiveSource.ESB_SET_PQ_00, false, 0);
            if (src.asserted(lisn)) {
                esbAccess(lisn, true, 0, true, 0);
            }
            return 0;
        }
        return esbAccess(lisn, false, offset, false, 0);
    }

    // ------------------------------------------------------------------ hcalls forwarded to attributes

    /**
     * kvmppc_xive_set_source_config: the EAS's target, priority, EISN and MASKED bit (H_INT_SET_SOURCE_CONFIG
     * with the MASK flag masks in the kernel too); false when the kernel refused (the hcall answers H_HARDWARE).
     */
    public boolean setSourceConfig(int lisn, long eas) {
        if (!Eas.valid(eas)) {
            return true;
        }
        int end = Eas.endIndex(eas);
        long cfg = (end & 7) | ((long) (end >>> 3) << 3) | ((long) Eas.endData(eas) << 33)
            | (Eas.masked(eas) ? KvmXiveUapi.SOURCE_MASKED_MASK : 0);
        return report(host.vm().setAttr(fd, KvmXiveUapi.GRP_SOURCE_CONFIG, lisn, cfg), "SET",
            KvmXiveUapi.GRP_SOURCE_CONFIG, lisn);
    }

    /** kvmppc_xive_set_queue_config from the END's words (an invalid END sends qshift 0: reset). */
    public boolean setQueueConfig(int end) {
        int w0 = xive.router().endWord(end, 0);
        long flags = 0;
        long qshift = 0;
        long qaddr = 0;
        long toggle = 0;
        long index = 0;
        if ((w0 & End.W0_VALID) != 0) {
            flags = (w0 & End.W0_UCOND_NOTIFY) != 0 ? KvmXiveUapi.EQ_ALWAYS_NOTIFY : 0;
            qshift = Field.get32(End.W0_QSIZE, w0) + 12;
            qaddr = End.queueAddress(xive.router().endWord(end, 2), xive.router().endWord(end, 3));
            toggle = EndConfig.toggle(xive.router(), end);
            index = EndConfig.index(xive.router(), end);
        }
        long eqIdx = (end & 7) | ((long) (end >>> 3) << 3);
        return report(host.vm().setAttr(fd, KvmXiveUapi.GRP_EQ_CONFIG, eqIdx, flags, qshift, qaddr, toggle, index),
            "SET", KvmXiveUapi.GRP_EQ_CONFIG, eqIdx);
    }

    /** kvmppc_xive_get_queue_config: the kernel's generation and index into the END's w1. */
    public boolean getQueueConfig(int end) {
        long eqIdx = (end & 7) | ((long) (end >>> 3) << 3);
        KvmResult r = host.vm().getAttr(fd, KvmXiveUapi.GRP_EQ_CONFIG, eqIdx);
        if (!report(r, "GET", KvmXiveUapi.GRP_EQ_CONFIG, eqIdx)) {
            return false;
        }
        if (r.value(1) != 0) {
            EndConfig.setPosition(xive.router(), end, (int) r.value(3), (int) r.value(4));
        }
        return true;
    }

    public boolean syncSource(int lisn) {
        return report(host.vm().setAttr(fd, KvmXiveUapi.GRP_SOURCE_SYNC, lisn), "SET", KvmXiveUapi.GRP_SOURCE_SYNC, lisn);
    }

    public boolean reset() {
        return report(host.vm().setAttr(fd, KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_RESET), "SET",
            KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_RESET);
    }

    boolean report(KvmResult r, String op, long group, long attr) {
        if (r.isOk()) {
            return true;
        }
        host.trace().guestError(-1, attrError(op, group, attr, r.errno()), "errno", r.errno().name());
        return false;
    }

    // ------------------------------------------------------------------ the VM's run state and migration

    /** Whether the VM is stopped (QEMU's run-state handler ran with running = false). */
    private boolean stopped;

    public boolean stopped() {
        return stopped;
    }

    void setStopped(boolean s) {
        stopped = s;
    }

    XiveNativeDevice device() {
        return (XiveNativeDevice) host.process().device(fd);
    }

    SpaprXive xive() {
        return xive;
    }

    Host host() {
        return host;
    }

    /** The VM stops: see {@link XiveKvmMigration#vmStop}. */
    public void vmStop() {
        migration.vmStop();
    }

    /** The VM runs again: see {@link XiveKvmMigration#vmRun}. */
    public void vmRun() {
        migration.vmRun();
    }

    /** A restored VM stays stopped: see {@link XiveKvmMigration#stayStopped}. */
    public void stayStopped() {
        migration.stayStopped();
    }

    /** Before a snapshot: see {@link XiveKvmMigration#preSave}. */
    public void preSave() {
        migration.preSave();
    }

    /** After a restore: see {@link XiveKvmMigration#postLoad}. */
    public String postLoad() {
        return migration.postLoad();
    }

    void pullVpStates() {
        for (VCpu c : host.vm().cpus()) {
            KvmResult r = host.vm().getOneReg(fd, c, KvmXiveUapi.REG_VP_STATE);
            if (r.isOk()) {
                ThreadContext t = xive.threadContext(c.index());
                long w = r.value(0);
                for (int i = 0; i < 8; i++) {
                    t.setReg(ThreadContext.QW1_OS + i, (int) (w >>> (56 - 8 * i)) & 0xff);
                }
            }
        }
    }

    // ------------------------------------------------------------------ state for pic()

    /**
     * kvmppc_xive_synchronize_state and kvmppc_xive_cpu_synchronize_state: the kernel's PQ of
     * every valid source, the position of every valid END and the OS ring words 0-1 of every
     * vCPU are copied into the emulated controller, which then reports them.
     */
    public void synchronizeState() {
        XiveSource src = xive.source();
        // while stopped the emulated PQs are the ones saved at the stop: a GET would read the latch
        for (int lisn = 0; lisn < xive.nrIrqs() && !stopped; lisn++) {
            if (Eas.valid(xive.router().eas(lisn))) {
                long pq = esbAccess(lisn, false, XiveSource.ESB_GET, false, 0);
                if (pq >= 0) {
                    src.setPq(lisn, (int) pq);
                }
            }
        }
        for (int e = 0; e < xive.nrEnds(); e++) {
            if ((xive.router().endWord(e, 0) & End.W0_VALID) != 0) {
                getQueueConfig(e);
            }
        }
        pullVpStates();
    }

    /** The memory slots this connection registered (ESB window, TIMA), for reports. */
    public MemSlot[] slots() {
        return host.memslots().list().stream().filter(s -> s.slot() == esbSlot || s.slot() == timaSlot)
            .toArray(MemSlot[]::new);
    }
}
