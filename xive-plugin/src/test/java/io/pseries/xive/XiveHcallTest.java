package io.pseries.xive;

import static io.pseries.core.hcall.Hcalls.H_INT_ESB;
import static io.pseries.core.hcall.Hcalls.H_INT_GET_OS_REPORTING_LINE;
import static io.pseries.core.hcall.Hcalls.H_INT_GET_QUEUE_CONFIG;
import static io.pseries.core.hcall.Hcalls.H_INT_GET_QUEUE_INFO;
import static io.pseries.core.hcall.Hcalls.H_INT_GET_SOURCE_CONFIG;
import static io.pseries.core.hcall.Hcalls.H_INT_GET_SOURCE_INFO;
import static io.pseries.core.hcall.Hcalls.H_INT_RESET;
import static io.pseries.core.hcall.Hcalls.H_INT_SET_OS_REPORTING_LINE;
import static io.pseries.core.hcall.Hcalls.H_INT_SET_QUEUE_CONFIG;
import static io.pseries.core.hcall.Hcalls.H_INT_SET_SOURCE_CONFIG;
import static io.pseries.core.hcall.Hcalls.H_INT_SYNC;
import static io.pseries.core.hcall.PaprRc.H_FUNCTION;
import static io.pseries.core.hcall.PaprRc.H_HARDWARE;
import static io.pseries.core.hcall.PaprRc.H_P2;
import static io.pseries.core.hcall.PaprRc.H_P3;
import static io.pseries.core.hcall.PaprRc.H_P4;
import static io.pseries.core.hcall.PaprRc.H_P5;
import static io.pseries.core.hcall.PaprRc.H_PARAMETER;
import static io.pseries.core.hcall.PaprRc.H_SUCCESS;
import static io.pseries.xive.XiveTestSupport.ESB_BASE;
import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.anyMessageContains;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.cppr;
import static io.pseries.xive.XiveTestSupport.endWord;
import static io.pseries.xive.XiveTestSupport.guestErrors;
import static io.pseries.xive.XiveTestSupport.machine;
import static io.pseries.xive.XiveTestSupport.ok;
import static io.pseries.xive.XiveTestSupport.pq;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.setEndWord;
import static io.pseries.xive.XiveTestSupport.setPq;
import static io.pseries.xive.XiveTestSupport.trigger;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.trace.TraceEvent;

/**
 * The eleven sPAPR H_INT_* hcalls (facts §6): the error code of each check, in QEMU's order,
 * and the outputs. Machines have 2 vCPUs (targets 0 and 1); LISN 1 is vCPU 1's IPI.
 */
class XiveHcallTest {
    static final long LSI = 0x1200;
    static final long UNCLAIMED = 0x1500;

    /** Each hcall with arguments that succeed on a fresh CAS'd 2-vCPU machine (R4 = flags excluded). */
    static Stream<Arguments> allHcalls() {
        return Stream.of(
            Arguments.of("H_INT_GET_SOURCE_INFO", H_INT_GET_SOURCE_INFO, new long[] {1}),
            Arguments.of("H_INT_SET_SOURCE_CONFIG", H_INT_SET_SOURCE_CONFIG, new long[] {1, 0, PRIO, 0x10}),
            Arguments.of("H_INT_GET_SOURCE_CONFIG", H_INT_GET_SOURCE_CONFIG, new long[] {1}),
            Arguments.of("H_INT_GET_QUEUE_INFO", H_INT_GET_QUEUE_INFO, new long[] {0, PRIO}),
            Arguments.of("H_INT_SET_QUEUE_CONFIG", H_INT_SET_QUEUE_CONFIG, new long[] {0, PRIO, QPAGE, 16}),
            Arguments.of("H_INT_GET_QUEUE_CONFIG", H_INT_GET_QUEUE_CONFIG, new long[] {0, PRIO}),
            Arguments.of("H_INT_SET_OS_REPORTING_LINE", H_INT_SET_OS_REPORTING_LINE, new long[] {0x1000}),
            Arguments.of("H_INT_GET_OS_REPORTING_LINE", H_INT_GET_OS_REPORTING_LINE, new long[] {0}),
            Arguments.of("H_INT_ESB", H_INT_ESB, new long[] {1, 0x800, 0}),
            Arguments.of("H_INT_SYNC", H_INT_SYNC, new long[] {1}),
            Arguments.of("H_INT_RESET", H_INT_RESET, new long[] {}));
    }

    static long[] withFlags(long flags, long[] rest) {
        long[] a = new long[rest.length + 1];
        a[0] = flags;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }

    // ------------------------------------------------------------------ before CAS

    @Nested
    class BeforeCas {
        Machine m = machine(2);

