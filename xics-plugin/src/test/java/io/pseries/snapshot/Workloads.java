package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * IPI workloads driven through the guest ABI of a 4-vCPU machine, split at a snapshot point:
 * {@code before} leaves interrupts presented and unacknowledged and one CPU in its handler,
 * {@code after} finishes them and sends more. XICS through H_IPI/H_XIRR/H_EOI; XIVE through
 * queue and source configuration hcalls, ESB triggers and TIMA acknowledge/CPPR.
 */
final class Workloads {
    static final long TIMA_OS = 0x0006_0302_0318_0000L + 0x20000;
    static final long ESB_BASE = 0x0006_0100_0000_0000L;
    static final long ESB_STRIDE = 0x20000;
    static final long QPAGE = 0x0100_0000L;

    /** One workload: a machine configuration, its set-up, and the two halves around the snapshot point. */
    record Workload(String name, MachineConfig config, Consumer<Machine> setup, Consumer<Machine> before,
                    Consumer<Machine> after, java.util.function.Supplier<Machine> maker) {
        Workload(String name, MachineConfig config, Consumer<Machine> setup, Consumer<Machine> before,
                 Consumer<Machine> after) {
            this(name, config, setup, before, after, () -> Machine.create(config));
        }

        /** A fresh machine of the workload (on a host of its own when it passes functions through). */
        Machine create() {
            return maker.get();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private Workloads() {
    }

    static MachineConfig config(String icMode) {
        return MachineConfig.builder().cpus(4).icMode(icMode).build();
    }

    static void ok(HcallResult r) {
        assertEquals(PaprRc.H_SUCCESS, r.rc(), () -> "hcall failed: " + r.rcName());
    }

    static List<Workload> all() {
        List<Workload> l = new ArrayList<>();
        l.add(new Workload("xics", config("xics"), Workloads::xicsSetup, Workloads::xicsBefore, Workloads::xicsAfter));
        l.add(new Workload("dual before CAS (xics active)", config("dual"), Workloads::xicsSetup, Workloads::xicsBefore,
            Workloads::xicsAfter));
        l.add(new Workload("xive", config("xive"), m -> {
            m.cas(GuestOv5.linuxVector(0x40));
            xiveSetup(m);
        }, Workloads::xiveBefore, Workloads::xiveAfter));
        l.add(new Workload("dual after CAS (xive active)", config("dual"), m -> {
            m.cas(GuestOv5.linuxVector(0x40));
            xiveSetup(m);
        }, Workloads::xiveBefore, Workloads::xiveAfter));
        for (String mode : List.of("xics", "xive")) {
            MachineConfig c = MachineConfig.builder().cpus(4).icMode(mode).devices(List.of(
                MachineConfig.DeviceConfig.of("spapr-vty"))).build();
            l.add(new Workload("booted " + mode + " guest mid IPI burst", c, Workloads::bootedSetup,
                Workloads::bootedBefore, Workloads::bootedAfter));
        }
        MachineConfig pci = MachineConfig.builder().cpus(4).icMode("xive").devices(List.of(
            MachineConfig.DeviceConfig.of("spapr-vty"),
            new MachineConfig.DeviceConfig("virtio-net-pci", java.util.Map.of("id", "net0")),
            new MachineConfig.DeviceConfig("virtio-blk-pci", java.util.Map.of("id", "blk0", "vectors", 2L)),
            new MachineConfig.DeviceConfig("vfio-pci", java.util.Map.of("id", "nic0", "host", NIC)))).build();
        l.add(new Workload("booted xive guest with PCI MSIs (virtio, vfio-pci) mid device interrupts", pci,
            Workloads::bootedSetup, Workloads::pciBefore, Workloads::pciAfter, () -> Machine.create(pci, nicHost())));
        return l;
    }

    // ------------------------------------------------------------------ guest code

    /**
     * Guest code mid run (not in {@link #all}: it raises no interrupt): 2 vCPUs, the boot CPU in a
     * loop after setting DEC, XER[CA] and CR0, vCPU 1 never started.
     */
    static Workload guestCode() {
        MachineConfig c = MachineConfig.builder().cpus(2).icMode("xics").build();
        int[] words = {
            0x388007ff, // li r4,0x7ff
            0x7c9603a6, // mtdec r4
            0x38a0ffff, // li r5,-1
            0x30c50001, // addic r6,r5,1 (CA)
            0x2c060000, // cmpwi r6,0 (CR0 EQ)
            0x38630001, // loop: addi r3,r3,1
            0x4bfffffc, // b loop
        };
        return new Workload("guest code mid run", c, m -> {
            m.loadElf(elf(words));
            // vCPU 1's interpreter made (as a script reading its registers does): stopped, not started
            m.interpreter(1);
        }, m -> m.runGuest(3000), m -> m.runGuest(3000));
    }

    /** An ELF64 big-endian PowerPC executable whose one segment, at 0 (loaded at 0x400000, as QEMU's VOF boot does), holds {@code words}. */
    static byte[] elf(int[] words) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64 + 56 + 4 * words.length);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 2, 1});
        b.putShort(16, (short) 2).putShort(18, (short) 21).putInt(20, 1).putLong(32, 64)
            .putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 7).putLong(72, 120)
            .putLong(96, 4L * words.length).putLong(104, 4L * words.length);
        for (int i = 0; i < words.length; i++) {
            b.putInt(120 + 4 * i, words[i]);
        }
        return b.array();
    }

    // ------------------------------------------------------------------ PCI MSIs

    static final String NIC = "0000:01:00.0";

    /** A host with one NIC of 8 MSI-X vectors and an INTx pin to pass through. */
    static io.pseries.core.host.pt.PhysicalHost nicHost() {
        return io.pseries.core.host.pt.PhysicalHost.of(io.pseries.core.host.HostConfig.POWER9,
            List.of(java.util.Map.of("addr", NIC, "msix", 8, "intx", true)));
    }

    /** The IPI ring, a virtio MSI and a pass-through MSI in flight; the NIC's vector 2 masked with an event pending. */
    static void pciBefore(Machine m) {
        bootedBefore(m);
        m.phb().device("net0").msi(1);
        m.host().physical().function(NIC).fire(0);
        io.pseries.core.dev.pci.VfioPciDevice nic = (io.pseries.core.dev.pci.VfioPciDevice) m.phb().device("nic0");
        long table = nic.barCpuAddress(io.pseries.core.dev.pci.VfioPciDevice.MSIX_BAR);
        m.store(0, table + 16 * 2 + 12, 4, Integer.reverseBytes(1) & 0xffff_ffffL);
        m.host().physical().function(NIC).fire(2);
    }

    /** Everything delivered; the NIC's vector 2 unmasked (its pending event sent); more device MSIs. */
    static void pciAfter(Machine m) {
        m.runUntilIdle();
        io.pseries.core.dev.pci.VfioPciDevice nic = (io.pseries.core.dev.pci.VfioPciDevice) m.phb().device("nic0");
        long table = nic.barCpuAddress(io.pseries.core.dev.pci.VfioPciDevice.MSIX_BAR);
        m.store(0, table + 16 * 2 + 12, 4, 0);
        m.runUntilIdle();
        for (int k = 0; k < 3; k++) {
            m.phb().device("net0").msi(k);
            m.host().physical().function(NIC).fire(k);
        }
        m.runUntilIdle();
        bootedAfter(m);
    }

    // ------------------------------------------------------------------ the guest model

    /** Boots the guest model and has it take the console's interrupt once (device counts, not only IPIs). */
    static void bootedSetup(Machine m) {
        m.boot(io.pseries.core.guest.GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        m.irq(0x1100).pulse();
        m.runUntilIdle();
    }

    /** A ring of IPIs sent: every CPU's input raised, its exception entry a pending event. */
    static void bootedBefore(Machine m) {
        for (int c = 0; c < 4; c++) {
            m.guest().ipi(c, (c + 1) % 4);
        }
    }

    /** The ring finishes; every CPU to every other; the console again. */
    static void bootedAfter(Machine m) {
        m.runUntilIdle();
        for (int f = 0; f < 4; f++) {
            for (int t = 0; t < 4; t++) {
                if (f != t) {
                    m.guest().ipi(f, t);
                }
            }
        }
        m.irq(0x1100).pulse();
        m.runUntilIdle();
    }

    // ------------------------------------------------------------------ XICS

    static void xicsSetup(Machine m) {
        for (int c = 0; c < 4; c++) {
            ok(m.hcall(c, Hcalls.H_CPPR, 0xFF));
        }
    }

    static void xicsBefore(Machine m) {
        ok(m.hcall(0, Hcalls.H_IPI, 1, 0x05));
        ok(m.hcall(2, Hcalls.H_IPI, 3, 0x04));
        m.run(1000);
        ok(m.hcall(1, Hcalls.H_XIRR));
        m.run(500);
    }

    static void xicsAfter(Machine m) {
        ok(m.hcall(1, Hcalls.H_IPI, 1, 0xFF));
        ok(m.hcall(1, Hcalls.H_EOI, 0xFF000002L));
        HcallResult x = m.hcall(3, Hcalls.H_XIRR);
        ok(x);
        ok(m.hcall(3, Hcalls.H_IPI, 3, 0xFF));
        ok(m.hcall(3, Hcalls.H_EOI, x.rets()[0]));
        ok(m.hcall(0, Hcalls.H_IPI, 2, 0x05));
        m.run(700);
        HcallResult y = m.hcall(2, Hcalls.H_XIRR);
        ok(y);
        ok(m.hcall(2, Hcalls.H_IPI, 2, 0xFF));
        ok(m.hcall(2, Hcalls.H_EOI, y.rets()[0]));
        m.run(300);
    }

    // ------------------------------------------------------------------ XIVE

    static long trig(int lisn) {
        return ESB_BASE + lisn * ESB_STRIDE;
    }

    static void xiveSetup(Machine m) {
        for (int c = 0; c < 4; c++) {
            ok(m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, c, 6, QPAGE + c * 0x10000L, 16));
            ok(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, c, c, 6, 0x10 + c));
            m.load(0, trig(c) + 0x10000 + 0xC00, 8);
            m.store(c, TIMA_OS + 0x11, 1, 0xFF);
        }
    }

    static void xiveBefore(Machine m) {
        m.store(0, trig(1), 8, 0);
        m.store(2, trig(3), 8, 0);
        m.run(1000);
        m.load(1, TIMA_OS + 0x810, 2);
        m.run(500);
    }

    static void xiveAfter(Machine m) {
        m.store(1, TIMA_OS + 0x11, 1, 0xFF);
        m.load(1, trig(1), 8);
        m.load(3, TIMA_OS + 0x810, 2);
        m.store(3, TIMA_OS + 0x11, 1, 0xFF);
        m.load(3, trig(3), 8);
        m.store(0, trig(2), 8, 0);
        m.store(1, trig(1), 8, 0);
        m.run(700);
        m.load(2, TIMA_OS + 0x810, 2);
        m.store(2, TIMA_OS + 0x11, 1, 0xFF);
        m.load(2, trig(2), 8);
        m.run(300);
    }

    /** Records every trace event of {@code m} from now on (the trace's sequence numbers left out). */
    static List<String> record(Machine m) {
        List<String> l = new ArrayList<>();
        for (TraceCategory c : TraceCategory.values()) {
            m.trace().subscribe(c, e -> l.add(show(e)));
        }
        return l;
    }

    /** Where the section named {@code name} starts in a stream (its u16 name length). */
    static int indexOfSection(byte[] stream, String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        outer:
        for (int i = 2; i + n.length <= stream.length; i++) {
            for (int k = 0; k < n.length; k++) {
                if (stream[i + k] != n[k]) {
                    continue outer;
                }
            }
            if (stream[i - 2] == 0 && (stream[i - 1] & 0xff) == n.length) {
                return i - 2;
            }
        }
        throw new AssertionError("no section " + name);
    }

    static String show(TraceEvent e) {
        String s = e.toString();
        return s.substring(s.indexOf(' ') + 1);
    }
}
