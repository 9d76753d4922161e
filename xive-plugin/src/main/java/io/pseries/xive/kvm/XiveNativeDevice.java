package io.pseries.xive.kvm;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.Errno;
import io.pseries.core.host.FaultResult;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmException;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.KvmVm;
import io.pseries.xive.ThreadContext;

/**
 * The native XIVE KVM device ({@code KVM_DEV_TYPE_XIVE}, Linux's book3s_xive_native.c) of a
 * simulated VM: the mapping from guest interrupt numbers to hardware IPIs of the
 * {@link HostXive} and from (server, priority) to the host END of the server's VP. Every
 * hardware rule (PQ, EAS, END, presenter, TIMA) is the host XIVE's, i.e. the emulated
 * controller's own code; this class holds only what KVM adds.
 *
 * <pre>
 *  set/get/hasAttr ─► CTRL (RESET, EQ_SYNC, NR_SERVERS)  ─► {@link SourceAttributes} / here
 *                    SOURCE, SOURCE_CONFIG, SOURCE_SYNC   ─► {@link SourceAttributes}
 *                    EQ_CONFIG get/set                     ─► {@link QueueAttributes}
 *                    other group                           ─► ENXIO
 *  mmap / fault    ─► {@link XiveNativeMappings} (TIMA at page 0, ESB window at page 4)
 *  connectVcpu     ─► VP = vp_base + server, pushed on the vCPU's thread (KVM_CAP_PPC_IRQ_XIVE)
 *  getOneReg/setOneReg(KVM_REG_PPC_VP_STATE) ─► the saved OS ring words 0-1: the vCPU is
 *                    kicked out of the guest (pull), read or written, and re-enters (push)
 *  setIrq / setMapped / clrMapped ─► {@link XivePassthrough} (software triggers, the pass-through switch)
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class XiveNativeDevice implements KvmDevice, io.pseries.core.host.pt.InKernelIrqchip {
    /** Per connected vCPU: {@code struct kvmppc_xive_vcpu}, reduced to what the model needs. */
    static final class Vcpu {
        final VCpu cpu;
        final int server;
        final int vp;
        /** Per priority: whether a queue page is held ({@code q->qpage}), and the guest's address and shift. */
        final boolean[] qpage = new boolean[8];
        final long[] guestQaddr = new long[8];
        final int[] guestQshift = new int[8];
        /** Sources targeted at the queue ({@code q->count}), up to its entries minus XIVE_Q_GAP (2). */
        final int[] count = new int[8];
        /** OS ring words 0-1 as the last pull left them ({@code xive_saved_state.w01}). */
        long savedW01 = INITIAL_W01;
        /** Whether the vCPU is in the guest, its VP pushed on the thread ({@code xive_pushed}); false while the VM is stopped. */
        boolean pushed = true;

        Vcpu(VCpu cpu, int server, int vp) {
            this.cpu = cpu;
            this.server = server;
            this.vp = vp;
        }

        boolean hasQueue(int prio) {
            return qpage[prio];
        }
    }

    /** The saved OS words 0-1 of a freshly connected vCPU: ACK# 0xFF, everything else 0. */
    static final long INITIAL_W01 = 0x0000_0000_ff00_0000L;
    /** The bytes a pull rewrites before the next push: LSMFB (byte 3) 0 and ACK# (byte 4) 0xFF. */
    private static final long W01_LSMFB = 0xffL << 32;
    private static final long W01_ACK = 0xffL << 24;

    final KvmVm vm;
    final HostXive xive;
    final GuestSources sources = new GuestSources();
    final Vcpu[] vcpus;
    final SourceAttributes sourceAttrs;
    final QueueAttributes queueAttrs;
    final XiveNativeMappings mappings;
    final XivePassthrough passthrough;
    int nrServers = KvmXiveUapi.KVM_MAX_VCPUS;
    int vpBase = HostInterruptController.INVALID_VP;
    private boolean released;

    XiveNativeDevice(KvmVm vm) {
        this.vm = vm;
        if (!(vm.hostIntc() instanceof HostXive hx)) {
            throw new KvmException(Errno.ENXIO, "no host XIVE");
        }
        this.xive = hx;
        this.vcpus = new Vcpu[vm.cpus().size()];
        this.sourceAttrs = new SourceAttributes(this);
        this.queueAttrs = new QueueAttributes(this);
        this.mappings = new XiveNativeMappings(this);
        this.passthrough = new XivePassthrough(this);
        // a host-group restore: the checkpoint's device's sources, on the IPIs they had
        for (GuestSource src : vm.takeRestoredSources()) {
            sourceAttrs.restoreSource(src.gsi(), src.ipi());
        }
    }

    @Override
    public java.util.List<GuestSource> sources() {
        return sources.made();
    }

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
    public int mappedHostIrq(long gsi) {
        return passthrough.mapped(gsi);
    }

    @Override
    public int type() {
        return KvmDeviceType.XIVE;
    }

    @Override
    public String name() {
        return "kvm-xive-native";
    }

    @Override
    public String groupName(long group) {
        return KvmXiveUapi.groupName(group);
    }

    public HostXive hostXive() {
        return xive;
    }

    /** The connected vCPU serving {@code server}, or {@code null} ({@code kvmppc_xive_find_server}). */
    Vcpu findServer(long server) {
        for (Vcpu v : vcpus) {
            if (v != null && v.server == server) {
                return v;
            }
        }
        return null;
    }

    /** The VP of a server: {@code vp_base + server} ({@code kvmppc_xive_vp}, one thread per core). */
    int vpOf(int server) {
        return vpBase + server;
    }

    /** The hardware IPI backing guest interrupt {@code irq}, or 0 (never initialised). */
    public int ipiOf(long irq) {
        GuestSources.Block b = sources.block(irq);
        return b == null ? 0 : b.ipi[GuestSources.slot(irq)];
    }

    /** Whether guest interrupt {@code irq} is valid (initialised by GRP_SOURCE). */
    public boolean isValid(long irq) {
        GuestSources.Block b = sources.block(irq);
        return b != null && GuestSources.isValid(b, GuestSources.slot(irq));
    }

    /** Valid guest interrupts ({@code src_count}). */
    public int validSources() {
        return sources.validCount();
    }

    @Override
    public KvmResult setAttr(long group, long attr, long[] data) {
        if (group == KvmXiveUapi.GRP_CTRL) {
            if (attr == KvmXiveUapi.CTRL_RESET) {
                return sourceAttrs.reset();
            }
            if (attr == KvmXiveUapi.CTRL_EQ_SYNC) {
                return sourceAttrs.eqSync();
            }
            if (attr == KvmXiveUapi.CTRL_NR_SERVERS) {
                return setNrServers(data);
            }
            return KvmResult.error(Errno.ENXIO);
        }
        if (group == KvmXiveUapi.GRP_SOURCE) {
            return sourceAttrs.setSource(attr, data);
        }
        if (group == KvmXiveUapi.GRP_SOURCE_CONFIG) {
            return sourceAttrs.setSourceConfig(attr, data);
        }
        if (group == KvmXiveUapi.GRP_EQ_CONFIG) {
            return queueAttrs.set(attr, data);
        }
        if (group == KvmXiveUapi.GRP_SOURCE_SYNC) {
            return sourceAttrs.syncSource(attr);
        }
        return KvmResult.error(Errno.ENXIO);
    }

    @Override
    public KvmResult getAttr(long group, long attr) {
        if (group == KvmXiveUapi.GRP_EQ_CONFIG) {
            return queueAttrs.get(attr);
        }
        return KvmResult.error(Errno.ENXIO);
    }

    @Override
    public KvmResult hasAttr(long group, long attr) {
        if (group == KvmXiveUapi.GRP_CTRL) {
            return attr == KvmXiveUapi.CTRL_RESET || attr == KvmXiveUapi.CTRL_EQ_SYNC
                || attr == KvmXiveUapi.CTRL_NR_SERVERS ? KvmResult.ok() : KvmResult.error(Errno.ENXIO);
        }
        if (group == KvmXiveUapi.GRP_SOURCE || group == KvmXiveUapi.GRP_SOURCE_CONFIG
            || group == KvmXiveUapi.GRP_SOURCE_SYNC) {
            return attr >= 0 && attr < KvmXiveUapi.NR_IRQS ? KvmResult.ok() : KvmResult.error(Errno.ENXIO);
        }
        if (group == KvmXiveUapi.GRP_EQ_CONFIG) {
            return KvmResult.ok();
        }
        return KvmResult.error(Errno.ENXIO);
    }

    /**
     * {@code kvmppc_xive_set_nr_servers}: a u32 from user space; 0 or more than
     * KVM_MAX_VCPU_IDS is EINVAL; once the VP block exists (a vCPU connected) EBUSY; values
     * above KVM_MAX_VCPUS are clamped to it.
     */
    private KvmResult setNrServers(long[] data) {
        if (data == null || data.length < 1) {
            return KvmResult.error(Errno.EFAULT);
        }
        long n = data[0] & 0xffff_ffffL;
        if (n == 0 || n > KvmXiveUapi.KVM_MAX_VCPU_IDS) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (vpBase != HostInterruptController.INVALID_VP) {
            return KvmResult.error(Errno.EBUSY);
        }
        nrServers = (int) Math.min(n, KvmXiveUapi.KVM_MAX_VCPUS);
        return KvmResult.ok();
    }

    @Override
    public Errno mmap(long pgoff, long npages) {
        return mappings.mmap(pgoff, npages);
    }

    @Override
    public FaultResult fault(long vmaPgoff, long pgoff) {
        return mappings.fault(vmaPgoff, pgoff);
    }

    /**
     * {@code kvmppc_xive_native_connect_vcpu}: EBUSY if the vCPU already has an interrupt
     * device, EINVAL for a server number outside the VP block ({@code nr_servers}), ENOSPC when
     * the VP block cannot be allocated, EEXIST for a server already connected. The VP starts
     * with the kernel's saved OS words 0-1, {@code cpu_to_be64(0xff000000)} (ACK# 0xFF, all else
     * 0), and is pushed on the vCPU's thread as at every guest entry. The VMM does not set the
     * VP state at connect (QEMU's kvmppc_xive_connect does not), so a guest sees CPPR 0 and LSMFB 0.
     */
    @Override
    public KvmResult connectVcpu(VCpu cpu, int server) {
        if (released) {
            return KvmResult.error(Errno.EPERM);
        }
        if (vcpus[cpu.index()] != null) {
            return KvmResult.error(Errno.EBUSY);
        }
        if (server < 0 || server >= nrServers) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (vpBase == HostInterruptController.INVALID_VP) {
            vpBase = xive.allocVpBlock(nrServers);
            if (vpBase == HostInterruptController.INVALID_VP) {
                return KvmResult.error(Errno.ENOSPC);
            }
        }
        if (findServer(server) != null) {
            return KvmResult.error(Errno.EEXIST);
        }
        Vcpu v = new Vcpu(cpu, server, vpOf(server));
        vcpus[cpu.index()] = v;
        xive.threadContext(cpu.index()).reset();
        xive.pushVp(cpu, v.savedW01, v.vp);
        return KvmResult.ok();
    }

    /**
     * The VM stops: every vCPU leaves the guest (KVM_RUN returns) and its VP is pulled, so
     * events for it are backed up in its NVT until it is pushed again ({@link #resumeVcpus}).
     */
    public void pauseVcpus() {
        for (Vcpu v : vcpus) {
            if (v != null && v.pushed) {
                pull(xive, v);
                v.pushed = false;
            }
        }
    }

    /** The VM runs again: every vCPU re-enters the guest, its saved words (and its NVT's IPB) pushed. */
    public void resumeVcpus() {
        for (Vcpu v : vcpus) {
            if (v != null && !v.pushed) {
                xive.pushVp(v.cpu, v.savedW01, v.vp);
                v.pushed = true;
            }
        }
    }

    /** Whether vCPU {@code cpu}'s VP is pushed (the vCPU in the guest). */
    public boolean isPushed(VCpu cpu) {
        Vcpu v = vcpus[cpu.index()];
        return v != null && v.pushed;
    }

    /** The vCPU's thread context while connected, or {@code null}. */
    public ThreadContext threadContext(VCpu cpu) {
        return vcpus[cpu.index()] == null ? null : xive.threadContext(cpu.index());
    }

    /**
     * The vCPU leaves the guest ({@code kvmppc_xive_pull_vcpu}): the thread's OS words 0-1 are
     * saved, LSMFB set to 0 and ACK# to 0xFF for the next push.
     */
    private static void pull(HostXive xive, Vcpu v) {
        long w = xive.pullVp(v.cpu);
        v.savedW01 = (w & ~(W01_LSMFB | W01_ACK)) | W01_ACK;
    }

    /**
     * KVM_GET_ONE_REG(KVM_REG_PPC_VP_STATE): {@code data[0]} = the saved OS ring words 0-1 (NSR,
     * CPPR, IPB, LSMFB, ACK#, INC, AGE, PIPR), {@code data[1]} = 0. The ioctl runs with the vCPU
     * out of the guest (QEMU kicks it first), so the words are those of a pull: LSMFB 0, ACK#
     * 0xFF, AGE 0 (the HV view does not show it), PIPR as the thread derived it; the vCPU then
     * re-enters. While the VM is stopped the vCPU is already out and its saved words are read
     * as they are. The kernel ORs in the IPB the hardware backed up in the NVT while the VP was
     * not dispatched (events that arrived while the VM was stopped), so a migration carries them.
     * EPERM when the vCPU is not connected to this device; EINVAL for another register.
     */
    @Override
    public KvmResult getOneReg(VCpu cpu, long id) {
        if (id != KvmXiveUapi.REG_VP_STATE) {
            return KvmResult.error(Errno.EINVAL);
        }
        Vcpu v = vcpus[cpu.index()];
        if (v == null) {
            return KvmResult.error(Errno.EPERM);
        }
        if (v.pushed) {
            pull(xive, v);
            xive.pushVp(cpu, v.savedW01, v.vp);
        }
        return KvmResult.ok(v.savedW01 | ((long) xive.nvtIpb(v.vp) << 40), 0);
    }

    /**
     * KVM_SET_ONE_REG(KVM_REG_PPC_VP_STATE): the saved OS ring words 0-1 become {@code value[0]}
     * and are pushed as the vCPU re-enters (through the HV view: AGE and PIPR are not written,
     * PIPR follows IPB and the thread is signalled if PIPR beats CPPR). A vCPU ioctl runs with
     * the vCPU out of the guest, so the kernel's EBUSY for a pushed vCPU never arises here; while
     * the VM is stopped the words wait for the next push.
     */
    @Override
    public KvmResult setOneReg(VCpu cpu, long id, long[] value) {
        if (id != KvmXiveUapi.REG_VP_STATE) {
            return KvmResult.error(Errno.EINVAL);
        }
        Vcpu v = vcpus[cpu.index()];
        if (v == null) {
            return KvmResult.error(Errno.EPERM);
        }
        if (value == null || value.length < 1) {
            return KvmResult.error(Errno.EFAULT);
        }
        if (!v.pushed) {
            // the VM is stopped (an incoming migration's post-load): pushed when it runs
            v.savedW01 = value[0];
            return KvmResult.ok();
        }
        pull(xive, v);
        v.savedW01 = value[0];
        xive.pushVp(cpu, v.savedW01, v.vp);
        return KvmResult.ok();
    }

    /**
     * {@code kvmppc_xive_native_release}: every vCPU's interrupts are disabled, its queues freed
     * and its VP pulled; every IPI is masked and freed; the VP block goes back to the host.
     */
    @Override
    public void release() {
        released = true;
        for (Vcpu v : vcpus) {
            if (v != null) {
                for (int p = 0; p < 8; p++) {
                    xive.disableQueue(v.vp, p);
                }
                xive.releaseVp(v.cpu);
            }
        }
        java.util.Arrays.fill(vcpus, null);
        sourceAttrs.freeAll();
        if (vpBase != HostInterruptController.INVALID_VP) {
            xive.freeVpBlock(vpBase);
            vpBase = HostInterruptController.INVALID_VP;
        }
    }
}
