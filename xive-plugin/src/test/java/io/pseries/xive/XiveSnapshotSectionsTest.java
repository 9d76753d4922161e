package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.OS;
import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.trig;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.util.Json;

/**
 * The emulated XIVE's snapshot sections (xive-facts.md section 12.1, QEMU's vmstate of
 * {@code spapr-xive}, its source and each {@code xive-tctx}): what a restore installs, what it
 * re-derives (the vCPU inputs from the NSR, only while XIVE is the active controller; the
 * router's queue-page and presenter-match caches) and which streams it refuses, the machine
 * left as it was.
 */
class XiveSnapshotSectionsTest {

    /** Two vCPUs with a queue each; source 0x1500's IPI-like MSI routed to vCPU 1, triggered. */
    private static void presentOnCpu1(Machine m) {
        for (int c = 0; c < 2; c++) {
            queue(m, c, PRIO, QPAGE + c * 0x10000L, 16, 1);
            m.store(c, OS + 0x11, 1, 0xFF);
        }
        int lisn = 0x1500;
        m.claimIrq(lisn, false, "test");
        route(m, lisn, 1, PRIO, 0x77);
        m.load(0, trig(lisn) + 0x10000 + 0xC00, 8); // PQ 00
        m.store(0, trig(lisn), 8, 0);
        m.run(1000);
    }

    private static Machine xiveAt(Consumer<Machine> setup) {
        Machine m = casMachine(2);
        setup.accept(m);
        return m;
    }

    private static Machine freshLike() {
        Machine m = casMachine(2);
        m.claimIrq(0x1500, false, "test");
        return m;
    }

    @Test
    void restore_installsSourcesTablesAndContexts_andReraisesThePresentedInput() {
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        assertTrue(src.cpu(1).osInterrupt(), "the event is presented to vCPU 1 at the snapshot point");
        byte[] snap = src.snapshot();
        Machine dst = freshLike();
        String before = Json.write(dst.pic());
        assertNotEquals(Json.write(src.pic()), before, "a fresh machine must differ, or the test proves nothing");
        assertFalse(dst.cpu(1).osInterrupt());

        dst.restore(snap);
        assertEquals(Json.write(src.pic()), Json.write(dst.pic()));
        assertTrue(dst.cpu(1).osInterrupt(), "the restored NSR drives vCPU 1's input again");
        assertFalse(dst.cpu(0).osInterrupt());
        assertEquals(xive(src).source().pq(0x1500), xive(dst).source().pq(0x1500));
        assertEquals(xive(src).router().enqueuedCount(), xive(dst).router().enqueuedCount());
        assertArrayEquals(xive(src).threadContext(1).registers(), xive(dst).threadContext(1).registers());
        // the restored machine goes on as the original: acknowledge returns the same, the queue
        // entry written next lands in the next slot (the restored END's index and generation)
        assertEquals(src.load(1, OS + 0x810, 2), dst.load(1, OS + 0x810, 2));
        src.store(0, trig(0x1500), 8, 0);
        dst.store(0, trig(0x1500), 8, 0);
        src.run(1000);
        dst.run(1000);
        assertEquals(src.memory().read64(QPAGE + 0x10000), dst.memory().read64(QPAGE + 0x10000));
        assertEquals(Json.write(src.pic()), Json.write(dst.pic()));
        assertEquals(xive(src).router().enqueuedCount(), xive(dst).router().enqueuedCount());
    }

    @Test
    void restore_dropsTheRoutersCaches_soTheRestoredEndIsTheOneUsed() {
        // the target machine routed and delivered before the restore: its queue page and match
        // caches point at its own END; after restoring a stream whose END sits elsewhere the
        // next event must go to the stream's queue, not the cached one
        Machine src = xiveAt(m -> {
            presentOnCpu1(m);
            m.load(1, OS + 0x810, 2);
            m.store(1, OS + 0x11, 1, 0xFF);
            m.load(0, trig(0x1500) + 0x10000 + 0xC00, 8);
            queue(m, 1, PRIO, QPAGE + 0x40000, 16, 1);
            route(m, 0x1500, 1, PRIO, 0x55);
        });
        byte[] snap = src.snapshot();
        Machine dst = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        dst.load(1, OS + 0x810, 2);
        dst.store(1, OS + 0x11, 1, 0xFF);
        dst.restore(snap);
        dst.store(0, trig(0x1500), 8, 0);
        dst.run(1000);
        assertEquals(0x8000_0055L, dst.memory().read32(QPAGE + 0x40000) & 0xFFFF_FFFFL,
            "the event is in the restored END's queue (generation 1, the restored EISN 0x55)");
        assertEquals(0x8000_0077L, dst.memory().read32(QPAGE + 0x10000) & 0xFFFF_FFFFL, "the old queue is left alone");
        assertEquals(0, dst.memory().read32(QPAGE + 0x10000 + 4), "nothing after the old queue's first entry");
    }

