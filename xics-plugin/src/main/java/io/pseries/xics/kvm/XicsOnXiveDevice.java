package io.pseries.xics.kvm;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.Errno;
import io.pseries.core.host.FaultResult;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmException;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.KvmVm;
import io.pseries.core.host.pt.InKernelIrqchip;
import io.pseries.xics.Icp;
import io.pseries.xics.Ics;
import io.pseries.xics.XicsRules;

/**
 * The XICS KVM device of a POWER9 host ({@code KVM_DEV_TYPE_XICS}, "kvm-xive": XICS-on-XIVE):
 * an in-kernel {@link Ics} and one {@link Icp} per vCPU, the very classes the emulated XICS
 * uses, so the XICS hcalls and RTAS calls the kernel serves follow the same rules. Like the
 * kernel, it backs every source it learns of with one hardware IPI of the host interrupt
 * controller and gives each connected vCPU one more (its {@code vp_ipi}).
 *
 * <pre>
 *  SOURCES set(irq, u64)  outside [16, 2^20) or outside this ICS: ENOENT; no data: EFAULT;
 *                         first time: a HW IPI is allocated (none left: ENXIO); the state is
 *                         decoded (server, priority, MASKED, LSI, PENDING, PRESENTED, QUEUED)
 *                         into the ICS and a pending unmasked source is delivered
 *  SOURCES get(irq)       unknown source: ENOENT; else the same 64-bit encoding
 *  (made by a host-group  the checkpoint's device's sources ({@link KvmVm#takeRestoredSources})
 *   restore)              each on the IPI it had, before any vCPU connects: a later SOURCES set
 *                         of one finds its IPI; an IPI taken or a number outside [0x1000, 2^20):
 *                         left out (the restore then refuses the table it does not hold)
 *  CTRL NR_SERVERS        as the native device (0 or past KVM_MAX_VCPU_IDS: EINVAL)
 *  mmap                   ENODEV (the device has no mmap)
 *  ICP_STATE one-reg      CPPR << 56 | XISR << 32 | MFRR << 24 | PPRI << 16
 * </pre>
 *
 * The model's ICS covers the VMM's interrupt numbers from 0x1000 ({@link #reserveSources}); the
 * kernel would accept any number from 16, which no pseries VMM passes.
 *
 * <p>Threading: the machine's thread only.
 */
public final class XicsOnXiveDevice implements KvmDevice, InKernelIrqchip {
    /**
     * The least favoured XIVE priority the kernel gives a XICS guest: guest priorities and CPPRs
     * 6 to 0xFE act as 6 (Linux {@code xive_prio_from_guest}; 7 stays the host's).
     */
    public static final int PRIORITY_LIMIT = 6;

    private final KvmVm vm;
    private final HostInterruptController host;
    private Ics ics;
    private Icp icp;
    private final VCpu[] connected;
    private final int[] vpIpi;
    private int[] sourceIpi = new int[Ics.NR_IRQS];
    private int nrServers = KvmXicsUapi.KVM_MAX_VCPUS;
    private boolean released;
    private final XicsPassthrough passthrough;

    XicsOnXiveDevice(KvmVm vm) {
        this.vm = vm;
        this.host = vm.hostIntc();
        if (host == null) {
            throw new KvmException(Errno.ENXIO, "XICS-on-XIVE needs the host XIVE");
        }
        int n = vm.cpus().size();
        this.connected = new VCpu[n];
        this.vpIpi = new int[n];
        this.ics = new Ics(vm.trace());
        this.icp = new Icp(n, ics, this::drive, vm.trace());
        icp.limitPriorities(PRIORITY_LIMIT);
        ics.reset();
        this.passthrough = new XicsPassthrough(this, host, ics.nrIrqs());
        ics.setListener(passthrough);
        for (GuestSource src : vm.takeRestoredSources()) {
            holdRestored(src);
        }
    }

    /**
     * A host-group restore's source: its IPI held as the checkpoint's device held it (the source
     * itself is claimed in the ICS when the VMM sets it; a freed AFU irq's LISN keeps only its IPI).
     */
    private void holdRestored(GuestSource src) {
        long s = (src.gsi() & 0xffff_ffffL) - Ics.OFFSET;
        if (s < 0 || src.gsi() >= KvmXicsUapi.NR_IRQS) {
            return;
        }
        if (s >= sourceIpi.length) {
            sourceIpi = java.util.Arrays.copyOf(sourceIpi, (int) s + 1);
        }
        if (sourceIpi[(int) s] == 0 && host.allocIrqAt(src.ipi())) {
            sourceIpi[(int) s] = src.ipi();
        }
    }

