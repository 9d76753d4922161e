package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.snapshot.Migration;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;
import io.pseries.xive.Pq;
import io.pseries.xive.SpaprXive;
import io.pseries.xive.kvm.KvmXiveUapi;
import io.pseries.xive.kvm.XiveNativeDevice;

/**
 * KVM's migration sequence with the native XIVE device (passthrough-facts section 5, checklist
 * items 16-18), one step per test: what the VM's stop does to the sources, that EQ_SYNC comes
 * after it, what running again gives back, the post-load order, the VP state with the IPB the
 * NVT backed up, and that the snapshot the VMM writes is the emulated controller's.
 */
class KvmMigrationSequenceTest {
    static final long ESB = 0x0006_0100_0000_0000L;
    static final long TIMA_OS = 0x0006_0302_0318_0000L + 0x20000;
    static final long QPAGE = 0x0100_0000L;
    /** A device source (the first VIO interrupt of the default machine). */
    static final int DEV = 0x1000;

    static Machine xive(String kernelIrqchip) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").kernelIrqchip(kernelIrqchip).build());
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals("on".equals(kernelIrqchip), m.activeController().inKernel());
        return m;
    }

    static SpaprXive spapr(Machine m) {
        return (SpaprXive) m.controller("xive");
    }

    static XiveNativeDevice device(Machine m) {
        return (XiveNativeDevice) m.host().process().device(spapr(m).kvm().fd());
    }

    /** The PQ of the hardware IPI backing guest LISN {@code lisn} (the kernel's copy). */
    static int kernelPq(Machine m, int lisn) {
        XiveNativeDevice d = device(m);
        return d.hostXive().source().pq(d.ipiOf(lisn));
    }

    /** Queue (cpu, priority 5) and LISN {@code lisn} routed to it with EISN 0x40 + lisn. */
    static void route(Machine m, int cpu, int lisn) {
        assertEquals(0, m.hcall(cpu, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, cpu, 5, QPAGE + 0x10000L * cpu, 16).rc());
        assertEquals(0, m.hcall(cpu, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, cpu, 5, 0x40 + lisn).rc());
    }

    static long mgmt(int lisn, int offset) {
        return ESB + 0x20000L * lisn + 0x10000 + offset;
    }

    static long ack(Machine m, int cpu) {
        return m.load(cpu, TIMA_OS + 0x810, 2);
    }

    /** LISN 0 routed and unmasked (PQ 00), LISN 1 routed but left off (01), LISN 0x1000 routed and queued (11). */
    static Machine threeSources(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        route(m, 0, 0);
        route(m, 1, 1);
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, DEV, 0, 5, 0x42).rc());
        m.store(0, TIMA_OS + 0x11, 1, 0xff);
        m.store(1, TIMA_OS + 0x11, 1, 0xff);
        m.load(0, mgmt(0, 0xc00), 8);
        m.load(0, mgmt(DEV, 0xf00), 8);
        return m;
    }

    @Test
    void stop_latchesEveryValidSourceWhosePqIsNot01To10_andKeepsTheOldPqAsTheSnapshotsPq() {
        Machine m = threeSources("on");
        assertEquals(Pq.RESET, kernelPq(m, 0));
        m.stop("test");
        assertEquals(Pq.PENDING, kernelPq(m, 0), "00 latched to 10 (a trigger now only sets Q)");
        assertEquals(Pq.OFF, kernelPq(m, 1), "01 left alone");
        assertEquals(Pq.PENDING, kernelPq(m, DEV), "11 latched to 10");
        assertEquals(Pq.RESET, spapr(m).source().pq(0), "the old PQ is what the VMM keeps and migrates");
        assertEquals(Pq.OFF, spapr(m).source().pq(1));
        assertEquals(Pq.QUEUED, spapr(m).source().pq(DEV));
        assertEquals("--", ((Map<?, ?>) ((List<?>) m.pic().get("sources")).get(0)).get("pq"),
            "pic() of a stopped VM shows the saved PQ, not the latch (no GET while stopped)");
    }

    @Test
    void stop_syncsTheQueuesWithEqSync_afterEverySourceIsLatched() {
        Machine m = threeSources("on");
        List<String> order = new ArrayList<>();
        m.on(TraceCategory.KVM, e -> {
            if ("set_attr".equals(e.name()) && "CTRL".equals(e.fields().get("groupName"))
                && Long.valueOf(KvmXiveUapi.CTRL_EQ_SYNC).equals(e.fields().get("attr"))) {
                order.add("EQ_SYNC with LISN 0 at " + Pq.name(kernelPq(m, 0)) + ", LISN 0x1000 at " + Pq.name(kernelPq(m, DEV)));
            }
        });
        long dirtyBefore = m.host().vm().dirtyPages().size();
        m.stop("test");
        assertEquals(List.of("EQ_SYNC with LISN 0 at P-, LISN 0x1000 at P-"), order);
        assertTrue(m.host().vm().dirtyPages().contains(QPAGE) || m.host().vm().dirtyPages().size() > dirtyBefore,
            "EQ_SYNC marked the queue pages dirty");
    }

    @Test
    void run_givesEverySavedPqBack_andRetriggersASourceSavedAt00ThatAnEventMovedTo11() {
        Machine m = threeSources("on");
        m.stop("test");
        // a device event reaches LISN 0's backing while the VM is stopped: 10 -> 11
        XiveNativeDevice d = device(m);
        d.hostXive().esbStore(d.ipiOf(0), true, 0, 0);
        assertEquals(Pq.QUEUED, kernelPq(m, 0));
        m.cont();
        assertEquals(Pq.PENDING, kernelPq(m, 0), "saved 00, seen 11: re-triggered (00 -> 10, one event)");
        assertEquals(Pq.OFF, kernelPq(m, 1));
        assertEquals(Pq.QUEUED, kernelPq(m, DEV), "saved 11 written back, no trigger");
        m.runUntilIdle();
        assertEquals(0x8005, ack(m, 0), "the latched event reached vCPU 0 (backlogged while its VP was out, then pushed)");
        assertEquals(0x40, m.memory().read32(QPAGE) & 0x7fff_ffff, "one queue entry with LISN 0's EISN");
        assertEquals(0, m.memory().read32(QPAGE + 4), "and only one");
    }

    @Test
    void run_withoutAnEventWhileStopped_isInvisible() {
        Machine m = threeSources("on");
        Map<String, Object> before = m.pic();
        m.stop("test");
        m.cont();
        assertEquals(before, m.pic());
        assertEquals(Pq.RESET, kernelPq(m, 0));
        assertEquals(Pq.QUEUED, kernelPq(m, DEV));
    }

    @Test
    void vpStateGet_mergesTheIpbTheNvtBackedUp_whileTheVcpuWasOutOfTheGuest() {
        Machine m = threeSources("on");
        XiveNativeDevice d = device(m);
        d.pauseVcpus();
        d.hostXive().esbStore(d.ipiOf(0), true, 0, 0);     // priority 5 for VP of vCPU 0, not dispatched
        long w01 = m.host().vm().getOneReg(spapr(m).kvm().fd(), m.cpus().get(0), KvmXiveUapi.REG_VP_STATE).value(0);
        assertEquals(0x04, (w01 >>> 40) & 0xff, "IPB bit of priority 5 from the NVT");
        assertFalse(d.isPushed(m.cpus().get(0)));
        d.resumeVcpus();
        assertEquals(0x8005, ack(m, 0), "the push brought the backed-up priority back: signalled");
    }

    @Test
    void vpStateSet_whileTheVmIsStopped_waitsForThePush() {
        Machine m = xive("on");
        XiveNativeDevice d = device(m);
        d.pauseVcpus();
        int fd = spapr(m).kvm().fd();
        // CPPR 0xFF, IPB priority 5: signalled once pushed
        assertTrue(m.host().vm().setOneReg(fd, m.cpus().get(0), KvmXiveUapi.REG_VP_STATE, 0x00ff_0400_0000_00ffL).isOk());
        d.resumeVcpus();
        assertEquals(0x8005, ack(m, 0));
    }

    /** Each KVM call of a restore into a fresh machine, from the first EQ_CONFIG on: the post-load. */
    @Test
    void postLoad_restoresEndsFirst_thenEachSourceAndItsConfig_thenTheVpStates() {
        Machine src = threeSources("on");
        int valid = ((List<?>) src.pic().get("sources")).size();
        byte[] s = src.snapshot();
        Machine dst = Machine.create(src.config());
        List<String> calls = new ArrayList<>();
        dst.on(TraceCategory.KVM, e -> calls.add(describe(e)));
        dst.restore(s);
        int first = calls.indexOf("set_attr EQ_CONFIG");
        assertTrue(first > 0, calls.toString());
        assertTrue(calls.subList(0, first).contains("create_device"), "a fresh device first: " + calls);
        List<String> postLoad = calls.subList(first, calls.size());
        List<String> want = new ArrayList<>();
        want.add("set_attr EQ_CONFIG");
        want.add("set_attr EQ_CONFIG");
        for (int i = 0; i < valid; i++) {
            want.add("set_attr SOURCE");
            want.add("set_attr SOURCE_CONFIG");
        }
        want.add("set_one_reg");
        want.add("set_one_reg");
        assertEquals(want, postLoad, "2 ENDs, then each of the " + valid + " valid EASs, then 2 vCPUs");
    }

    private static String describe(TraceEvent e) {
        if (e.name().endsWith("_attr")) {
            String g = String.valueOf(e.fields().get("groupName"));
            if ("CTRL".equals(g)) {
                long a = (Long) e.fields().get("attr");
                return e.name() + " CTRL " + (a == KvmXiveUapi.CTRL_EQ_SYNC ? "EQ_SYNC" : a == KvmXiveUapi.CTRL_RESET
                    ? "RESET" : "NR_SERVERS");
            }
            return e.name() + " " + g;
        }
        return e.name();
    }

    @Test
    void eqConfigSet_restoresTheQueuesGenerationAndIndex() {
        Machine src = threeSources("on");
        src.store(0, ESB, 8, 0);                 // LISN 0 -> queue of vCPU 0: index 1
        src.runUntilIdle();
        Machine dst = Machine.create(src.config());
        dst.restore(src.snapshot());
        Object q = ((List<?>) dst.pic().get("queues")).get(0);
        assertEquals(1, ((Map<?, ?>) q).get("index"));
        assertEquals(1, ((Map<?, ?>) q).get("generation"));
        assertEquals(((List<?>) src.pic().get("queues")), ((List<?>) dst.pic().get("queues")));
        // the next event goes to slot 1 on the destination too
        dst.load(0, TIMA_OS + 0x810, 2);
        dst.load(0, mgmt(0, 0x000), 8);          // EOI: PQ 10 -> 00
        dst.store(0, TIMA_OS + 0x11, 1, 0xff);
        dst.store(0, ESB, 8, 0);
        dst.runUntilIdle();
        assertEquals(0x40, dst.memory().read32(QPAGE + 4) & 0x7fff_ffff);
    }

    /** The controller sections of an 'on' and an 'off' machine that did the same are the same bytes. */
    @Test
    void snapshotWithTheKernelOn_writesTheEmulatedControllersSections() {
        Machine on = threeSources("on");
        Machine off = threeSources("off");
        for (Machine m : List.of(on, off)) {
            m.store(0, ESB, 8, 0);
            m.runUntilIdle();
            m.load(0, TIMA_OS + 0x810, 2);
        }
        Map<String, Map<String, Object>> a = sections(on.snapshot());
        Map<String, Map<String, Object>> b = sections(off.snapshot());
        assertEquals(a.keySet(), b.keySet(), "the same sections, host/kvm included");
        assertArrayEquals((byte[]) b.get("xive/source").get("status"), (byte[]) a.get("xive/source").get("status"));
        assertArrayEquals((int[]) b.get("xive/tables").get("eas_lisns"), (int[]) a.get("xive/tables").get("eas_lisns"));
        assertArrayEquals((long[]) b.get("xive/tables").get("eas"), (long[]) a.get("xive/tables").get("eas"));
        assertArrayEquals((int[]) b.get("xive/tables").get("endt"), (int[]) a.get("xive/tables").get("endt"));
        byte[] ra = (byte[]) a.get("xive/tctx/0").get("regs");
        byte[] rb = (byte[]) b.get("xive/tctx/0").get("regs");
        for (int i = 0; i < 64; i++) {
            // LSMFB, ACK# and AGE of the OS ring are KVM's pull values (KernelIrqchipGuestViewTest)
            if (i != 0x13 && i != 0x14 && i != 0x16) {
                assertEquals(rb[i], ra[i], "tctx byte 0x" + Integer.toHexString(i));
            }
        }
        assertEquals("kvm-xive-native", a.get("host/kvm").get("device"));
        assertEquals("xive", a.get("host/kvm").get("controller"));
        assertEquals("", b.get("host/kvm").get("device"));
        assertTrue(((long[]) a.get("host/kvm").get("faultedPage")).length >= 2, "the ESB pages the VM and VMM touched");
    }

    static Map<String, Map<String, Object>> sections(byte[] s) {
        Map<String, Map<String, Object>> out = new java.util.LinkedHashMap<>();
        for (io.pseries.core.snapshot.SnapshotDump.Section x : io.pseries.core.snapshot.SnapshotDump.decode(s)) {
            out.put(x.name(), x.values());
        }
        return out;
    }

    @Test
    void restore_faultsInAgainThePagesTheSourceHadFaulted() {
        Machine src = threeSources("on");
        src.store(0, ESB, 8, 0);
        src.runUntilIdle();
        Machine dst = Machine.create(src.config());
        dst.restore(src.snapshot());
        assertEquals(esbPages(src), esbPages(dst));
    }

    private static long esbPages(Machine m) {
        return m.host().vmas().stream().filter(v -> v.name().equals("xive.esb-kvm")).mapToLong(v -> v.pagesMapped())
            .sum();
    }

    @Test
    void corruptHostSection_isRefusedNamingIt_andTheTargetIsUnchanged() {
        Machine src = threeSources("on");
        List<io.pseries.core.snapshot.SnapshotDump.Section> d = io.pseries.core.snapshot.SnapshotDump.decode(src.snapshot());
        Machine target = threeSources("on");
        target.store(0, ESB, 8, 0);
        target.runUntilIdle();
        Map<String, Object> pic = target.pic();
        long pages = esbPages(target);
        for (Map.Entry<String, Object> bad : List.<Map.Entry<String, Object>>of(
            Map.entry("faultedPage", new long[] {1L << 40}), Map.entry("controller", "mpic"),
            Map.entry("type", 7), Map.entry("links", new int[] {0x1000}))) {
            List<io.pseries.core.snapshot.SnapshotDump.Section> c = new ArrayList<>();
            for (io.pseries.core.snapshot.SnapshotDump.Section x : d) {
                Map<String, Object> v = new java.util.LinkedHashMap<>(x.values());
                if (x.name().equals("host/kvm")) {
                    v.put(bad.getKey(), bad.getValue());
                    if (bad.getKey().equals("faultedPage")) {
                        v.put("faultedVma", new int[] {0});
                    }
                }
                c.add(new io.pseries.core.snapshot.SnapshotDump.Section(x.name(), x.version(), x.minVersion(), v, x.types()));
            }
            byte[] stream = io.pseries.core.snapshot.SnapshotDump.encode(c);
            Exception e = assertThrows(RuntimeException.class, () -> target.restore(stream));
            assertTrue(e.getMessage().startsWith("snapshot section 'host/kvm': "), e.getMessage());
            assertEquals(pic, target.pic(), bad.getKey());
            assertEquals(pages, esbPages(target));
            assertTrue(target.running());
        }
    }

    @Test
    void migrate_fromKernelOnToOff_andBack_keepsWhatTheGuestSees() {
        Machine a = threeSources("on");
        a.store(0, ESB, 8, 0);
        a.runUntilIdle();
        Map<String, Object> queues = Map.of("q", a.pic().get("queues"), "s", a.pic().get("sources"));
        Migration.Result r = Migration.migrate(a, cfg -> Machine.create(cfg.withKernelIrqchip("off")));
        Machine b = r.destination();
        assertFalse(b.activeController().inKernel());
        assertFalse(a.running());
        assertThrows(IllegalStateException.class, () -> a.hcall(0, Hcalls.H_INT_RESET, 0));
        assertEquals(queues, Map.of("q", b.pic().get("queues"), "s", b.pic().get("sources")));
        Machine c = Migration.migrate(b, cfg -> Machine.create(cfg.withKernelIrqchip("on"))).destination();
        assertTrue(c.activeController().inKernel());
        assertEquals(queues, Map.of("q", c.pic().get("queues"), "s", c.pic().get("sources")));
        assertEquals(0x8005, ack(c, 0), "the event presented on the source is still presented twice migrated");
        assertEquals(Pq.PENDING, kernelPq(c, 0));
        assertEquals(Pq.QUEUED, kernelPq(c, DEV));
        assertNotEquals(0, r.bytes());
    }

    @Test
    void migrate_refusedByTheDestination_letsTheSourceRunOn() {
        Machine a = threeSources("on");
        Machine other = Machine.create(MachineConfig.builder().cpus(4).icMode("xive").kernelIrqchip("on").build());
        Exception e = assertThrows(RuntimeException.class, () -> Migration.migrate(a, cfg -> other));
        assertTrue(e.getMessage().startsWith("snapshot section 'config': foreign stream"), e.getMessage());
        assertTrue(a.running());
        assertEquals(Pq.RESET, kernelPq(a, 0), "the source's sources unlatched again");
    }
}
