package io.pseries.xive.kvm;

import java.util.BitSet;
import java.util.List;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.KvmVm;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.xive.EndConfig;
import io.pseries.xive.Presenter;
import io.pseries.xive.ThreadContext;
import io.pseries.xive.Tima;
import io.pseries.xive.XiveRouter;
import io.pseries.xive.XiveSource;

/**
 * The POWER9 host's XIVE as the host kernel drives it through OPAL: the same
 * {@link XiveSource}, {@link XiveRouter}, {@link Presenter}/{@link ThreadContext} and
 * {@link Tima} code as the emulated sPAPR controller, here over <em>hardware</em> interrupt
 * numbers and host VPs instead of guest LISNs and sPAPR NVTs.
 *
 * <pre>
 *  HW IRQ n  ESB pages at host physical ESB_BASE + n * 128K (trigger, then EOI/management)
 *  VP v      END (v * 8 + priority) = v's queue at that priority, in guest RAM
 *  thread i  runs vCPU i; while it runs, its OS ring holds the vCPU's VP (KVM pushes it)
 *  TIMA      host physical TIMA_BASE, four 64K pages; KVM maps only the OS page into guests
 * </pre>
 *
 * HW IRQs are handed out lowest free first from an IPI pool starting at {@link #FIRST_HW_IRQ}, as
 * OPAL's allocate-irq does (0 means "none" to callers, as {@code xive_native_alloc_irq}); VPs in
 * naturally aligned blocks.
 *
 * <p>Threading: the machine's thread only.
 */
public final class HostXive implements HostInterruptController {
    /** Host physical base of the HW interrupts' ESB pages (two 64K pages each). */
    public static final long ESB_BASE = 0x0006_0200_0000_0000L;
    /** Host physical base of the TIMA (HW, HV, OS, USER pages of 64K). */
    public static final long TIMA_BASE = 0x0006_0302_0318_0000L;
    /** Host physical address of the TIMA OS page ({@code xive_tima_os}). */
    public static final long TIMA_OS = TIMA_BASE + ((long) Tima.PAGE_OS << Tima.SHIFT);
    public static final int FIRST_HW_IRQ = 0x10;
    public static final int DEFAULT_HW_IRQS = 1 << 17;
    private static final int ESB_SHIFT = XiveSource.ESB_64K_2PAGE;

    private final KvmVm vm;
    private final XiveSource source;
    private final XiveRouter router;
    private final Presenter presenter;
    private final Tima tima;
    private final ThreadContext[] tctx;
    private final BitSet irqs = new BitSet();
    private final BitSet vps = new BitSet();
    private final int nrVps;
    private long sourceSyncs;
    private long queueSyncs;
    /** Device sources (host PCI functions' MSIs and LSIs) and what the host kernel does with them. */
    private final BitSet phbMsi = new BitSet();
    private final BitSet deviceLsi = new BitSet();
    private final BitSet afuIrq = new BitSet();
    private final BitSet forwarded = new BitSet();
    private final BitSet savedP = new BitSet();
    private final java.util.Map<Integer, Runnable> hostHandlers = new java.util.HashMap<>();
    /** Sources handed to a guest whose presenter is the in-kernel XICS: their events go to these. */
    private final java.util.Map<Integer, Runnable> guestSinks = new java.util.HashMap<>();
    private long hostDeliveries;
    /** The guest interrupt each HW IPI backs, so that 'irq' events name what the guest sees. */
    private final java.util.Map<Integer, Integer> guestNumber = new java.util.HashMap<>();

    /**
     * Per VP: the IPB its NVT backed up while no thread held it (an event for a VP whose vCPU is
     * out of the guest). KVM's VP_STATE get merges it; the next push (dispatch) takes it back.
     */
    private final byte[] nvtIpb;

    public HostXive(KvmVm vm) {
        this(vm, DEFAULT_HW_IRQS);
    }