    /** Every source given an IPI (set once, kept until the device is released), ascending. */
    @Override
    public java.util.List<GuestSource> sources() {
        java.util.List<GuestSource> l = new java.util.ArrayList<>();
        for (int s = 0; s < sourceIpi.length; s++) {
            if (sourceIpi[s] != 0) {
                l.add(new GuestSource(s + Ics.OFFSET, sourceIpi[s]));
            }
        }
        return l;
    }

    /**
     * Sizes the kernel's ICS for {@code nrIrqs} sources from 0x1000 before first use (the kernel
     * allocates its 1024-source blocks on demand; this model's ICS is one flat block, so the VMM
     * says once how far its interrupt numbers go). Ignored once a source or vCPU is set up.
     */
    public void reserveSources(int nrIrqs) {
        if (nrIrqs <= ics.nrIrqs() || ics.nextClaimed(0) >= 0) {
            return;
        }
        for (VCpu c : connected) {
            if (c != null) {
                return;
            }
        }
        ics = new Ics(nrIrqs, vm.trace());
        icp = new Icp(connected.length, ics, this::drive, vm.trace());
        icp.limitPriorities(PRIORITY_LIMIT);
        ics.reset();
        // a host-group restore's IPIs are already held (holdRestored)
        sourceIpi = java.util.Arrays.copyOf(sourceIpi, Math.max(nrIrqs, sourceIpi.length));
        passthrough.resize(nrIrqs);
        ics.setListener(passthrough);
    }

    private void drive(int cpu, boolean level) {
        VCpu c = connected[cpu];
        if (c != null && !released) {
            c.setOsInterrupt(level);
        }
    }

    public Ics ics() {
        return ics;
    }

    // ------------------------------------------------------------------ what KVM's generic code asks (XicsPassthrough)

    @Override
    public Errno setIrq(long gsi, boolean level) {
        return released ? Errno.EINVAL : passthrough.setIrq(gsi, level);
    }

    @Override
    public int setMapped(long gsi, int hostIrq) {
        return released ? -Errno.ENODEV.number() : passthrough.setMapped(gsi, hostIrq);
    }

    @Override
    public int clrMapped(long gsi, int hostIrq) {
        return released ? -Errno.ENODEV.number() : passthrough.clrMapped(gsi, hostIrq);
    }

    @Override
    public void hostStateRestored(int hostIrq, int status) {
        if (!released) {
            passthrough.hostStateRestored(hostIrq, status);
        }
    }

    @Override
    public int mappedHostIrq(long gsi) {
        return released ? 0 : passthrough.mapped(gsi);
    }

    public Icp icp() {
        return icp;
    }

    @Override
    public int type() {
        return KvmDeviceType.XICS;
    }

    @Override
    public String name() {
        return "kvm-xive";
    }

    @Override
    public String groupName(long group) {
        return KvmXicsUapi.groupName(group);
    }

    /** Whether the kernel's ICS holds {@code irq}. */
    private boolean inIcs(long irq) {
        return irq >= KvmXicsUapi.FIRST_IRQ && irq < KvmXicsUapi.NR_IRQS && ics.contains(irq);
    }

    @Override
    public KvmResult setAttr(long group, long attr, long[] data) {
        if (group == KvmXicsUapi.GRP_SOURCES) {
            return setSource(attr, data);
        }
        if (group == KvmXicsUapi.GRP_CTRL && attr == KvmXicsUapi.CTRL_NR_SERVERS) {
            if (data == null || data.length < 1) {
                return KvmResult.error(Errno.EFAULT);
            }
            long n = data[0] & 0xffff_ffffL;
            if (n == 0 || n > 8L * KvmXicsUapi.KVM_MAX_VCPUS) {
                return KvmResult.error(Errno.EINVAL);
            }
            for (VCpu c : connected) {
                if (c != null) {
                    return KvmResult.error(Errno.EBUSY);
                }
            }
            nrServers = (int) Math.min(n, KvmXicsUapi.KVM_MAX_VCPUS);
            return KvmResult.ok();
        }
        return KvmResult.error(Errno.ENXIO);
    }

