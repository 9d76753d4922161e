package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.HV;
import static io.pseries.xive.XiveTestSupport.OS;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.enqueued;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.mgmt;
import static io.pseries.xive.XiveTestSupport.routedSource;
import static io.pseries.xive.XiveTestSupport.trigger;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.trace.TraceEvent;

/**
 * The controller's state across machine events and as users see it: a machine reset puts
 * XIVE routing back to its reset values (facts §9.7: every EAS masked, every END off, every PQ
 * 01); in dual mode the XIVE ESB and TIMA windows are unmapped until CAS picks XIVE (§9.6);
 * {@code m.pic()} and the {@code info pic} text report the registers, EAS and END state;
 * CAM matching keeps working with more contexts than the presenter's tables start with.
 */
class XiveStateTest {

    // ------------------------------------------------------------------ machine reset

    @Test
    void machineReset_resetsXiveRouting_easMasked_endOff_pq01_afterCasAgain() {
        Machine m = casMachine(2);
        routedSource(m, 1, 0, 0x10);
        trigger(m, 1);
        assertEquals(1, enqueued(m));
        m.reset();
        m.cas(GuestOv5.linuxVector(0x40));
        HcallResult src = m.hcall(0, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, 1);
        assertEquals(PaprRc.H_SUCCESS, src.rc());
        assertEquals(0xFF, src.rets()[1], "the source is masked again");
        HcallResult q = m.hcall(0, Hcalls.H_INT_GET_QUEUE_CONFIG, 0, 0, 6);
        assertEquals(0, q.rets()[1], "no queue page");
        assertEquals(0, q.rets()[2], "no queue size");
        assertEquals(0b01, XiveTestSupport.pq(m, 1), "PQ off");
        int w1 = XiveTestSupport.endWord(m, 0, 6, 1);
        assertEquals(End.W1_ESN_Q | End.W1_ESE_Q, w1 & (End.W1_ESN | End.W1_ESE), "ESn = ESe = 01");
        trigger(m, 1);
        assertEquals(1, enqueued(m), "a trigger after the reset is dropped by PQ 01");
    }

