package io.pseries.core.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import io.pseries.core.cas.GuestOv5;
import io.pseries.core.dt.DtNode;
import io.pseries.core.rtas.RtasResult;

/**
 * The guest model's boot, as Linux 6.1 boots on pseries: firmware reads the platform's interrupt
 * modes and performs CAS; the kernel picks its interrupt driver from the post-CAS device tree,
 * sets up the boot CPU, brings up the secondaries (query-cpu-stopped-state, start-cpu) and starts
 * the device interrupts in the order Linux maps and requests them. Everything goes through the
 * {@link GuestOs}'s guest ABI, so its costs and trace are those of any guest action.
 *
 * <p>Threading: the machine's thread.
 */
final class GuestBoot {
    private GuestBoot() {
    }

    /** Runs firmware, CAS, interrupt-controller set-up, SMP bring-up and device start-up. */
    static GuestOs.BootReport boot(GuestOs os) {
        GuestPlatform m = os.machine();
        DtNode pre = m.deviceTree();
        int platform = platformByte23(pre);
        int asked = GuestOv5.byte23(os.options.xive(), platform);
        os.step(String.format("firmware: platform interrupt modes 0x%02x, guest offers %s, asks byte 23 = 0x%02x",
            platform, os.options.xive().name().toLowerCase(java.util.Locale.ROOT), asked));
        os.cas = m.cas(GuestOv5.linuxVector(asked));
        os.step(String.format("cas: answer byte 23 = 0x%02x, active controller %s", os.cas.answer(), os.cas.mode()));
        os.tree = m.deviceTree();

        List<GuestIrqDriverProvider> providers = new ArrayList<>();
        ServiceLoader.load(GuestIrqDriverProvider.class, GuestBoot.class.getClassLoader()).forEach(providers::add);
        providers.sort((a, b) -> Integer.compare(a.probeOrder(), b.probeOrder()));
        for (GuestIrqDriverProvider p : providers) {
            if (p.probe(os.tree)) {
                os.driver = p.create(os);
                break;
            }
        }
        if (os.driver == null) {
            throw new IllegalStateException("the guest found no interrupt controller it can drive in the device tree"
                + " (drivers tried: " + providers.stream().map(GuestIrqDriverProvider::name).toList() + ")");
        }
        os.step("kernel: interrupt driver " + os.driver.name());
        os.attach();

        os.driver.initBootCpu();
        os.step("cpu 0: interrupt set-up done");
        for (int c = 1; c < os.cpuCount(); c++) {
            os.driver.prepareCpu(c);
            int id = m.cpu(c).vcpuId();
            // smp_startup_cpu: a thread firmware does not report stopped is taken to be up already
            RtasResult q = os.rtas(0, "query-cpu-stopped-state", new int[] {id}, 2);
            if (q.status() == 0 && q.rets()[0] != 0) {
                os.step("cpu " + c + ": firmware reports it not stopped (state " + q.rets()[0] + "), not started");
                continue;
            }
            RtasResult r = os.rtas(0, "start-cpu", new int[] {id, 0x10000, c}, 1);
            if (r.status() != 0) {
                throw new IllegalStateException("start-cpu " + c + " failed with RTAS status " + r.status());
            }
            os.driver.setupCpu(c);
            os.step("cpu " + c + ": started, interrupt set-up done");
        }
        startDevices(os);
        return new GuestOs.BootReport(os.driver.name(), os.cpuCount(), os.irqTable(), List.copyOf(os.steps));
    }

    private static int platformByte23(DtNode tree) {
        DtNode chosen = tree.child("chosen");
        byte[] v = chosen == null ? null : chosen.prop("ibm,arch-vec-5-platform-support");
        if (v != null) {
            for (int i = 0; i + 1 < v.length; i += 2) {
                if ((v[i] & 0xff) == 23) {
                    return v[i + 1] & 0xff;
                }
            }
        }
        return 0x00;
    }

    /**
     * Device interrupts in Linux 6.1's order on pseries (what QEMU saw it do): the PCI bus probe
     * maps INTx lines; the EPOW event source is mapped and requested; the VIO bus maps every
     * VIO device's interrupt (the NVRAM's too, which nothing ever requests); the VAS and
     * hypervisor-counter probes ask for hcalls QEMU does not have; the hot-plug event source is
     * mapped and requested; the console requests its interrupt; the PCI drivers set up their
     * interrupts; last the network interfaces open (ibmveth sets its checksum attributes, then
     * requests its interrupt).
     */
    private static void startDevices(GuestOs os) {
        GuestPciProbe pci = new GuestPciProbe(os);
        pci.probe(os.tree);
        DtNode es = os.tree.child("event-sources");
        IrqDesc epow = eventSource(os, es, "epow-events", "RAS_EPOW");
        if (epow != null) {
            os.startIrq(epow, "RAS_EPOW");
        }
        DtNode vdev = os.tree.child("vdevice");
        IrqDesc console = null;
        List<IrqDesc> lans = new ArrayList<>();
        List<Long> lanUnits = new ArrayList<>();
        List<IrqDesc> others = new ArrayList<>();
        if (vdev != null) {
            for (DtNode d : vdev.children()) {
                long[] irq = d.cells("interrupts");
                List<String> type = d.strings("device_type");
                if (irq == null || type == null) {
                    continue;
                }
                IrqDesc desc = os.map((int) irq[0], irq[1] == 1, d.name());
                if (type.contains("serial") && console == null) {
                    console = desc;
                } else if (type.contains("network")) {
                    lans.add(desc);
                    long[] reg = d.cells("reg");
                    lanUnits.add(reg == null ? 0 : reg[0]);
                } else if (!type.contains("nvram")) {
                    others.add(desc);
                }
            }
        }
        long scratch = os.alloc(4096, 4096);
        os.hcall(0, H_QUERY_VAS_CAPABILITIES, 0, scratch);
        os.hcall(0, H_GET_PERF_COUNTER_INFO, scratch, 4096);
        os.hcall(0, H_GET_PERF_COUNTER_INFO, scratch, 4096);
        IrqDesc hotplug = eventSource(os, es, "hot-plug-events", "RAS_HOTPLUG");
        if (hotplug != null) {
            os.startIrq(hotplug, "RAS_HOTPLUG");
        }
        if (console != null) {
            os.startIrq(console, "hvc_console");
        }
        pci.startDrivers();
        for (int i = 0; i < lans.size(); i++) {
            // ibmveth_open: the checksum-offload attributes first, then the interrupt
            os.hcall(0, H_ILLAN_ATTRIBUTES, lanUnits.get(i), 0, 0);
            os.startIrq(lans.get(i), "ibmveth " + lans.get(i).name());
        }
        for (IrqDesc d : others) {
            os.startIrq(d, d.name());
        }
    }

    /** Hcalls Linux 6.1 makes while it boots that QEMU 7.2 does not implement (it answers H_FUNCTION). */
    static final int H_ILLAN_ATTRIBUTES = 0x244;
    static final int H_QUERY_VAS_CAPABILITIES = 0x398;
    static final int H_GET_PERF_COUNTER_INFO = 0xF080;

    private static IrqDesc eventSource(GuestOs os, DtNode es, String node, String name) {
        DtNode e = es == null ? null : es.child(node);
        long[] irq = e == null ? null : e.cells("interrupts");
        return irq == null ? null : os.map((int) irq[0], irq[1] == 1, name);
    }
}