    public HostXive(KvmVm vm, int hwIrqs) {
        this.vm = vm;
        List<VCpu> cpus = vm.cpus();
        this.nrVps = Math.max(4096, 2 * Integer.highestOneBit(Math.max(1, cpus.size()) * 2 - 1));
        this.tctx = new ThreadContext[cpus.size()];
        for (VCpu c : cpus) {
            tctx[c.index()] = new ThreadContext(c);
        }
        this.presenter = new Presenter(tctx, vm.trace());
        XiveRouter.NvtDirectory nvts = (blk, idx) -> blk == 0 && idx < nrVps && vps.get(idx);
        this.router = new XiveRouter(hwIrqs, nrVps * 8, vm.memory(), presenter, nvts, vm.trace());
        router.setTraceNumbering(hw -> guestNumber.getOrDefault(hw, hw));
        this.nvtIpb = new byte[nrVps];
        router.setBacklog((blk, idx, prio) -> {
            if (blk == 0 && idx < nrVps) {
                nvtIpb[idx] |= (byte) ThreadContext.priorityToIpb(prio);
            }
        });
        this.source = new XiveSource(hwIrqs, ESB_SHIFT, false, this::sourceNotify, vm.trace());
        this.tima = new Tima(presenter, nvts, vm.trace());
        for (int e = 0; e < nrVps * 8; e++) {
            EndConfig.reset(router, e);
        }
        vm.hostPhys().map(new MmioRegion("host-xive.esb", ESB_BASE, source.regionSize(), new MmioHandler() {
            @Override
            public long read(VCpu cpu, long offset, int size) {
                return source.esbRead(cpu == null ? -1 : cpu.index(), offset);
            }

            @Override
            public void write(VCpu cpu, long offset, int size, long value) {
                source.esbWrite(cpu == null ? -1 : cpu.index(), offset);
            }
        }));
        vm.hostPhys().map(new MmioRegion("host-xive.tima", TIMA_BASE, Tima.SIZE, tima));
    }

    public XiveSource source() {
        return source;
    }

    public XiveRouter router() {
        return router;
    }

    public Presenter presenter() {
        return presenter;
    }

    /** The hardware thread context vCPU {@code cpu} runs on. */
    public ThreadContext threadContext(int cpu) {
        return tctx[cpu];
    }

    public int nrVps() {
        return nrVps;
    }

    /** END index of (VP, priority). */
    public static int endOf(int vp, int priority) {
        return vp * 8 + priority;
    }

    // ------------------------------------------------------------------ HW interrupts (OPAL)

    @Override
    public int allocIrq() {
        // OPAL's allocate-irq takes the lowest free bit of the chip's IPI bitmap: a freed number
        // is handed out again before any higher one
        int n = irqs.nextClearBit(FIRST_HW_IRQ);
        if (n >= source.nrIrqs()) {
            return 0;
        }
        irqs.set(n);
        // a fresh IPI: off (PQ 01), EAS valid and masked
        source.setStatus(n, io.pseries.xive.Pq.OFF);
        router.setEas(n, EndConfig.eas(0, 0, 0, true));
        vm.stats().ipiAllocated(1);
        return n;
    }

    @Override
    public int[] holes() {
        // the IPIs are what is allocated besides the pass-through functions' own sources
        BitSet ipis = (BitSet) irqs.clone();
        ipis.andNot(phbMsi);
        ipis.andNot(deviceLsi);
        return java.util.stream.IntStream.range(FIRST_HW_IRQ, Math.max(FIRST_HW_IRQ, ipis.length()))
            .filter(n -> !irqs.get(n)).toArray();
    }

    private boolean canAllocIrqAt(int hw) {
        return hw >= FIRST_HW_IRQ && hw < source.nrIrqs() && !irqs.get(hw);
    }

    @Override
    public boolean allocIrqAt(int hw) {
        if (!canAllocIrqAt(hw)) {
            return false;
        }
        irqs.set(hw);
        source.setStatus(hw, io.pseries.xive.Pq.OFF);
        router.setEas(hw, EndConfig.eas(0, 0, 0, true));
        vm.stats().ipiAllocated(1);
        return true;
    }