    /**
     * A freed source is gone: {@code pic()} no longer lists it, its EAS is invalid, and a machine
     * reset (which makes every claimed EAS VALID|MASKED) leaves it invalid, so the source hcalls
     * answer H_P2 for it (xive_source_irq_is_valid / spapr_xive_irq_free).
     */
    @Test
    void aFreedSource_isGoneFromPic_andStaysInvalidAcrossAReset() {
        Machine m = casMachine(2);
        int lisn = 0x1500;
        m.claimIrq(lisn, false, "test");
        assertTrue(sourceLisns(m).contains(lisn));
        m.freeIrq(lisn);
        assertFalse(sourceLisns(m).contains(lisn), "pic() lists claimed sources only");
        m.reset();
        m.cas(GuestOv5.linuxVector(0x40));
        assertFalse(Eas.valid(xive(m).router().eas(lisn)), "the reset did not make the freed EAS valid again");
        assertFalse(sourceLisns(m).contains(lisn));
        assertEquals(PaprRc.H_P2, m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, lisn).rc());
    }

    /**
     * After a reset the EAS table is exactly the rule of spapr_xive_reset, for every number the
     * machine has: a claimed number VALID|MASKED, every other entry all zeros, including freed
     * sources whose routing (target, EISN) the free left behind without VALID, and a source routed
     * again after its entry went back to zero. The reset visits only the entries in use, so this
     * checks it did not miss one.
     */
    @Test
    void machineReset_everyEasIsValidMaskedIfClaimedAndZeroOtherwise_freedRoutingIncluded() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").nrIrqs(1 << 16).build());
        m.cas(GuestOv5.linuxVector(0x40));
        int[] lisns = {0x1300, 0x1301, 0x4000, 0xFFFF};
        for (int lisn : lisns) {
            m.claimIrq(lisn, false, "test");
            assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, 1, 6, lisn).rc());
        }
        m.freeIrq(0x1301);
        m.freeIrq(0xFFFF);
        XiveRouter rt = xive(m).router();
        assertTrue(rt.eas(0x1301) != 0 && !Eas.valid(rt.eas(0x1301)), "precondition: the free keeps the routing");
        // an entry that went back to zero and was written again
        rt.setEas(0x4000, 0);
        rt.setEas(0x4000, Eas.VALID | Eas.MASKED | 0x42);
        m.reset();
        for (int i = 0; i < rt.nrIrqs(); i++) {
            // claimed: one IPI per server number (spapr_irq_init) and the device numbers still claimed
            boolean claimed = i < SpaprIrq.IPI + m.nrServers() || m.irqSpace().isClaimed(i);
            long want = claimed ? Eas.VALID | Eas.MASKED : 0;
            assertEquals(want, rt.eas(i), String.format("EAS 0x%x after the reset", i));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> sourceLisns(Machine m) {
        return ((List<Object>) m.pic().get("sources")).stream().map(o -> (Integer) ((Map<String, Object>) o).get("lisn")).toList();
    }

    /**
     * {@code pic()}'s queue entry reports the END's own bits: a queue configured without the
     * always-notify flag has notify false, the generation bit clear (as after a wrap) is
     * generation 0, and an END whose ENQUEUE bit is clear has enqueue false.
     */
    @SuppressWarnings("unchecked")
    @Test
    void pic_queueEntry_reportsNotifyEnqueueAndGenerationAsTheEndHasThem() {
        Machine m = casMachine(1);
        XiveTestSupport.queue(m, 0, 6, XiveTestSupport.QPAGE, 12, 0);
        int e = SpaprXive.endIndex(0, 6);
        SpaprXive x = xive(m);
        x.router().setEndWord(e, 1, x.router().endWord(e, 1) & ~End.W1_GENERATION);
        Map<String, Object> q = ((List<Map<String, Object>>) m.pic().get("queues")).stream()
            .filter(o -> ((Integer) o.get("end")) == e).findFirst().orElseThrow();
        assertEquals(List.of(true, false, 0), List.of(q.get("enqueue"), q.get("notify"), q.get("generation")));
        x.router().setEndWord(e, 0, x.router().endWord(e, 0) & ~End.W0_ENQUEUE);
        q = ((List<Map<String, Object>>) m.pic().get("queues")).stream()
            .filter(o -> ((Integer) o.get("end")) == e).findFirst().orElseThrow();
        assertEquals(false, q.get("enqueue"), "a valid END without the enqueue bit");
    }

    // ------------------------------------------------------------------ dual mode: MMIO before CAS

    private static Machine dualWithFakeXics() {
        return new Machine(MachineConfig.builder().cpus(2).icMode("dual").devices(List.of()).build(),
            List.of(FakeIntc.XICS, new XiveProvider()));
    }

    @Test
    void dualMode_beforeCas_xiveEsbAndTimaAreUnmapped() {
        Machine m = dualWithFakeXics();
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(-1L, m.load(0, mgmt(0) + 0x800, 8), "ESB GET: unassigned");
        assertEquals(0xFFFF, m.load(0, OS + 0x810, 2) & 0xFFFF, "TIMA ACK: unassigned");
        m.store(0, OS + 0x11, 1, 0xFF);
        assertEquals(0, XiveTestSupport.osReg(m, 0, ThreadContext.CPPR), "the store reached no TIMA");
        assertEquals(3, errors.stream().filter(e -> String.valueOf(e.fields().get("message")).contains("unassigned")).count(),
            errors.toString());
    }

    @Test
    void dualMode_casChoosingXive_mapsEsbAndTima() {
        Machine m = dualWithFakeXics();
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(0b01, m.load(0, mgmt(0) + 0x800, 8), "ESB GET of an IPI at reset: 01");
        assertEquals(0x8000_0400L, m.load(0, HV + 0x18, 4), "TIMA mapped: the OS CAM");
    }

    @Test
    void dualMode_casChoosingXics_keepsXiveUnmapped_andAResetUnmapsItAgain() {
        Machine m = dualWithFakeXics();
        m.cas(GuestOv5.linuxVector(0x00));
        assertEquals(-1L, m.load(0, mgmt(0) + 0x800, 8));
        m.reset();
        m.cas(GuestOv5.linuxVector(0x40));
        m.reset();
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(-1L, m.load(0, mgmt(0) + 0x800, 8), "a reset returns dual mode to XICS, XIVE unmapped");
        assertTrue(anyMessageContains(errors, "unassigned"), errors.toString());
    }

    @Test
    void dualMode_aResetUnmapsEsbAndTimaPagesTheGuestJustUsed() {
        // the guest's accesses put these pages in the address space's decoded-page cache: the
        // reset (XIVE deactivated) must still leave them unassigned, and a new CAS maps them again
        Machine m = dualWithFakeXics();
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(0b01, m.load(0, mgmt(0) + 0x800, 8));
        m.store(0, OS + 0x11, 1, 0xFF);
        assertEquals(0xFF, XiveTestSupport.osReg(m, 0, ThreadContext.CPPR));
        assertTrue(m.mmio().cached(OS), "the TIMA OS page is cached");
        m.reset();
        List<TraceEvent> errors = guestErrors(m);
        assertEquals(-1L, m.load(0, mgmt(0) + 0x800, 8), "ESB GET after the reset: unassigned");
        m.store(0, OS + 0x11, 1, 0x05);
        assertEquals(0x00, XiveTestSupport.osReg(m, 0, ThreadContext.CPPR), "the CPPR store reached no TIMA");
        assertEquals(2, errors.stream().filter(e -> String.valueOf(e.fields().get("message")).contains("unassigned")).count(),
            errors.toString());
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(0b01, m.load(0, mgmt(0) + 0x800, 8), "mapped again after CAS chose XIVE");
    }

    // ------------------------------------------------------------------ m.pic() and info pic

    /** IPI LISN 1 routed to (vCPU 0, prio 6) with EISN 0x10, triggered once, not acknowledged. */
    private static Machine oneEventPending() {
        Machine m = casMachine(2);
        routedSource(m, 1, 0, 0x10);
        trigger(m, 1);
        return m;
    }

    @SuppressWarnings("unchecked")
    @Test
    void pic_reportsOsRingRegisters_sourceRouting_andQueueState() {
        Map<String, Object> pic = xive(oneEventPending()).pic();
        assertEquals("xive", pic.get("mode"));
        List<Map<String, Object>> cpus = (List<Map<String, Object>>) pic.get("cpus");
        assertEquals(2, cpus.size());
        assertEquals(Map.of("nsr", 0x80, "cppr", 0xFF, "ipb", 0x02, "lsmfb", 0xFF, "ack", 0xFF, "inc", 0, "age", 0xFF,
            "pipr", 6, "w2", 0x8000_0400L), cpus.get(0).get("os"), "signalled at priority 6, OS CAM pushed");
        assertEquals(1, cpus.get(1).get("cpu"));
        assertEquals(0x8000_0401L, ((Map<String, Object>) cpus.get(1).get("os")).get("w2"));
        List<Map<String, Object>> sources = (List<Map<String, Object>>) pic.get("sources");
        Map<String, Object> s1 = sources.stream().filter(s -> s.get("lisn").equals(1)).findFirst().orElseThrow();
        assertEquals(Map.of("lisn", 1, "type", "MSI", "pq", Pq.name(0b10), "asserted", false, "masked", false,
            "eisn", 0x10, "server", 0, "priority", 6, "end", 6), s1);
        Map<String, Object> s0 = sources.get(0);
        assertEquals(0, s0.get("lisn"), "claimed sources in order");
        assertEquals(true, s0.get("masked"));
        assertEquals(0xFF, s0.get("priority"), "a masked source reports priority 0xFF");
        assertFalse(sources.stream().anyMatch(s -> s.get("lisn").equals(2)), "only claimed LISNs");
        List<Map<String, Object>> queues = (List<Map<String, Object>>) pic.get("queues");
        assertEquals(1, queues.size(), "only valid ENDs");
        Map<String, Object> q = queues.get(0);
        assertEquals(6, q.get("end"));
        assertEquals(0, q.get("server"));
        assertEquals(6, q.get("priority"));
        assertEquals(true, q.get("enqueue"));
        assertEquals(true, q.get("notify"));
        assertEquals(false, q.get("escalate"));
        assertEquals(QPAGE, q.get("qaddr"));
        assertEquals(16, q.get("qsize"));
        assertEquals(16384, q.get("entries"));
        assertEquals(1, q.get("index"));
        assertEquals(1, q.get("generation"));
        assertEquals(Pq.name(0), q.get("esn"));
        assertEquals(Pq.name(0), q.get("ese"));
    }

    @Test
    void picText_isQemusInfoPicLayout_perRingThenPerSource() {
        Machine m = oneEventPending();
        m.store(1, OS + 0x812, 1, 3);                       // cpu 1: IPB 0x10, PIPR 3, not signalled (CPPR 0)
        String nl = System.lineSeparator();
        String text = xive(m).picText();
        assertTrue(text.startsWith(String.join(nl,
            "CPU[0000]:   QW   NSR CPPR IPB LSMFB ACK# INC AGE PIPR  W2",
            "CPU[0000]: USER    00   00  00    00   00  00  00   00  00000000",
            "CPU[0000]:   OS    80   ff  02    ff   ff  00  ff   06  80000400",
            "CPU[0000]: POOL    00   00  00    00   00  00  00   00  00000000",
            "CPU[0000]: PHYS    00   00  00    00   00  00  00   ff  00000000",
            "CPU[0001]:   QW   NSR CPPR IPB LSMFB ACK# INC AGE PIPR  W2",
            "CPU[0001]: USER    00   00  00    00   00  00  00   00  00000000",
            "CPU[0001]:   OS    00   00  10    ff   ff  00  ff   03  80000401",
            "CPU[0001]: POOL    00   00  00    00   00  00  00   00  00000000",
            "CPU[0001]: PHYS    00   00  00    00   00  00  00   ff  00000000",
            "  LISN         PQ    EISN     CPU/PRIO EQ",
            "  00000000 MSI -Q  M 00000000 ",
            "  00000001 MSI P-    00000010   0/6      1/16384 @1000000 ^1")), text);
    }

    @Test
    void picText_lsiAsserted_showsA_andAnUnmaskedSourceOnAnInvalidEnd_hasNoQueueColumn() {
        Machine m = casMachine(2);
        XiveTestSupport.route(m, 1, 1, 5, 0x22);           // END (1, 5) never configured
        XiveSource src = xive(m).source();
        src.setLsi(0x1200);
        src.setIrq(0x1200, true);
        String text = xive(m).picText();
        assertTrue(text.contains("\n  00000001 MSI -Q    00000022 \n"), text);
        assertTrue(text.matches("(?s).*\\n  00001200 LSI ..A M 00000000 \\n.*"), text);
    }

    // ------------------------------------------------------------------ more contexts than the tables' first size

    @Test
    void presenter_manyThreadsEachWithItsOwnPoolCam_everyOneIsFound_andPullsAreSeen() {
        int n = 40;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        PresenterBench b = new PresenterBench(ids);
        for (int i = 0; i < n; i++) {
            b.store(i, PresenterBench.HW + 0x28, 4, 0x8000_0000L | (0x1000 + i));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(((long) i << 8) | ThreadContext.QW2_HV_POOL, b.presenter.match(0, 0, 0x1000 + i, false, 0),
                "pool CAM 0x" + Integer.toHexString(0x1000 + i));
        }
        for (int i = 0; i < n; i += 2) {
            b.load(i, PresenterBench.HV + 0x828, 4);
        }
        for (int i = 0; i < n; i++) {
            long expected = i % 2 == 0 ? Presenter.NO_MATCH : ((long) i << 8) | ThreadContext.QW2_HV_POOL;
            assertEquals(expected, b.presenter.match(0, 0, 0x1000 + i, false, 0), "after pulling the even ones: " + i);
        }
        b.store(3, PresenterBench.HW + 0x28, 4, 0x8000_0000L | 0x1005);   // thread 3 also claims thread 5's CAM
        assertEquals(Presenter.AMBIGUOUS, b.presenter.match(0, 0, 0x1005, false, 0));
        assertEquals(Presenter.NO_MATCH, b.presenter.match(0, 0, 0x1003, false, 0), "thread 3 gave up 0x1003");
    }
}
