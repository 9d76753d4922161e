package io.pseries.xics.kvm;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.xics.Icp;
import io.pseries.xics.Ics;

/**
 * The VMM's side of the in-kernel XICS (QEMU's hw/intc/xics_kvm.c): connect and disconnect,
 * and the state transfers between the emulated ICS/ICPs (the VMM's copy) and the device.
 *
 * <pre>
 *  connect     capability? (the four XICS RTAS calls become kernel tokens) create the device,
 *              NR_SERVERS, connect every vCPU's ICP, push every claimed source (ics_set_kvm_state),
 *              push every ICP (icp_set_kvm_state)
 *  disconnect  close the fd (the device and its presenters go)
 *  pull        ics_get_kvm_state / icp_get_kvm_state, for pic()
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class SpaprXicsKvm {
    private final Host host;
    private final Ics emuIcs;
    private final Icp emuIcp;
    private int fd = -1;
    private XicsOnXiveDevice dev;

    public SpaprXicsKvm(Host host, Ics emuIcs, Icp emuIcp) {
        this.host = host;
        this.emuIcs = emuIcs;
        this.emuIcp = emuIcp;
    }

    /** The kernel's ICS and ICPs (what the in-kernel hcalls and RTAS calls act on). */
    public XicsOnXiveDevice device() {
        return dev;
    }

    public int fd() {
        return fd;
    }

    /** xics_kvm_connect: {@code null}, or QEMU's error (the fd closed again). */
    public String connect(int nrServers) {
        if (!host.vm().offers(KvmDeviceType.XICS)) {
            return "KVM and IRQ_XICS capability must be present for in-kernel XICS";
        }
        KvmResult r = host.vm().createDevice(KvmDeviceType.XICS);
        if (!r.isOk()) {
            return "Error on KVM_CREATE_DEVICE for XICS: " + r.errno().message();
        }
        fd = r.ret();
        dev = (XicsOnXiveDevice) host.process().device(fd);
        dev.reserveSources(emuIcs.nrIrqs());
        String err = setUp(nrServers);
        if (err != null) {
            disconnect();
        }
        return err;
    }

    private String setUp(int nrServers) {
        if (host.vm().hasAttr(fd, KvmXicsUapi.GRP_CTRL, KvmXicsUapi.CTRL_NR_SERVERS).isOk()) {
            KvmResult r = host.vm().setAttr(fd, KvmXicsUapi.GRP_CTRL, KvmXicsUapi.CTRL_NR_SERVERS, nrServers);
            if (!r.isOk()) {
                return String.format("KVM_SET_DEVICE_ATTR failed: Group %d attr 0x%016x: %s", KvmXicsUapi.GRP_CTRL,
                    KvmXicsUapi.CTRL_NR_SERVERS, r.errno().message());
            }
        }
        for (VCpu c : host.vm().cpus()) {
            KvmResult r = host.vm().enableCap(fd, c, c.vcpuId());
            if (!r.isOk()) {
                return String.format("Unable to connect CPU%d to kernel XICS: %s", c.vcpuId(), r.errno().message());
            }
        }
        for (int s = emuIcs.nextClaimed(0); s >= 0; s = emuIcs.nextClaimed(s + 1)) {
            String e = pushSource(s);
            if (e != null) {
                return e;
            }
        }
        for (VCpu c : host.vm().cpus()) {
            String e = pushIcp(c);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** xics_kvm_disconnect: closing the fd destroys the device and detaches the presenters. */
    public void disconnect() {
        if (fd >= 0) {
            host.process().close(fd);
            fd = -1;
            dev = null;
        }
    }

    /** ics_set_kvm_state_one: the emulated source's state in the kernel's encoding. */
    public String pushSource(int srcno) {
        long v = KvmXicsUapi.sourceWord(emuIcs, srcno);
        KvmResult r = host.vm().setAttr(fd, KvmXicsUapi.GRP_SOURCES, srcno + Ics.OFFSET, v);
        return r.isOk() ? null : String.format("Unable to restore KVM interrupt controller state (0x%x) for IRQ %d: %s",
            v, srcno + Ics.OFFSET, r.errno().message());
    }

    /** icp_set_kvm_state. */
    public String pushIcp(VCpu c) {
        int i = c.index();
        long x = emuIcp.xirr(i) & 0xFFFF_FFFFL;
        long v = ((x >>> 24) << KvmXicsUapi.ICP_CPPR_SHIFT) | ((x & KvmXicsUapi.ICP_XISR_MASK) << KvmXicsUapi.ICP_XISR_SHIFT)
            | ((long) emuIcp.mfrr(i) << KvmXicsUapi.ICP_MFRR_SHIFT) | ((long) emuIcp.pending(i) << KvmXicsUapi.ICP_PPRI_SHIFT);
        KvmResult r = host.vm().setOneReg(fd, c, KvmXicsUapi.REG_ICP_STATE, v);
        return r.isOk() ? null : String.format("Unable to restore KVM interrupt controller state (0x%x) for CPU %d: %s",
            v, c.vcpuId(), r.errno().message());
    }

    /** ics_get_kvm_state and icp_get_kvm_state: the kernel's state into the emulated copy. */
    public void pull() {
        for (int s = emuIcs.nextClaimed(0); s >= 0; s = emuIcs.nextClaimed(s + 1)) {
            KvmResult r = host.vm().getAttr(fd, KvmXicsUapi.GRP_SOURCES, s + Ics.OFFSET);
            if (!r.isOk()) {
                continue;
            }
            long v = r.value(0);
            int prio = (int) ((v >>> KvmXicsUapi.PRIORITY_SHIFT) & KvmXicsUapi.PRIORITY_MASK);
            boolean lsi = emuIcs.isLsi(s);
            int st = emuIcs.status(s) & ~(Ics.STATUS_ASSERTED | Ics.STATUS_MASKED_PENDING | Ics.STATUS_SENT
                | Ics.STATUS_REJECTED);
            if ((v & KvmXicsUapi.PENDING) != 0) {
                st |= lsi ? Ics.STATUS_ASSERTED : Ics.STATUS_MASKED_PENDING;
            }
            if ((v & KvmXicsUapi.PRESENTED) != 0) {
                st |= Ics.STATUS_SENT;
            }
            if ((v & KvmXicsUapi.QUEUED) != 0) {
                st |= Ics.STATUS_REJECTED;
            }
            emuIcs.restoreStatus(s, st);
            emuIcs.restoreXive(s, (int) (v & KvmXicsUapi.DESTINATION_MASK),
                (v & KvmXicsUapi.MASKED) != 0 ? 0xff : prio, prio);
        }
        for (VCpu c : host.vm().cpus()) {
            KvmResult r = host.vm().getOneReg(fd, c, KvmXicsUapi.REG_ICP_STATE);
            if (r.isOk()) {
                long v = r.value(0);
                int cppr = (int) (v >>> KvmXicsUapi.ICP_CPPR_SHIFT) & 0xff;
                int xisr = (int) ((v >>> KvmXicsUapi.ICP_XISR_SHIFT) & KvmXicsUapi.ICP_XISR_MASK);
                emuIcp.restore(c.index(), (cppr << 24) | xisr, (int) (v >>> KvmXicsUapi.ICP_PPRI_SHIFT) & 0xff,
                    (int) (v >>> KvmXicsUapi.ICP_MFRR_SHIFT) & 0xff);
            }
        }
    }
}