    @Override
    public void freeIrq(int hw) {
        if (hw < FIRST_HW_IRQ || hw >= source.nrIrqs() || !irqs.get(hw) || phbMsi.get(hw) || deviceLsi.get(hw)) {
            return;
        }
        source.setStatus(hw, io.pseries.xive.Pq.OFF);
        router.setEas(hw, 0);
        hostHandlers.remove(hw);
        afuIrq.clear(hw);
        forwarded.clear(hw);
        savedP.clear(hw);
        guestSinks.remove(hw);
        guestNumber.remove(hw);
        irqs.clear(hw);
        vm.stats().ipiAllocated(-1);
    }

    /** Records that HW IPI {@code hw} backs guest interrupt {@code guest} (what 'irq' events then name). */
    public void backsGuestIrq(int hw, int guest) {
        guestNumber.put(hw, guest);
    }

    public boolean allocated(int hw) {
        return hw >= FIRST_HW_IRQ && hw < source.nrIrqs() && irqs.get(hw);
    }

    @Override
    public IrqInfo irqInfo(int hw) {
        if (!allocated(hw)) {
            return null;
        }
        return new IrqInfo(hw, ESB_BASE + source.triggerPage(hw), ESB_BASE + source.managementPage(hw),
            ESB_SHIFT - 1, false, deviceLsi.get(hw));
    }

    @Override
    public int configureIrq(int hw, int vp, int priority, int data) {
        if (!allocated(hw)) {
            return -1;
        }
        if (priority == 0xff) {
            router.setEas(hw, EndConfig.eas(0, 0, 0, true));
            return 0;
        }
        if (priority < 0 || priority > 7 || vp < 0 || vp >= nrVps || !vps.get(vp)) {
            return -1;
        }
        router.setEas(hw, EndConfig.eas(0, endOf(vp, priority), data, false));
        return 0;
    }

    @Override
    public long esbLoad(int hw, int offset) {
        if (!allocated(hw)) {
            return -1;
        }
        return source.esbRead(-1, source.managementPage(hw) + (offset & 0xfff));
    }

    @Override
    public void esbStore(int hw, boolean triggerPage, int offset, long value) {
        if (allocated(hw)) {
            source.esbWrite(-1, (triggerPage ? source.triggerPage(hw) : source.managementPage(hw)) + (offset & 0xfff));
        }
    }

    @Override
    public int allocatedIrqs() {
        return irqs.cardinality();
    }

    /** OPAL source sync: nothing is ever in flight in this model; counted. */
    public void syncSource(int hw) {
        sourceSyncs++;
    }

    /** OPAL queue sync: counted. */
    public void syncQueue(int hw) {
        queueSyncs++;
    }

    public long sourceSyncs() {
        return sourceSyncs;
    }

    public long queueSyncs() {
        return queueSyncs;
    }

    // ------------------------------------------------------------------ VPs and their queues

    @Override
    public int allocVpBlock(int count) {
        int size = Integer.highestOneBit(Math.max(1, count) * 2 - 1);
        for (int base = 0; base + size <= nrVps; base += size) {
            if (vps.nextSetBit(base) >= base + size || vps.nextSetBit(base) < 0) {
                vps.set(base, base + size);
                return base;
            }
        }
        return INVALID_VP;
    }

    @Override
    public void freeVpBlock(int base) {
        if (base < 0 || base >= nrVps) {
            return;
        }
        int end = vps.nextClearBit(base);
        for (int v = base; v < end; v++) {
            for (int p = 0; p < 8; p++) {
                EndConfig.reset(router, endOf(v, p));
            }
            nvtIpb[v] = 0;
        }
        vps.clear(base, end);
    }

    /** The IPB VP {@code vp}'s NVT holds for it while it is not dispatched (OPAL's VP state, as KVM reads it). */
    public int nvtIpb(int vp) {
        return vp >= 0 && vp < nrVps ? nvtIpb[vp] & 0xff : 0;
    }

    /** OPAL queue configuration with always-notify: VP {@code vp}'s queue at {@code prio} in guest RAM. */
    public void configureQueue(int vp, int prio, long qaddr, int qshift) {
        EndConfig.configureQueue(router, endOf(vp, prio), qaddr, qshift, true, 0, vp, prio);
    }