    @Override
    public KvmResult getAttr(long group, long attr) {
        if (group == KvmXicsUapi.GRP_SOURCES) {
            return getSource(attr);
        }
        return KvmResult.error(Errno.ENXIO);
    }

    @Override
    public KvmResult hasAttr(long group, long attr) {
        if (group == KvmXicsUapi.GRP_SOURCES) {
            return attr >= KvmXicsUapi.FIRST_IRQ && attr < KvmXicsUapi.NR_IRQS ? KvmResult.ok()
                : KvmResult.error(Errno.ENXIO);
        }
        if (group == KvmXicsUapi.GRP_CTRL && attr == KvmXicsUapi.CTRL_NR_SERVERS) {
            return KvmResult.ok();
        }
        return KvmResult.error(Errno.ENXIO);
    }

    private KvmResult setSource(long irq, long[] data) {
        if (!inIcs(irq)) {
            return KvmResult.error(Errno.ENOENT);
        }
        if (data == null || data.length < 1) {
            return KvmResult.error(Errno.EFAULT);
        }
        int s = (int) irq - Ics.OFFSET;
        if (sourceIpi[s] == 0) {
            int hw = host.allocIrq();
            if (hw == 0) {
                return KvmResult.error(Errno.ENXIO);
            }
            sourceIpi[s] = hw;
        }
        long v = data[0];
        boolean lsi = (v & KvmXicsUapi.LEVEL_SENSITIVE) != 0;
        int server = (int) (v & KvmXicsUapi.DESTINATION_MASK);
        int prio = (int) ((v >>> KvmXicsUapi.PRIORITY_SHIFT) & KvmXicsUapi.PRIORITY_MASK);
        boolean masked = (v & KvmXicsUapi.MASKED) != 0;
        if (!ics.isClaimed(s) || ics.isLsi(s) != lsi) {
            ics.free(s);
            ics.claim(s, lsi);
        }
        // an unmasked MSI both PENDING and QUEUED: an occurrence waiting (delivered now) and one
        // more event in its host interrupt's Q (a pass-through vector), kept until it is linked
        boolean secondInQ = !lsi && !masked && (v & KvmXicsUapi.PENDING) != 0 && (v & KvmXicsUapi.QUEUED) != 0;
        int st = 0;
        if ((v & KvmXicsUapi.PENDING) != 0) {
            st |= lsi ? Ics.STATUS_ASSERTED : Ics.STATUS_MASKED_PENDING;
        }
        if ((v & KvmXicsUapi.PRESENTED) != 0) {
            st |= Ics.STATUS_SENT;
        }
        if ((v & KvmXicsUapi.QUEUED) != 0 && !secondInQ) {
            st |= Ics.STATUS_REJECTED;
        }
        ics.restoreStatus(s, st);
        ics.writeXive(s, server, masked ? XicsRules.LOWEST : prio, prio);
        passthrough.restoreQ(s, secondInQ);
        // an MSI QUEUED alone, fed before its link is made again: the Q of what backs it now (the
        // IPI, kept as a resend); a host-group restore may give the host interrupt its own Q
        // back too (XicsPassthrough.hostStateRestored)
        passthrough.restoreQueued(s, !lsi && !secondInQ && (v & KvmXicsUapi.QUEUED) != 0
            && (v & KvmXicsUapi.PENDING) == 0);
        return KvmResult.ok();
    }

    private KvmResult getSource(long irq) {
        if (!inIcs(irq) || !ics.isClaimed((int) irq - Ics.OFFSET)) {
            return KvmResult.error(Errno.ENOENT);
        }
        int s = (int) irq - Ics.OFFSET;
        long v = KvmXicsUapi.sourceWord(ics, s);
        if (passthrough.latchedQ(s)) {
            // a linked source's next event sits in the host interrupt's Q (facts §5.3: QUEUED = Q,
            // and PENDING for a masked MSI with Q); with a rejected occurrence waiting as well,
            // that one is PENDING (KVM has it in a queue), so neither is lost
            if ((v & KvmXicsUapi.QUEUED) != 0 || (v & KvmXicsUapi.MASKED) != 0) {
                v |= KvmXicsUapi.PENDING;
            }
            v |= KvmXicsUapi.QUEUED;
        }
        return KvmResult.ok(v);
    }