        @ParameterizedTest(name = "{0} before CAS -> H_FUNCTION")
        @MethodSource("io.pseries.xive.XiveHcallTest#allHcalls")
        void hcall_beforeCasNegotiatedXive_returnsHFunction(String name, int opcode, long[] args) {
            assertEquals(H_FUNCTION, m.hcall(0, opcode, withFlags(0, args)).rc(), name);
        }

        @Test
        void hcall_beforeCas_hasNoSideEffect() {
            m.hcall(0, H_INT_SET_SOURCE_CONFIG, 2, 1, 0, PRIO, 0x10);
            m.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 0, PRIO, QPAGE, 16);
            assertEquals(Eas.VALID | Eas.MASKED, xive(m).router().eas(1));
            assertEquals(0, endWord(m, 0, PRIO, 0));
        }

        @Test
        void hcall_afterMachineReset_casIsForgotten_hFunctionAgain() {
            m.cas(GuestOv5.linuxVector(0x40));
            ok(m.hcall(0, H_INT_GET_SOURCE_INFO, 0, 1));
            m.reset();
            assertEquals(H_FUNCTION, m.hcall(0, H_INT_GET_SOURCE_INFO, 0, 1).rc());
        }
    }

    // ------------------------------------------------------------------ after CAS

    Machine m;
    List<TraceEvent> errors;

    @BeforeEach
    void setUp() {
        m = casMachine(2);
        // LSI 0x1200 is the PCI host bridge's INTA, claimed level-triggered by every machine
        errors = guestErrors(m);
    }

    @ParameterizedTest(name = "{0} after CAS with valid arguments -> H_SUCCESS (or H_FUNCTION if unimplemented)")
    @MethodSource("allHcalls")
    void hcall_afterCas_validArguments_succeed(String name, int opcode, long[] args) {
        long expected = opcode == H_INT_SET_OS_REPORTING_LINE || opcode == H_INT_GET_OS_REPORTING_LINE
            ? H_FUNCTION : H_SUCCESS;
        assertEquals(expected, m.hcall(0, opcode, withFlags(0, args)).rc(), name);
    }

    @ParameterizedTest(name = "{0} with reserved flags 0x{2} -> H_PARAMETER, defined flags 0x{3} accepted")
    @CsvSource({
        "H_INT_GET_SOURCE_INFO,   0x3A8, 1, 0",
        "H_INT_GET_SOURCE_INFO,   0x3A8, 8000000000000000, 0",
        "H_INT_SET_SOURCE_CONFIG, 0x3AC, 4, 3",
        "H_INT_SET_SOURCE_CONFIG, 0x3AC, 8000000000000002, 2",
        "H_INT_GET_SOURCE_CONFIG, 0x3B0, 1, 0",
        "H_INT_GET_QUEUE_INFO,    0x3B4, 1, 0",
        "H_INT_SET_QUEUE_CONFIG,  0x3B8, 2, 1",
        "H_INT_SET_QUEUE_CONFIG,  0x3B8, 3, 0",
        "H_INT_GET_QUEUE_CONFIG,  0x3BC, 2, 1",
        "H_INT_ESB,               0x3C8, 2, 1",
        "H_INT_SYNC,              0x3CC, 1, 0",
        "H_INT_RESET,             0x3D0, 1, 0"})
    void hcall_reservedFlagBits_returnHParameter(String name, String opcode, String bad, String good) {
        int op = Integer.decode(opcode);
        long[] rest = allHcalls().filter(a -> (int) a.get()[1] == op).map(a -> (long[]) a.get()[2]).findFirst().orElseThrow();
        assertEquals(H_PARAMETER, m.hcall(0, op, withFlags(Long.parseUnsignedLong(bad, 16), rest)).rc(), name);
        assertEquals(H_SUCCESS, m.hcall(0, op, withFlags(Long.parseUnsignedLong(good, 16), rest)).rc(), name);
    }

    @ParameterizedTest(name = "{0} after CAS is still H_FUNCTION (not implemented, as QEMU)")
    @CsvSource({"H_INT_SET_OS_REPORTING_LINE, 0x3C0", "H_INT_GET_OS_REPORTING_LINE, 0x3C4"})
    void reportingLine_afterCas_returnsHFunction(String name, String opcode) {
        List<String> notes = new ArrayList<>();
        m.trace().subscribe(io.pseries.core.trace.TraceCategory.UNIMPLEMENTED,
            e -> notes.add(e.name() + ": " + e.fields().get("message")));
        assertEquals(H_FUNCTION, m.hcall(0, Integer.decode(opcode), 0, 0x1000).rc(), name);
        assertEquals(List.of("hcall: H_INT_SET/GET_OS_REPORTING_LINE are not implemented (as on QEMU)"), notes,
            "noted as unimplemented, as QEMU logs it");
    }

    @ParameterizedTest(name = "{0} before CAS is H_FUNCTION without an unimplemented note")
    @CsvSource({"H_INT_SET_OS_REPORTING_LINE, 0x3C0", "H_INT_GET_OS_REPORTING_LINE, 0x3C4"})
    void reportingLine_beforeCas_isHFunction_likeEveryXiveHcall(String name, String opcode) {
        Machine fresh = XiveTestSupport.machine(1);
        List<String> notes = new ArrayList<>();
        fresh.trace().subscribe(io.pseries.core.trace.TraceCategory.UNIMPLEMENTED, e -> notes.add(e.name()));
        assertEquals(H_FUNCTION, fresh.hcall(0, Integer.decode(opcode), 0, 0x1000).rc(), name);
        assertEquals(List.of(), notes);
    }

    /**
     * H_INT_ESB in the emulated controller is the ESB access the guest would have made on the
     * source's management page (spapr_xive's h_int_esb: mmio address = the page + offset), so it
     * is traced as that MMIO load or store, marked as made through H_INT_ESB.
     */
    @Test
    void hIntEsb_isTheEsbAccessOnTheManagementPage_tracedAsMmioViaHIntEsb() {
        List<String> mmio = new ArrayList<>();
        m.trace().subscribe(io.pseries.core.trace.TraceCategory.MMIO, e -> mmio.add(e.name() + " 0x"
            + Long.toHexString((Long) e.fields().get("addr")) + " " + e.fields().get("via")));
        assertEquals(1L, m.hcall(0, H_INT_ESB, 0, 1, 0xC00, 0).rets()[0], "SET_PQ_00 answers the old PQ 01");
        assertEquals(0L, m.hcall(0, H_INT_ESB, 0, 1, 0x800, 0).rets()[0], "GET: PQ 00 now");
        assertEquals(-1L, m.hcall(0, H_INT_ESB, SpaprXive.ESB_STORE, 1, 0x400, 0).rets()[0], "a store answers all ones");
        long mgmt1 = XiveTestSupport.mgmt(1);
        assertEquals(List.of("load 0x" + Long.toHexString(mgmt1 + 0xC00) + " H_INT_ESB",
            "load 0x" + Long.toHexString(mgmt1 + 0x800) + " H_INT_ESB",
            "store 0x" + Long.toHexString(mgmt1 + 0x400) + " H_INT_ESB"), mmio);
    }

    @Test
    void flags_areCheckedBeforeTheLisn() {
        assertEquals(H_PARAMETER, m.hcall(0, H_INT_GET_SOURCE_INFO, 1, 0x2000).rc());
        assertEquals(H_PARAMETER, m.hcall(0, H_INT_ESB, 2, UNCLAIMED, 0, 0).rc());
    }

    // ------------------------------------------------------------------ LISN checks (H_P2)

    static Stream<Arguments> lisnHcalls() {
        List<Arguments> l = new ArrayList<>();
        long[] bad = {0x2000, 0x1FFF_FFFFL, -1L, UNCLAIMED, 0x2 /* IPI of a vCPU that does not exist */};
        String[] names = {"0x2000 (>= nr_irqs)", "0x1fffffff", "-1", "0x1500 (unclaimed)", "2 (no vCPU 2)"};
        for (int i = 0; i < bad.length; i++) {
            long b = bad[i];
            l.add(Arguments.of("H_INT_GET_SOURCE_INFO", names[i], H_INT_GET_SOURCE_INFO, new long[] {0, b}));
            l.add(Arguments.of("H_INT_SET_SOURCE_CONFIG", names[i], H_INT_SET_SOURCE_CONFIG, new long[] {2, b, 0, PRIO, 0x10}));
            l.add(Arguments.of("H_INT_GET_SOURCE_CONFIG", names[i], H_INT_GET_SOURCE_CONFIG, new long[] {0, b}));
            l.add(Arguments.of("H_INT_ESB", names[i], H_INT_ESB, new long[] {0, b, 0x800, 0}));
            l.add(Arguments.of("H_INT_SYNC", names[i], H_INT_SYNC, new long[] {0, b}));
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} with LISN {1} -> H_P2")
    @MethodSource("lisnHcalls")
    void hcall_badOrUnclaimedLisn_returnsHP2(String name, String lisn, int opcode, long[] args) {
        assertEquals(H_P2, m.hcall(0, opcode, args).rc(), name + " " + lisn);
    }

    @Test
    void lisn_freedIrq_isUnclaimedAgain_hP2() {
        m.claimIrq(0x1400, false, "test");
        ok(m.hcall(0, H_INT_SYNC, 0, 0x1400));
        m.freeIrq(0x1400);
        assertEquals(H_P2, m.hcall(0, H_INT_SYNC, 0, 0x1400).rc());
    }

    // ------------------------------------------------------------------ H_INT_GET_SOURCE_INFO

    @ParameterizedTest(name = "MSI LISN {0}: flags 0, EOI page, trigger page, shift 16")
    @ValueSource(ints = {0, 1, 0x1000, 0x1001})
    void getSourceInfo_msi_flags0_eoiAndTriggerPages_shift16(int lisn) {
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_INFO, 0, lisn);
        ok(r);
        long trig = ESB_BASE + lisn * 0x20000L;
        assertArrayEquals(new long[] {0, trig + 0x10000, trig, 16}, r.rets());
    }

    @Test
    void getSourceInfo_lsi_flagsLsiAndHIntEsb_noPages_shift16() {
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_INFO, 0, LSI);
        ok(r);
        assertArrayEquals(new long[] {0xC, -1, -1, 16}, r.rets());
    }

    // ------------------------------------------------------------------ H_INT_SET_SOURCE_CONFIG

    @Test
    void setSourceConfig_routesEasToEndOfVcpuAndPriority_withEisn_unmasked() {
        route(m, 1, 1, 5, 0x42);
        long eas = xive(m).router().eas(1);
        assertEquals(Eas.VALID | ((long) ((1 << 3) + 5) << 32) | 0x42, eas);
    }

    @Test
    void setSourceConfig_maskFlag_masksButStillRoutes() {
        ok(m.hcall(0, H_INT_SET_SOURCE_CONFIG, 3, 1, 1, 4, 0x42));
        long eas = xive(m).router().eas(1);
        assertTrue(Eas.masked(eas));
        assertEquals(12, Eas.endIndex(eas));
        assertEquals(0x42, Eas.endData(eas));
        // without the MASK flag the next call unmasks
        ok(m.hcall(0, H_INT_SET_SOURCE_CONFIG, 0, 1, 1, 4, 0));
        assertEquals(false, Eas.masked(xive(m).router().eas(1)));
    }

    @Test
    void setSourceConfig_withoutSetEisn_keepsThePreviousEisn() {
        route(m, 1, 0, PRIO, 0x33);
        ok(m.hcall(0, H_INT_SET_SOURCE_CONFIG, 0, 1, 1, PRIO, 0x99));
        long eas = xive(m).router().eas(1);
        assertEquals(0x33, Eas.endData(eas));
        assertEquals((1 << 3) + PRIO, Eas.endIndex(eas), "the target did change");
    }

    @Test
    void setSourceConfig_neverSetEisn_isZero() {
        ok(m.hcall(0, H_INT_SET_SOURCE_CONFIG, 0, 1, 1, PRIO, 0x99));
        assertEquals(0, Eas.endData(xive(m).router().eas(1)));
    }

    @ParameterizedTest(name = "priority {0} is reserved -> H_P4, EAS unchanged")
    @ValueSource(strings = {"7", "8", "0xfe", "0x100", "0x1ff", "-1"})
    void setSourceConfig_reservedPriority_returnsHP4(String prio) {
        long before = xive(m).router().eas(1);
        assertEquals(H_P4, m.hcall(0, H_INT_SET_SOURCE_CONFIG, 2, 1, 0, Long.decode(prio), 0x10).rc());
        assertEquals(before, xive(m).router().eas(1));
    }

    @ParameterizedTest(name = "target {0} does not exist -> H_P3")
    @ValueSource(strings = {"2", "0x400", "0xfffffc00", "-1"})
    void setSourceConfig_unknownTarget_returnsHP3(String target) {
        long before = xive(m).router().eas(1);
        assertEquals(H_P3, m.hcall(0, H_INT_SET_SOURCE_CONFIG, 2, 1, Long.decode(target), PRIO, 0x10).rc());
        assertEquals(before, xive(m).router().eas(1));
    }

    @Test
    void setSourceConfig_reservedPriorityIsCheckedBeforeTarget() {
        assertEquals(H_P4, m.hcall(0, H_INT_SET_SOURCE_CONFIG, 2, 1, 9, 7, 0x10).rc());
    }

    @Test
    void setSourceConfig_priorityFF_resetsEasToValidMasked_droppingTargetAndEisn() {
        route(m, 1, 1, PRIO, 0x10);
        ok(m.hcall(0, H_INT_SET_SOURCE_CONFIG, 2, 1, 1, 0xff, 0x77));
        assertEquals(Eas.VALID | Eas.MASKED, xive(m).router().eas(1));
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_CONFIG, 0, 1);
        ok(r);
        assertEquals(0xff, r.rets()[1]);
        assertEquals(0, r.rets()[2], "EISN dropped");
    }

    @Test
    void setSourceConfig_priorityFF_isAcceptedBeforeTheTargetCheck() {
        route(m, 1, 1, PRIO, 0x10);
        assertEquals(H_SUCCESS, m.hcall(0, H_INT_SET_SOURCE_CONFIG, 0, 1, 99, 0xff, 0).rc());
        assertEquals(Eas.VALID | Eas.MASKED, xive(m).router().eas(1));
    }

    // ------------------------------------------------------------------ H_INT_GET_SOURCE_CONFIG

    @Test
    void getSourceConfig_neverConfigured_returnsTarget0xfffffc00_prioFF_eisn0() {
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_CONFIG, 0, 0x1000);
        ok(r);
        assertArrayEquals(new long[] {0xfffffc00L, 0xff, 0}, r.rets());
    }

    @Test
    void getSourceConfig_routedToConfiguredQueue_returnsTargetPriorityEisn() {
        queue(m, 1, PRIO, QPAGE, 16, 1);
        route(m, 0x1000, 1, PRIO, 0x13);
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_CONFIG, 0, 0x1000);
        ok(r);
        assertArrayEquals(new long[] {1, PRIO, 0x13}, r.rets());
    }

    @Test
    void getSourceConfig_masked_reportsPriorityFF_keepsTargetAndEisn() {
        queue(m, 1, PRIO, QPAGE, 16, 1);
        ok(m.hcall(0, H_INT_SET_SOURCE_CONFIG, 3, 0x1000, 1, PRIO, 0x13));
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_CONFIG, 0, 0x1000);
        assertArrayEquals(new long[] {1, 0xff, 0x13}, r.rets());
    }

    @Test
    void getSourceConfig_targetAndPriorityComeFromTheEnd_notFromTheEas() {
        route(m, 0x1000, 1, 5, 0x13);                   // END (1, 5) never configured: w6 = w7 = 0
        HcallResult r = m.hcall(0, H_INT_GET_SOURCE_CONFIG, 0, 0x1000);
        ok(r);
        assertArrayEquals(new long[] {0xfffffc00L, 0, 0x13}, r.rets());
    }

    // ------------------------------------------------------------------ H_INT_GET_QUEUE_INFO

    @ParameterizedTest(name = "queue info of (vCPU {0}, prio {1}) is the END ESB page 0x6010040000000 + ((vcpu*8+prio) << 17)")
    @CsvSource({"0,0", "0,6", "1,5", "1,6"})
    void getQueueInfo_returnsEndEsbPage(int vcpu, int prio) {
        HcallResult r = m.hcall(0, H_INT_GET_QUEUE_INFO, 0, vcpu, prio);
        ok(r);
        assertEquals(0x6010040000000L + ((long) (vcpu * 8 + prio) << 17), r.rets()[0]);
        assertEquals(0, r.rets()[1], "no queue configured yet");
    }

    @ParameterizedTest(name = "queue info after a 2^{0}-byte queue reports {0}")
    @ValueSource(ints = {12, 16, 21, 24})
    void getQueueInfo_afterQueueConfig_reportsQueueSizeShift(int qsize) {
        queue(m, 1, PRIO, QPAGE, qsize, 1);
        assertEquals(qsize, m.hcall(0, H_INT_GET_QUEUE_INFO, 0, 1, PRIO).rets()[1]);
    }

    @ParameterizedTest(name = "{0} with reserved priority {1} -> H_P3")
    @CsvSource({
        "H_INT_GET_QUEUE_INFO, 0x3B4, 7", "H_INT_GET_QUEUE_INFO, 0x3B4, 0xff",
        "H_INT_SET_QUEUE_CONFIG, 0x3B8, 7", "H_INT_SET_QUEUE_CONFIG, 0x3B8, 0xff",
        "H_INT_GET_QUEUE_CONFIG, 0x3BC, 7", "H_INT_GET_QUEUE_CONFIG, 0x3BC, 0x100"})
    void queueHcalls_reservedPriority_returnsHP3(String name, String opcode, String prio) {
        assertEquals(H_P3, m.hcall(0, Integer.decode(opcode), 0, 0, Long.decode(prio), QPAGE, 16).rc(), name);
    }

    @ParameterizedTest(name = "{0} with unknown target {1} -> H_P2")
    @CsvSource({
        "H_INT_GET_QUEUE_INFO, 0x3B4, 2", "H_INT_GET_QUEUE_INFO, 0x3B4, -1",
        "H_INT_SET_QUEUE_CONFIG, 0x3B8, 2", "H_INT_SET_QUEUE_CONFIG, 0x3B8, 0x401",
        "H_INT_GET_QUEUE_CONFIG, 0x3BC, 2", "H_INT_GET_QUEUE_CONFIG, 0x3BC, -1"})
    void queueHcalls_unknownTarget_returnsHP2(String name, String opcode, String target) {
        assertEquals(H_P2, m.hcall(0, Integer.decode(opcode), 0, Long.decode(target), PRIO, QPAGE, 16).rc(), name);
    }

    @ParameterizedTest(name = "{0}: priority is checked before the target")
    @CsvSource({"H_INT_GET_QUEUE_INFO, 0x3B4", "H_INT_SET_QUEUE_CONFIG, 0x3B8", "H_INT_GET_QUEUE_CONFIG, 0x3BC"})
    void queueHcalls_reservedPriorityAndUnknownTarget_returnsHP3(String name, String opcode) {
        assertEquals(H_P3, m.hcall(0, Integer.decode(opcode), 0, 5, 7, QPAGE, 16).rc(), name);
    }

    // ------------------------------------------------------------------ H_INT_SET_QUEUE_CONFIG

    @Test
    void setQueueConfig_writesTheEnd_validEnqueueNotifyQsize_gen1_qaddr_nvt_priority() {
        queue(m, 1, 5, QPAGE, 16, 1);
        assertEquals(End.W0_VALID | End.W0_ENQUEUE | End.W0_UCOND_NOTIFY | (4 << 16), endWord(m, 1, 5, 0));
        assertEquals(End.W1_GENERATION, endWord(m, 1, 5, 1));
        assertEquals(0, endWord(m, 1, 5, 2));
        assertEquals((int) QPAGE, endWord(m, 1, 5, 3));
        assertEquals(0x401, endWord(m, 1, 5, 6), "NVT block 0, index 0x400 + vcpu");
        assertEquals(5 << 16, endWord(m, 1, 5, 7), "format 0, priority 5");
    }

    @Test
    void setQueueConfig_highQueueAddressGoesToW2() {
        Machine big = Machine.create(MachineConfig.builder().cpus(1).icMode("xive").devices(List.of())
            .memory(8L << 30).build());
        big.cas(GuestOv5.linuxVector(0x40));
        long qpage = 0x1_2345_0000L;
        queue(big, 0, PRIO, qpage, 16, 1);
        assertEquals(0x1, endWord(big, 0, PRIO, 2));
        assertEquals(0x2345_0000, endWord(big, 0, PRIO, 3));
        assertEquals(qpage, big.hcall(0, H_INT_GET_QUEUE_CONFIG, 0, 0, PRIO).rets()[1]);
    }

    @Test
    void setQueueConfig_withoutAlwaysNotify_clearsUcondNotify() {
        queue(m, 1, PRIO, QPAGE, 16, 1);
        queue(m, 1, PRIO, QPAGE, 16, 0);
        assertEquals(0, endWord(m, 1, PRIO, 0) & End.W0_UCOND_NOTIFY);
    }

    @Test
    void setQueueConfig_keepsOtherW0Bits_likeQemuMemcpyOfTheEnd() {
        setEndWord(m, 1, PRIO, 0, End.W0_ESCALATE_CTL);
        queue(m, 1, PRIO, QPAGE, 16, 1);
        assertTrue((endWord(m, 1, PRIO, 0) & End.W0_ESCALATE_CTL) != 0);
    }

    @ParameterizedTest(name = "qsize {0} -> H_P5")
    @ValueSource(ints = {1, 11, 13, 15, 17, 20, 22, 23, 25, 32, 64})
    void setQueueConfig_unsupportedQsize_returnsHP5(int qsize) {
        assertEquals(H_P5, m.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 1, PRIO, QPAGE, qsize).rc());
        assertEquals(0, endWord(m, 1, PRIO, 0), "END untouched");
        assertTrue(anyMessageContains(errors, "invalid EQ size"), errors.toString());
    }

    @ParameterizedTest(name = "qsize {0} accepted")
    @ValueSource(ints = {12, 16, 21, 24})
    void setQueueConfig_supportedQsize_4K64K2M16M_accepted(int qsize) {
        ok(m.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 1, PRIO, QPAGE, qsize));
        assertEquals(qsize - 12, (endWord(m, 1, PRIO, 0) & End.W0_QSIZE) >>> 16);
    }

    @ParameterizedTest(name = "qsize {0} with a qpage aligned only to half the size -> H_P4")
    @ValueSource(ints = {12, 16, 21, 24})
    void setQueueConfig_misalignedQpage_returnsHP4(int qsize) {
        long qpage = QPAGE + (1L << (qsize - 1));
        assertEquals(H_P4, m.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 1, PRIO, qpage, qsize).rc());
        assertEquals(0, endWord(m, 1, PRIO, 0));
        assertTrue(anyMessageContains(errors, "naturally aligned"), errors.toString());
    }

    @ParameterizedTest(name = "queue at {0} outside the 1 GiB of RAM -> H_P4")
    @ValueSource(strings = {"0x40000000", "0x10000000000", "0x7ffffffffffff000"})
    void setQueueConfig_queueOutsideRam_returnsHP4(String qpage) {
        assertEquals(H_P4, m.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 1, PRIO, Long.decode(qpage), 12).rc());
        assertEquals(0, endWord(m, 1, PRIO, 0));
        assertTrue(anyMessageContains(errors, "failed to map EQ"), errors.toString());
    }

    @Test
    void setQueueConfig_queuePartlyOutsideRam_returnsHP4() {
        Machine small = Machine.create(MachineConfig.builder().cpus(1).icMode("xive").devices(List.of())
            .memory((64L << 20) + 0x10000).build());
        small.cas(GuestOv5.linuxVector(0x40));
        long qpage = 64L << 20;                          // 16 MiB aligned, only 64 KiB of RAM left
        assertEquals(H_P4, small.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 0, PRIO, qpage, 24).rc());
        assertEquals(H_SUCCESS, small.hcall(0, H_INT_SET_QUEUE_CONFIG, 1, 0, PRIO, qpage, 16).rc());
    }

    @Test
    void setQueueConfig_qsize0_resetsTheEnd_withoutCheckingQpage() {
        queue(m, 1, PRIO, QPAGE, 16, 1);
        ok(m.hcall(0, H_INT_SET_QUEUE_CONFIG, 0, 1, PRIO, 0x123, 0));
        for (int w = 0; w < End.WORDS; w++) {
            int expected = w == 1 ? End.W1_ESN_Q | End.W1_ESE_Q : 0;
            assertEquals(expected, endWord(m, 1, PRIO, w), "w" + w);
        }
        assertEquals(0, m.hcall(0, H_INT_GET_QUEUE_INFO, 0, 1, PRIO).rets()[1]);
    }

    // ------------------------------------------------------------------ H_INT_GET_QUEUE_CONFIG

    @Test
    void getQueueConfig_unconfigured_returnsZeros() {
        HcallResult r = m.hcall(0, H_INT_GET_QUEUE_CONFIG, 0, 1, PRIO);
        ok(r);
        assertArrayEquals(new long[] {0, 0, 0, 0}, r.rets());
    }

    @Test
    void getQueueConfig_returnsAlwaysNotifyFlag_qpage_qsize() {
        queue(m, 1, PRIO, QPAGE, 16, 1);
        assertArrayEquals(new long[] {1, QPAGE, 16, 0}, m.hcall(0, H_INT_GET_QUEUE_CONFIG, 0, 1, PRIO).rets());
        queue(m, 1, PRIO, QPAGE, 12, 0);
        assertArrayEquals(new long[] {0, QPAGE, 12, 0}, m.hcall(0, H_INT_GET_QUEUE_CONFIG, 0, 1, PRIO).rets());
    }

    @Test
    void getQueueConfig_debug_putsGenerationAtBit62_andIndexInR7() {
        queue(m, 1, PRIO, QPAGE, 12, 1);
        route(m, 1, 1, PRIO, 0x10);
        setPq(m, 1, 0);
        for (int i = 0; i < 3; i++) {
            trigger(m, 1);
            setPq(m, 1, 0);
        }
        HcallResult r = m.hcall(0, H_INT_GET_QUEUE_CONFIG, 1, 1, PRIO);
        ok(r);
        assertEquals(1L | (1L << 62), r.rets()[0]);
        assertEquals(3, r.rets()[3]);
        // without DEBUG: no generation, R7 = 0
        assertArrayEquals(new long[] {1, QPAGE, 12, 0}, m.hcall(0, H_INT_GET_QUEUE_CONFIG, 0, 1, PRIO).rets());
    }

    @Test
    void getQueueConfig_debug_generation0_leavesBit62Clear() {
        queue(m, 1, PRIO, QPAGE, 12, 1);
        setEndWord(m, 1, PRIO, 1, 5);                    // generation 0, index 5 (after a wrap)
        HcallResult r = m.hcall(0, H_INT_GET_QUEUE_CONFIG, 1, 1, PRIO);
        assertEquals(1L, r.rets()[0]);
        assertEquals(5, r.rets()[3]);
    }

    // ------------------------------------------------------------------ H_INT_ESB

    @ParameterizedTest(name = "H_INT_ESB offset {0} > 0x20000 -> H_P3")
    @ValueSource(strings = {"0x20001", "0x20008", "0x30000", "-1"})
    void esb_offsetAbove0x20000_returnsHP3(String offset) {
        assertEquals(H_P3, m.hcall(0, H_INT_ESB, 0, 1, Long.decode(offset), 0).rc());
    }

    @Test
    void esb_offsetExactly0x20000_passes_andReachesTheNextSourcesManagementPage() {
        xive(m).source().setPq(2, 0b00);                 // source 2 (unclaimed: ESB state only)
        ok(m.hcall(0, H_INT_ESB, 1, 1, 0x20000, 0));      // store at mgmt(1) + 0x20000 = mgmt(2) + 0
        assertEquals(0b10, xive(m).source().pq(2), "a trigger of source 2");
        assertEquals(0b01, pq(m, 1));
    }

    @Test
    void esb_accessBeyondTheEsbWindow_returnsHHardware() {
        m.claimIrq(0x1FFF, false, "test");
        assertEquals(H_HARDWARE, m.hcall(0, H_INT_ESB, 0, 0x1FFF, 0x20000, 0).rc());
        assertTrue(anyMessageContains(errors, "failed to access ESB"), errors.toString());
    }

    @Test
    void esb_lsiLoad_getAndSetPq_returnOldPq() {
        assertEquals(0b01, esbLoad(LSI, 0x800), "GET: reset state 01");
        assertEquals(0b01, esbLoad(LSI, 0xC00), "SET_PQ_00 returns old");
        assertEquals(0b00, esbLoad(LSI, 0x800));
        assertEquals(0b00, esbLoad(LSI, 0xE00));
        assertEquals(0b10, pq(m, (int) LSI));
    }

    @Test
    void esb_lsiLoadEoi_returns0WhenNothingRefires() {
        xive(m).source().setPq((int) LSI, 0b10);
        assertEquals(0, esbLoad(LSI, 0x000));
        assertEquals(0b00, pq(m, (int) LSI));
    }

    @Test
    void esb_lsiStore_setsPq_andReturnsMinusOne() {
        esbLoad(LSI, 0xC00);
        HcallResult r = m.hcall(0, H_INT_ESB, 1, LSI, 0xD00, 0);
        ok(r);
        assertEquals(-1L, r.rets()[0]);
        assertEquals(0b01, pq(m, (int) LSI));
    }

    @Test
    void esb_msi_alsoWorksThroughTheHcall() {
        assertEquals(0b01, esbLoad(1, 0xC00));
        ok(m.hcall(0, H_INT_ESB, 1, 1, 0x000, 0));       // trigger store on the management page
        assertEquals(0b10, pq(m, 1));
    }

    private long esbLoad(long lisn, long offset) {
        HcallResult r = m.hcall(0, H_INT_ESB, 0, lisn, offset, 0);
        ok(r);
        return r.rets()[0];
    }

    // ------------------------------------------------------------------ H_INT_SYNC

    @Test
    void sync_validLisn_succeeds_andChangesNothing() {
        setPq(m, 1, 0b10);
        long eas = xive(m).router().eas(1);
        ok(m.hcall(0, H_INT_SYNC, 0, 1));
        ok(m.hcall(0, H_INT_SYNC, 0, LSI));
        assertEquals(0b10, pq(m, 1));
        assertEquals(eas, xive(m).router().eas(1));
    }

    // ------------------------------------------------------------------ H_INT_RESET

    @Test
    void reset_masksEveryValidEas_resetsEveryEnd_andPutsEveryPqAt01() {
        queue(m, 0, PRIO, QPAGE, 16, 1);
        queue(m, 1, 3, QPAGE + 0x10000, 16, 0);
        route(m, 0, 0, PRIO, 0x10);
        route(m, 1, 1, 3, 0x10);
        route(m, (int) LSI, 0, PRIO, 0x11);
        setPq(m, 0, 0);
        setPq(m, 1, 0);
        setPq(m, (int) LSI, 0);
        cppr(m, 0, 0xff);
        trigger(m, 1);

        ok(m.hcall(0, H_INT_RESET, 0));

        for (int lisn : new int[] {0, 1, 0x1000, 0x1001, (int) LSI}) {
            assertEquals(Eas.VALID | Eas.MASKED, xive(m).router().eas(lisn), "EAS " + lisn);
        }
        assertEquals(0, xive(m).router().eas((int) UNCLAIMED));
        for (int e = 0; e < xive(m).nrEnds(); e++) {
            for (int w = 0; w < End.WORDS; w++) {
                int expected = w == 1 ? End.W1_ESN_Q | End.W1_ESE_Q : 0;
                assertEquals(expected, xive(m).router().endWord(e, w), "END " + e + " w" + w);
            }
        }
        int notOff = 0;
        for (int n = 0; n < xive(m).nrIrqs(); n++) {
            notOff += xive(m).source().pq(n) != 0b01 ? 1 : 0;
        }
        assertEquals(0, notOff, "sources whose PQ is not 01 after H_INT_RESET");
    }

    @Test
    void reset_keepsClaims_andLsiType() {
        ok(m.hcall(0, H_INT_RESET, 0));
        assertArrayEquals(new long[] {0xC, -1, -1, 16}, m.hcall(0, H_INT_GET_SOURCE_INFO, 0, LSI).rets());
        assertArrayEquals(new long[] {0xfffffc00L, 0xff, 0}, m.hcall(0, H_INT_GET_SOURCE_CONFIG, 0, 1).rets());
        assertEquals(H_P2, m.hcall(0, H_INT_GET_SOURCE_INFO, 0, UNCLAIMED).rc());
    }

    @Test
    void reset_afterwardsTriggersAreDropped() {
        queue(m, 0, PRIO, QPAGE, 16, 1);
        route(m, 1, 0, PRIO, 0x10);
        setPq(m, 1, 0);
        ok(m.hcall(0, H_INT_RESET, 0));
        trigger(m, 1);
        assertEquals(0b01, pq(m, 1));
        assertEquals(0, XiveTestSupport.enqueued(m));
    }
}