    public void disableQueue(int vp, int prio) {
        EndConfig.reset(router, endOf(vp, prio));
    }

    /** Offset of the HV page in the TIMA: where the host kernel pushes and pulls OS contexts. */
    private static final long TIMA_HV = (long) Tima.PAGE_HV << Tima.SHIFT;

    /**
     * KVM's push at guest entry ({@code kvmppc_xive_push_vcpu}): the saved OS words 0-1 by an
     * 8-byte store through the HV page, then the CAM word by the push-OS-context store. Both go
     * through the TIMA's own rules: the raw store writes only the bytes the HV view lets it
     * (NSR, CPPR, IPB, LSMFB, ACK#, INC; not AGE, not PIPR), the push re-derives PIPR from IPB
     * and signals the thread when PIPR is more favoured than CPPR.
     */
    public void pushVp(VCpu cpu, long w01, int vp) {
        if (vp >= 0 && vp < nrVps && nvtIpb[vp] != 0) {
            // the IPB the NVT backed up while the VP was not dispatched comes back with it
            w01 |= (long) (nvtIpb[vp] & 0xff) << 40;
            nvtIpb[vp] = 0;
        }
        tima.write(cpu, TIMA_HV + ThreadContext.QW1_OS, 8, w01);
        tima.write(cpu, TIMA_HV + ThreadContext.QW1_OS + ThreadContext.WORD2, 4,
            ThreadContext.QW1W2_VO | Presenter.camLine(0, vp));
    }

    /**
     * KVM's pull at guest exit ({@code kvmppc_xive_pull_vcpu}): the pull-OS-context load (the
     * CAM line leaves the thread, the OS line drops), then OS words 0-1 by an 8-byte load through
     * the HV page, which does not show AGE. Returns those words as loaded.
     */
    public long pullVp(VCpu cpu) {
        tima.read(cpu, TIMA_HV + Tima.SPC_PULL_OS_CTX, 4);
        return tima.read(cpu, TIMA_HV + ThreadContext.QW1_OS, 8);
    }

    /** The VP leaves the thread for good (the vCPU is disconnected); the thread context is reset. */
    public void releaseVp(VCpu cpu) {
        presenter.setWord2(cpu.index(), ThreadContext.QW1_OS, 0);
        tctx[cpu.index()].reset();
    }

    // ------------------------------------------------------------------ device sources and the host's handlers

    /**
     * Where a source's forwarded event goes: to the host handler a driver requested, unless the
     * interrupt is handed to a guest (then its EAS routes it, like any source).
     */
    private void sourceNotify(int hw) {
        Runnable h = hostHandlers.get(hw);
        if (h != null && !forwarded.get(hw)) {
            hostDeliver(hw, h);
            return;
        }
        if (forwarded.get(hw)) {
            vm.stats().passthrough().bypassDeliveries++;
            Runnable sink = guestSinks.get(hw);
            if (sink != null) {
                sink.run();
                return;
            }
        }
        router.notify(hw);
    }

    @Override
    public void setGuestSink(int hw, Runnable sink) {
        if (sink == null) {
            guestSinks.remove(hw);
        } else if (isDeviceSource(hw)) {
            guestSinks.put(hw, sink);
        }
    }

    /** The host takes the interrupt: its handler runs, then {@code irq_eoi}, which re-fires a latched Q. */
    private void hostDeliver(int hw, Runnable h) {
        boolean again;
        do {
            hostDeliveries++;
            h.run();
            again = !forwarded.get(hw) && hostHandlers.get(hw) == h && source.eoi(hw);
        } while (again);
    }

    private boolean isDeviceSource(int hw) {
        return phbMsi.get(hw) || deviceLsi.get(hw) || afuIrq.get(hw);
    }

    @Override
    public void markAfuIrq(int hw) {
        if (allocated(hw)) {
            afuIrq.set(hw);
        }
    }