    /**
     * A thread context's section re-derives the vCPU input from the restored NSR only while XIVE
     * is the active controller (dual mode before CAS: XICS drives the inputs, QEMU's post_load
     * of an inactive controller leaves them alone).
     */
    @Test
    void tctxRederive_raisesTheInputFromTheNsr_onlyWhileXiveIsActive() {
        Machine dual = new Machine(MachineConfig.builder().cpus(2).icMode("dual").devices(List.of()).build(),
            List.of(FakeIntc.XICS, new XiveProvider()));
        assertFalse(xive(dual).isActive());
        assertFalse(rederivedInput(dual), "the inactive XIVE drives no input");
        Machine active = casMachine(2);
        assertTrue(xive(active).isActive());
        assertTrue(rederivedInput(active), "NSR EO restored: the OS line of vCPU 1 goes up");
    }

    /** The physical ring's NSR HE field drives the HV line the same way (QW3, NSR_HE). */
    @Test
    void tctxRederive_raisesTheHvLineFromThePhysicalRingsNsr() {
        Machine m = casMachine(2);
        SpaprXive x = xive(m);
        byte[] regs = x.threadContext(0).registers();
        regs[ThreadContext.QW3_HV_PHYS + ThreadContext.NSR] = (byte) 0x80;   // HE = PHYS
        x.threadContext(0).restoreRegisters(regs);
        x.snapshotSections().stream().filter(s -> s.name().equals("xive/tctx/0")).findFirst().orElseThrow().rederive();
        assertTrue(m.cpu(0).hvInterrupt());
        assertFalse(m.cpu(0).osInterrupt(), "the OS ring's NSR is 0");
        assertFalse(m.cpu(1).hvInterrupt());
    }

    /**
     * The presenter's CAM index is re-derived from the restored contexts: a stream in which
     * vCPU 1 had pulled its OS context (VO clear) leaves no thread holding NVT 0x401 after the
     * restore, though the target machine had vCPU 1 holding it.
     */
    @Test
    void restore_rederivesThePresentersCamIndex_fromTheRestoredContexts() {
        Machine src = casMachine(2);
        src.store(1, XiveTestSupport.HV + ThreadContext.QW1_OS + ThreadContext.WORD2, 4,
            SpaprXive.osCam(1) & ~ThreadContext.QW1W2_VO);
        Machine dst = casMachine(2);
        assertEquals(1L << 8 | ThreadContext.QW1_OS, xive(dst).presenter().match(0, 0, 0x401, false, 0),
            "before: vCPU 1 holds NVT 0x401 on its OS ring");
        dst.restore(src.snapshot());
        assertEquals(SpaprXive.osCam(1) & ~ThreadContext.QW1W2_VO, xive(dst).threadContext(1).word2(ThreadContext.QW1_OS));
        assertEquals(Presenter.NO_MATCH, xive(dst).presenter().match(0, 0, 0x401, false, 0), "nobody holds NVT 0x401");
    }

    private static boolean rederivedInput(Machine m) {
        SpaprXive x = xive(m);
        byte[] regs = x.threadContext(1).registers();
        regs[ThreadContext.QW1_OS + ThreadContext.NSR] = (byte) ThreadContext.NSR_EO;
        x.threadContext(1).restoreRegisters(regs);
        assertFalse(m.cpu(1).osInterrupt(), "restoring the bytes alone drives nothing");
        x.snapshotSections().stream().filter(s -> s.name().equals("xive/tctx/1")).findFirst().orElseThrow().rederive();
        return m.cpu(1).osInterrupt();
    }

    // ------------------------------------------------------------------ refused streams

    private static SnapshotException refusedWith(Machine target, String section, String field, Object value) {
        return refusedWithEdit(target, section, v -> v.put(field, value));
    }

