package io.pseries.xive.kvm;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.host.Host;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.Vma;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;

/**
 * A simulated host with the native XIVE device created the way QEMU's connect does it (device,
 * NR_SERVERS, ESB and TIMA mmaps, vCPUs connected), for the device's rule tests.
 */
final class KvmXiveFixture {
    static final long QPAGE = 0x0100_0000L;
    static final int PRIO = 6;

    final List<VCpu> cpus = new ArrayList<>();
    final GuestMemory memory = new GuestMemory(256L << 20);
    final Trace trace = new Trace(() -> 0L);
    final Host host;
    final int fd;
    final XiveNativeDevice dev;
    Vma esb;
    Vma tima;

    KvmXiveFixture(int ncpus) {
        this(ncpus, HostConfig.POWER9, true);
    }

    KvmXiveFixture(int ncpus, HostConfig cfg, boolean connect) {
        for (int i = 0; i < ncpus; i++) {
            VCpu c = new VCpu(i, i);
            c.setRunning(true);
            cpus.add(c);
        }
        host = new Host(cfg, cpus, memory, trace, List.of(new XiveNativeProvider()));
        KvmResult r = host.vm().createDevice(KvmDeviceType.XIVE);
        fd = r.ret();
        dev = (XiveNativeDevice) host.process().device(fd);
        if (connect) {
            host.vm().setAttr(fd, KvmXiveUapi.GRP_CTRL, KvmXiveUapi.CTRL_NR_SERVERS, ncpus);
            esb = host.process().mmap(fd, KvmXiveUapi.ESB_PAGE_OFFSET, 0x2000 * 2, "xive.esb-kvm").vma();
            tima = host.process().mmap(fd, KvmXiveUapi.TIMA_PAGE_OFFSET, 4, "xive.tima").vma();
            for (VCpu c : cpus) {
                host.vm().enableCap(fd, c, c.vcpuId());
            }
        }
    }

    HostXive hx() {
        return dev.hostXive();
    }

    VmmProcess vmm() {
        return host.process();
    }

    KvmResult set(long group, long attr, long... data) {
        return host.vm().setAttr(fd, group, attr, data);
    }

    KvmResult get(long group, long attr) {
        return host.vm().getAttr(fd, group, attr);
    }

    KvmResult source(long irq) {
        return set(KvmXiveUapi.GRP_SOURCE, irq, 0);
    }

    static long sourceConfig(int server, int prio, boolean masked, int eisn) {
        return prio | ((long) server << 3) | (masked ? KvmXiveUapi.SOURCE_MASKED_MASK : 0) | ((long) eisn << 33);
    }

    /** EQ_CONFIG set of a 64K always-notify queue for (server, PRIO) at QPAGE + server * 64K. */
    KvmResult queue(int server) {
        return set(KvmXiveUapi.GRP_EQ_CONFIG, ((long) server << 3) | PRIO, KvmXiveUapi.EQ_ALWAYS_NOTIFY, 16,
            qpage(server), 1, 0);
    }

    static long qpage(int server) {
        return QPAGE + ((long) server << 16);
    }

    /** The host physical address the VMA's page {@code page} maps (touching it). */
    long touch(Vma v, long page) {
        return vmm().touch(v, page, 0);
    }
}
