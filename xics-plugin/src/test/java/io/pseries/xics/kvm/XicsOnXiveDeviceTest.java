package io.pseries.xics.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.Errno;
import io.pseries.core.host.Host;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;

/** The XICS-on-XIVE device: the kernel's source and ICP encodings over the emulated XICS's Ics/Icp rules. */
class XicsOnXiveDeviceTest {
    private static final long SRC = KvmXicsUapi.GRP_SOURCES;

    private final List<VCpu> cpus = new ArrayList<>();
    private Host host;
    private int fd;
    private XicsOnXiveDevice dev;

    @BeforeEach
    void setUp() {
        for (int i = 0; i < 2; i++) {
            cpus.add(new VCpu(i, i));
        }
        host = new Host(HostConfig.POWER9, cpus, new GuestMemory(64L << 20), new Trace(() -> 0L),
            List.of(new XicsOnXiveProvider()));
        fd = host.vm().createDevice(KvmDeviceType.XICS).ret();
        dev = (XicsOnXiveDevice) host.process().device(fd);
        for (VCpu c : cpus) {
            assertTrue(host.vm().enableCap(fd, c, c.vcpuId()).isOk());
        }
    }

    private static long state(int server, int prio, long flags) {
        return server | ((long) prio << KvmXicsUapi.PRIORITY_SHIFT) | flags;
    }

    @Test
    void sourceStateRoundTripsThroughTheKernelEncoding() {
        long[] states = {
            state(1, 5, KvmXicsUapi.MASKED),
            state(0, 4, KvmXicsUapi.LEVEL_SENSITIVE | KvmXicsUapi.MASKED | KvmXicsUapi.PENDING),
            state(1, 0xff, 0),
            state(0, 3, KvmXicsUapi.MASKED | KvmXicsUapi.PENDING | KvmXicsUapi.QUEUED),
        };
        for (int i = 0; i < states.length; i++) {
            assertTrue(host.vm().setAttr(fd, SRC, 0x1000 + i, states[i]).isOk());
            assertEquals(states[i], host.vm().getAttr(fd, SRC, 0x1000 + i).value(0), "source " + i);
        }
        // decoded by the same ICS code the emulated XICS uses: masked = priority 0xFF, saved kept
        assertEquals(0xff, dev.ics().priority(0));
        assertEquals(5, dev.ics().savedPriority(0));
        assertTrue(dev.ics().isLsi(1));
    }

    @Test
    void aPendingUnmaskedMsiIsDeliveredToItsServerWhenSet() {
        // the ICP comes up at CPPR 0 (nothing deliverable); open it as a guest's H_CPPR(0xff) would
        host.vm().setOneReg(fd, cpus.get(1), KvmXicsUapi.REG_ICP_STATE, (0xffL << 56) | (0xffL << 24) | (0xffL << 16));
        assertTrue(host.vm().setAttr(fd, SRC, 0x1010, state(1, 5, KvmXicsUapi.PENDING)).isOk());
        assertEquals(0x1010, dev.icp().xisr(1));
        assertTrue(cpus.get(1).osInterrupt());
        assertFalse(cpus.get(0).osInterrupt());
    }

    @Test
    void theFirstSetOfASourceAllocatesOneHwIpiAndEachVcpuHasOne() {
        assertEquals(2, host.stats().ipisAllocated(), "one vp_ipi per connected vCPU");
        host.vm().setAttr(fd, SRC, 0x1000, state(0, 5, 0));
        host.vm().setAttr(fd, SRC, 0x1000, state(1, 5, 0));
        assertEquals(3, host.stats().ipisAllocated());
        host.process().close(fd);
        assertEquals(0, host.stats().ipisAllocated());
        assertEquals(1, host.stats().deviceDestructions());
    }

    @Test
    void badSourceCallsGetTheKernelsErrno() {
        assertEquals(Errno.ENOENT, host.vm().getAttr(fd, SRC, 0x1000).errno(), "never set");
        assertEquals(Errno.ENOENT, host.vm().setAttr(fd, SRC, 2, 0).errno(), "below KVMPPC_XICS_FIRST_IRQ");
        assertEquals(Errno.ENOENT, host.vm().setAttr(fd, SRC, 1L << 20, 0).errno());
        assertEquals(Errno.EFAULT, host.vm().setAttr(fd, SRC, 0x1000).errno());
        assertEquals(Errno.ENXIO, host.vm().setAttr(fd, 9, 0, 0).errno());
        assertEquals(Errno.ENXIO, host.vm().getAttr(fd, KvmXicsUapi.GRP_CTRL, 1).errno());
        assertTrue(host.vm().hasAttr(fd, SRC, 16).isOk());
        assertEquals(Errno.ENXIO, host.vm().hasAttr(fd, SRC, 15).errno());
        assertEquals(Errno.ENODEV, host.process().mmap(fd, 0, 1, "x").errno());
        assertEquals(Errno.EBUSY, host.vm().setAttr(fd, KvmXicsUapi.GRP_CTRL, KvmXicsUapi.CTRL_NR_SERVERS, 4).errno());
    }

    @Test
    void icpStateEncodesCpprXisrMfrrAndPendingPriority() {
        VCpu c = cpus.get(0);
        long v = (0xffL << 56) | (0x1005L << 32) | (0xffL << 24) | (3L << 16);
        assertTrue(host.vm().setOneReg(fd, c, KvmXicsUapi.REG_ICP_STATE, v).isOk());
        assertEquals(0xff00_1005, dev.icp().xirr(0));
        assertEquals(3, dev.icp().pending(0));
        assertTrue(c.osInterrupt(), "XISR not empty drives the output");
        assertEquals(v, host.vm().getOneReg(fd, c, KvmXicsUapi.REG_ICP_STATE).value(0));
        assertEquals(Errno.EINVAL, host.vm().getOneReg(fd, c, 0x8d).errno());
    }

    @Test
    void connectingTwiceOrADuplicateServerFails() {
        KvmResult r = host.vm().enableCap(fd, cpus.get(0), 0);
        assertEquals(Errno.EBUSY, r.errno());
        Host h = new Host(HostConfig.POWER9, cpus, new GuestMemory(64L << 20), new Trace(() -> 0L),
            List.of(new XicsOnXiveProvider()));
        int f2 = h.vm().createDevice(KvmDeviceType.XICS).ret();
        assertTrue(h.vm().enableCap(f2, cpus.get(0), 1).isOk());
        assertEquals(Errno.EEXIST, h.vm().enableCap(f2, cpus.get(1), 1).errno());
        assertEquals(Errno.EINVAL, h.vm().enableCap(f2, cpus.get(1), 5000).errno());
    }

    @Test
    void aHostWithoutXicsOnXiveHasNoXicsDevice() {
        Host h = new Host(HostConfig.fromMap(java.util.Map.of("xicsOnXive", false)), cpus, new GuestMemory(64L << 20),
            new Trace(() -> 0L), List.of(new XicsOnXiveProvider()));
        assertEquals(Errno.ENODEV, h.vm().createDevice(KvmDeviceType.XICS).errno());
    }
}