    /** The stream of presentOnCpu1 with {@code edit} applied to {@code section}'s values, refused by {@code target}. */
    private static SnapshotException refusedWithEdit(Machine target, String section,
            Consumer<java.util.Map<String, Object>> edit) {
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        List<SnapshotDump.Section> d = SnapshotDump.decode(src.snapshot());
        boolean found = false;
        for (SnapshotDump.Section s : d) {
            if (s.name().equals(section)) {
                edit.accept(s.values());
                found = true;
            }
        }
        assertTrue(found, section);
        String picBefore = Json.write(target.pic());
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(SnapshotDump.encode(d)));
        assertEquals(section, e.section(), e.getMessage());
        assertEquals(picBefore, Json.write(target.pic()), "a refused stream leaves the machine as it was");
        return e;
    }

    private static Object field(String section, String field) {
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        for (SnapshotDump.Section s : SnapshotDump.decode(src.snapshot())) {
            if (s.name().equals(section)) {
                return s.values().get(field);
            }
        }
        throw new AssertionError(section);
    }

    @Test
    void refused_aStatusByteWithBitsBesidesPqAndAsserted() {
        byte[] st = ((byte[]) field("xive/source", "status")).clone();
        st[0x1500] = (byte) (st[0x1500] | 0x10);
        SnapshotException e = refusedWith(freshLike(), "xive/source", "status", st);
        assertTrue(e.getMessage().contains("source 0x1500: status byte 0x1"), e.getMessage());
        assertTrue(e.getMessage().contains("bits other than PQ and ASSERTED"), e.getMessage());
    }

    @Test
    void accepted_theAssertedBitAndEveryPq() {
        byte[] st = ((byte[]) field("xive/source", "status")).clone();
        st[0x1500] = (byte) (Pq.ASSERTED | 3);
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        List<SnapshotDump.Section> d = SnapshotDump.decode(src.snapshot());
        d.stream().filter(s -> s.name().equals("xive/source")).forEach(s -> s.values().put("status", st));
        Machine dst = freshLike();
        dst.restore(SnapshotDump.encode(d));
        assertEquals(Pq.ASSERTED | 3, xive(dst).source().status(0x1500));
    }

    @Test
    void refused_anLsiMapOtherThanThisMachinesClaims() {
        long[] lsi = ((long[]) field("xive/source", "lsi_map")).clone();
        lsi[0x1500 >>> 6] |= 1L << 0x1500;
        SnapshotException e = refusedWith(freshLike(), "xive/source", "lsi_map", lsi);
        assertTrue(e.getMessage().contains("foreign stream: its LSI map differs from this machine's claims"), e.getMessage());
    }

    @Test
    void refused_anEasValidInTheStreamButFreeHere_andTheReverse() {
        int[] lisns = (int[]) field("xive/tables", "eas_lisns");
        long[] eas = ((long[]) field("xive/tables", "eas")).clone();
        int k = java.util.Arrays.binarySearch(lisns, 0x1500);
        assertTrue(k >= 0, "the claimed number's entry is written");
        eas[k] &= ~Eas.VALID;
        SnapshotException e = refusedWith(freshLike(), "xive/tables", "eas", eas);
        assertTrue(e.getMessage().contains("foreign stream: EAS 0x1500 is invalid in the stream but claimed here"),
            e.getMessage());
        // an EAS valid in the stream for a number this machine has free
        SnapshotException e2 = refusedWithEdit(freshLike(), "xive/tables", v -> {
            v.put("eas_lisns", insert((int[]) v.get("eas_lisns"), 0x1600));
            long[] w = (long[]) v.get("eas");
            int at = java.util.Arrays.binarySearch((int[]) v.get("eas_lisns"), 0x1600);
            long[] more = new long[w.length + 1];
            System.arraycopy(w, 0, more, 0, at);
            more[at] = Eas.VALID | Eas.MASKED;
            System.arraycopy(w, at, more, at + 1, w.length - at);
            v.put("eas", more);
        });
        assertTrue(e2.getMessage().contains("foreign stream: EAS 0x1600 is valid in the stream but free here"),
            e2.getMessage());
    }

    private static int[] insert(int[] sorted, int n) {
        int at = -java.util.Arrays.binarySearch(sorted, n) - 1;
        int[] out = new int[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, at);
        out[at] = n;
        System.arraycopy(sorted, at, out, at + 1, sorted.length - at);
        return out;
    }

    /** Version 2 writes only the entries that are not all zeros, and refuses a list that is not such a table. */
    @Test
    void easTableIsSparse_andRefusedWhenNotAscendingOutOfRangeOrZero() {
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        int[] lisns = (int[]) field("xive/tables", "eas_lisns");
        long[] eas = (long[]) field("xive/tables", "eas");
        XiveRouter rt = xive(src).router();
        int nonZero = 0;
        for (int i = 0; i < rt.nrIrqs(); i++) {
            if (rt.eas(i) != 0) {
                assertEquals(rt.eas(i), eas[nonZero], "EAS 0x" + Integer.toHexString(i));
                assertEquals(i, lisns[nonZero++]);
            }
        }
        assertEquals(nonZero, lisns.length, "only the entries that are not zero");
        assertTrue(lisns.length < rt.nrIrqs() / 8, lisns.length + " of " + rt.nrIrqs());
        int[] swapped = lisns.clone();
        swapped[0] = lisns[1];
        swapped[1] = lisns[0];
        assertTrue(refusedWith(freshLike(), "xive/tables", "eas_lisns", swapped).getMessage()
            .contains("field 'eas_lisns': entry 1 is 0x" + Integer.toHexString(lisns[0]) + ", not above the one before it"));
        int[] beyond = lisns.clone();
        beyond[beyond.length - 1] = rt.nrIrqs();
        assertTrue(refusedWith(freshLike(), "xive/tables", "eas_lisns", beyond).getMessage()
            .contains("outside the " + rt.nrIrqs() + " interrupt numbers"));
        long[] zero = eas.clone();
        zero[0] = 0;
        assertTrue(refusedWith(freshLike(), "xive/tables", "eas", zero).getMessage()
            .contains("the entry of EAS 0x" + Integer.toHexString(lisns[0]) + " is zero"));
        assertTrue(refusedWith(freshLike(), "xive/tables", "eas", java.util.Arrays.copyOf(eas, eas.length - 1))
            .getMessage().contains("eas"));
    }

    /** A version-1 stream (the whole EAS table, field 'eat') still loads, into the same tables. */
    @Test
    void aVersion1TablesSectionStillLoads() {
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        List<SnapshotDump.Section> d = SnapshotDump.decode(src.snapshot());
        List<SnapshotDump.Section> old = new java.util.ArrayList<>();
        XiveRouter rt = xive(src).router();
        for (SnapshotDump.Section s : d) {
            if (!s.name().equals("xive/tables")) {
                old.add(s);
                continue;
            }
            long[] eat = new long[rt.nrIrqs()];
            for (int i = 0; i < eat.length; i++) {
                eat[i] = rt.eas(i);
            }
            java.util.Map<String, Object> v = new java.util.LinkedHashMap<>();
            java.util.Map<String, io.pseries.core.snapshot.FieldType> t = new java.util.LinkedHashMap<>();
            v.put("nr_irqs", s.values().get("nr_irqs"));
            t.put("nr_irqs", io.pseries.core.snapshot.FieldType.U32);
            v.put("eat", eat);
            t.put("eat", io.pseries.core.snapshot.FieldType.LONGS);
            for (String f : List.of("nr_ends", "endt", "enqueued")) {
                v.put(f, s.values().get(f));
                t.put(f, s.types().get(f));
            }
            old.add(new SnapshotDump.Section(s.name(), 1, 1, v, t));
        }
        Machine dst = freshLike();
        dst.restore(SnapshotDump.encode(old));
        XiveRouter back = xive(dst).router();
        for (int i = 0; i < rt.nrIrqs(); i++) {
            assertEquals(rt.eas(i), back.eas(i), "EAS 0x" + Integer.toHexString(i));
        }
        assertArrayEquals(rt.endTable(), back.endTable());
        assertEquals(Json.write(src.pic()), Json.write(dst.pic()));
    }

    @Test
    void refused_aNegativeEnqueueCount() {
        SnapshotException e = refusedWith(freshLike(), "xive/tables", "enqueued", -1L);
        assertTrue(e.getMessage().contains("field 'enqueued' is negative"), e.getMessage());
        // zero is a count like any other
        Machine src = xiveAt(XiveSnapshotSectionsTest::presentOnCpu1);
        List<SnapshotDump.Section> d = SnapshotDump.decode(src.snapshot());
        d.stream().filter(s -> s.name().equals("xive/tables")).forEach(s -> s.values().put("enqueued", 0L));
        Machine dst = freshLike();
        dst.restore(SnapshotDump.encode(d));
        assertEquals(0, xive(dst).router().enqueuedCount());
    }

    @Test
    void sections_areNamedAfterQemusVmstate_oneContextPerVcpu() {
        Machine m = casMachine(3);
        List<String> names = SnapshotDump.decode(m.snapshot()).stream().map(SnapshotDump.Section::name)
            .filter(n -> n.startsWith("xive/")).toList();
        assertEquals(List.of("xive/source", "xive/tables", "xive/tctx/0", "xive/tctx/1", "xive/tctx/2"), names);
        SnapshotDump.decode(m.snapshot()).stream().filter(s -> s.name().startsWith("xive/"))
            .forEach(s -> assertEquals(s.name().equals("xive/tables") ? 2 : 1, s.version(), s.name()));
    }

    /** The guest's own view: a machine that negotiated XIVE at CAS keeps it after restore. */
    @Test
    void restore_keepsExploitationMode() {
        Machine src = casMachine(2);
        Machine dst = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").devices(List.of()).build());
        dst.restore(src.snapshot());
        assertTrue(dst.ov5Cas().test(io.pseries.core.cas.OptionVector.OV5_XIVE_EXPLOIT));
    }
}