    @Override
    public void addHwSource(int hw, boolean lsi) {
        if (hw < FIRST_HW_IRQ || hw >= source.nrIrqs()) {
            return;
        }
        irqs.set(hw);
        if (lsi) {
            deviceLsi.set(hw);
            source.setLsi(hw);
        } else {
            phbMsi.set(hw);
        }
        source.setStatus(hw, io.pseries.xive.Pq.OFF);
        router.setEas(hw, EndConfig.eas(0, 0, 0, true));
    }

    @Override
    public void removeHwSource(int hw) {
        if (!isDeviceSource(hw)) {
            return;
        }
        source.setStatus(hw, io.pseries.xive.Pq.OFF);
        router.setEas(hw, 0);
        hostHandlers.remove(hw);
        guestSinks.remove(hw);
        forwarded.clear(hw);
        savedP.clear(hw);
        phbMsi.clear(hw);
        deviceLsi.clear(hw);
        irqs.clear(hw);
    }

    @Override
    public long deviceSourceRouting(int hw) {
        return isDeviceSource(hw) ? router.eas(hw) : 0;
    }

    @Override
    public boolean restoreDeviceSourceRouting(int hw, long word) {
        if (!isDeviceSource(hw)) {
            return false;
        }
        router.setEas(hw, word);
        return true;
    }

    @Override
    public int deviceSourceStatus(int hw) {
        return isDeviceSource(hw) ? source.status(hw) : 0;
    }

    @Override
    public boolean restoreDeviceSourceStatus(int hw, int status) {
        if (!isDeviceSource(hw)) {
            return false;
        }
        source.setStatus(hw, status);
        return true;
    }

    @Override
    public boolean isPhbMsi(int hw) {
        return hw >= 0 && phbMsi.get(hw);
    }

    /** Whether {@code hw} is handed to a guest ({@code irq_set_vcpu_affinity} with a vCPU). */
    public boolean isForwarded(int hw) {
        return hw >= 0 && forwarded.get(hw);
    }

    @Override
    public void requestIrq(int hw, Runnable handler) {
        if (!allocated(hw)) {
            return;
        }
        hostHandlers.put(hw, handler);
        if (!forwarded.get(hw)) {
            source.setPq(hw, io.pseries.xive.Pq.RESET);
        }
    }

    @Override
    public void freeHostIrq(int hw) {
        if (hostHandlers.remove(hw) != null && !forwarded.get(hw)) {
            source.setPq(hw, io.pseries.xive.Pq.OFF);
        }
    }

    /**
     * {@code xive_irq_set_vcpu_affinity} (facts §2.4 step 2 and §2.5 step 3). Forwarding stops
     * the host's sends (SET_PQ_10), remembers the old P, and when P was set leaves PQ 11 so the
     * in-flight occurrence is sent again once the guest side EOIs. Taking it back re-targets the
     * host handler and EOIs unless a P was saved (a latched Q then fires to the host).
     */
    @Override
    public int setVcpuAffinity(int hw, boolean forward) {
        if (!isDeviceSource(hw)) {
            return -io.pseries.core.host.Errno.ENOENT.number();
        }
        if (forward) {
            forwarded.set(hw);
            int old = source.setPq(hw, io.pseries.xive.Pq.PENDING);
            savedP.set(hw, (old & 2) != 0);
            if (!hostHandlers.containsKey(hw)) {
                return 0;
            }
            if ((old & 2) != 0) {
                source.setPq(hw, io.pseries.xive.Pq.QUEUED);
                syncSource(hw);
            }
            return 0;
        }
        forwarded.clear(hw);
        Runnable h = hostHandlers.get(hw);
        if (h == null) {
            source.setPq(hw, io.pseries.xive.Pq.OFF);
            return 0;
        }
        syncSource(hw);
        router.setEas(hw, EndConfig.eas(0, 0, 0, true));
        if (!savedP.get(hw) && source.eoi(hw)) {
            hostDeliver(hw, h);
        }
        savedP.clear(hw);
        return 0;
    }

    @Override
    public void deviceTrigger(int hw) {
        if (isDeviceSource(hw)) {
            source.setIrq(hw, true);
        }
    }

    /** Interrupts the host's own handlers took. */
    public long hostDeliveries() {
        return hostDeliveries;
    }
}