    @Override
    public Errno mmap(long pgoff, long npages) {
        return Errno.ENODEV;
    }

    @Override
    public FaultResult fault(long vmaPgoff, long pgoff) {
        return FaultResult.sigbus();
    }

    /**
     * KVM_CAP_IRQ_XICS: EBUSY when the vCPU already has an interrupt device, EINVAL for a
     * server past nr_servers, EEXIST for a duplicate server; the vCPU's ICP starts at MFRR 0xFF,
     * CPPR 0, and a HW IPI is allocated for it.
     */
    @Override
    public KvmResult connectVcpu(VCpu cpu, int server) {
        if (released) {
            return KvmResult.error(Errno.EPERM);
        }
        if (connected[cpu.index()] != null) {
            return KvmResult.error(Errno.EBUSY);
        }
        if (server < 0 || server >= nrServers) {
            return KvmResult.error(Errno.EINVAL);
        }
        for (VCpu c : connected) {
            if (c != null && icp.serverOf(c.index()) == server) {
                return KvmResult.error(Errno.EEXIST);
            }
        }
        int hw = host.allocIrq();
        if (hw == 0) {
            return KvmResult.error(Errno.ENXIO);
        }
        vpIpi[cpu.index()] = hw;
        connected[cpu.index()] = cpu;
        icp.addServer(cpu.index(), server);
        icp.reset(cpu.index());
        return KvmResult.ok();
    }

    @Override
    public KvmResult getOneReg(VCpu cpu, long id) {
        if (id != KvmXicsUapi.REG_ICP_STATE) {
            return KvmResult.error(Errno.EINVAL);
        }
        int c = cpu.index();
        if (connected[c] == null) {
            return KvmResult.error(Errno.ENOENT);
        }
        long x = icp.xirr(c) & 0xFFFF_FFFFL;
        long v = ((x >>> 24) << KvmXicsUapi.ICP_CPPR_SHIFT)
            | ((x & KvmXicsUapi.ICP_XISR_MASK) << KvmXicsUapi.ICP_XISR_SHIFT)
            | ((long) icp.mfrr(c) << KvmXicsUapi.ICP_MFRR_SHIFT)
            | ((long) icp.pending(c) << KvmXicsUapi.ICP_PPRI_SHIFT);
        return KvmResult.ok(v);
    }

    @Override
    public KvmResult setOneReg(VCpu cpu, long id, long[] value) {
        if (id != KvmXicsUapi.REG_ICP_STATE) {
            return KvmResult.error(Errno.EINVAL);
        }
        int c = cpu.index();
        if (connected[c] == null) {
            return KvmResult.error(Errno.ENOENT);
        }
        if (value == null || value.length < 1) {
            return KvmResult.error(Errno.EFAULT);
        }
        long v = value[0];
        int cppr = (int) (v >>> KvmXicsUapi.ICP_CPPR_SHIFT) & 0xff;
        int xisr = (int) ((v >>> KvmXicsUapi.ICP_XISR_SHIFT) & KvmXicsUapi.ICP_XISR_MASK);
        int mfrr = (int) (v >>> KvmXicsUapi.ICP_MFRR_SHIFT) & 0xff;
        int ppri = (int) (v >>> KvmXicsUapi.ICP_PPRI_SHIFT) & 0xff;
        icp.restore(c, (cppr << 24) | xisr, ppri, mfrr);
        return KvmResult.ok();
    }

    /** Release: every HW IPI goes back to the host; the vCPU inputs this device drove are lowered. */
    @Override
    public void release() {
        for (int i = 0; i < connected.length; i++) {
            if (connected[i] != null) {
                connected[i].setOsInterrupt(false);
                host.freeIrq(vpIpi[i]);
                vpIpi[i] = 0;
            }
        }
        released = true;
        passthrough.release();
        for (int s = 0; s < sourceIpi.length; s++) {
            if (sourceIpi[s] != 0) {
                host.freeIrq(sourceIpi[s]);
                sourceIpi[s] = 0;
            }
        }
    }

    /** The HW IPI backing source {@code irq}, or 0. */
    public int ipiOf(long irq) {
        return ics.contains(irq) ? sourceIpi[(int) irq - Ics.OFFSET] : 0;
    }

    /** Whether vCPU {@code cpu} is connected. */
    public boolean isConnected(VCpu cpu) {
        return connected[cpu.index()] != null;
    }
}
