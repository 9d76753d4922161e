package io.pseries.core.cas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.TestTraces;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * CAS ({@link CasNegotiation}) as QEMU's do_client_architecture_support: its checks and
 * messages in QEMU's order, the machine's vector 5, the negotiated vector (QEMU's own answers),
 * the switch in place without a reset, the traces, and a reset forgetting the outcome.
 */
class CasNegotiationTest {
    /** QEMU 7.2's answers (shared/reference/qemu-dt/dual_smp4_after_cas_{xive,xics}.dts). */
    private static final byte[] QEMU_VEC5_XIVE = TestTraces.bytes(0x19, 0x00, 0x20, 0x00, 0x00, 0xa0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x80, 0x40, 0x40, 0x00, 0x40);
    private static final byte[] QEMU_VEC5_XICS = TestTraces.bytes(0x19, 0x00, 0x20, 0x00, 0x00, 0xa0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x40, 0x00, 0x40);

    private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());
    private final FakeIntc xics = FakeIntc.of(m, "xics");
    private final FakeIntc xive = FakeIntc.of(m, "xive");

    private static List<TraceEvent> record(Machine m, TraceCategory c) {
        return TestTraces.record(m, c);
    }

    private byte[] chosenVec5() {
        return m.deviceTree().child("chosen").prop("ibm,architecture-vec-5");
    }

    private void assertUnchanged() {
        assertEquals("xics", m.icMode());
        assertTrue(m.ov5Cas().isEmpty());
        assertArrayEquals(new byte[] {0, 0}, chosenVec5());
        assertEquals(0, xive.activations);
    }

    @Test
    void machineOv5HasXiveExploitOnlyWithAnXiveBackend() {
        // facts 9.3
        assertEquals(0x40, FakeIntc.machine(1, "dual").ov5().getByte(23));
        assertEquals(0x40, FakeIntc.machine(1, "xive").ov5().getByte(23));
        assertEquals(0x00, FakeIntc.machine(1, "xics").ov5().getByte(23));
    }

    @Test
    void beforeCasTheNegotiatedVectorIsEmpty() {
        assertArrayEquals(new byte[] {0, 0}, chosenVec5());
    }

    @Test
    void missingVector5IsHParameter() {
        CasException e = assertThrows(CasException.class, () -> m.cas(null));
        assertEquals(PaprRc.H_PARAMETER, e.rc());
        assertEquals(-4, e.rc());
        assertFalse(e.fatal());
        assertEquals("guest didn't provide option vector 5", e.getMessage());
        assertUnchanged();
    }

    @Test
    void byte23BothIsFatal() {
        CasException e = assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0x80)));
        assertTrue(e.fatal());
        assertEquals(0, e.rc());
        assertEquals("guest requested an invalid interrupt mode", e.getMessage());
        assertUnchanged();
    }

    @Test
    void byte23BothIsFatalEvenWithTheXiveBitSet() {
        CasException e = assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0xc0)));
        assertTrue(e.fatal());
        assertEquals("guest requested an invalid interrupt mode", e.getMessage());
    }

    @Test
    void hashAndRadixTogetherIsFatal() {
        OptionVector v = GuestOv5.linuxVector(0x40);
        v.setByte(24, 0xc0);
        CasException e = assertThrows(CasException.class, () -> m.cas(v));
        assertTrue(e.fatal());
        assertEquals("guest requested hash and radix MMU, which is invalid.", e.getMessage());
        assertUnchanged();
    }

    @Test
    void aRunningSecondaryIsHMultiThreadsActive() {
        m.rtas(0, "start-cpu", new int[] {2, 0x10000, 2}, 1);
        CasException e = assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0x40)));
        assertEquals(PaprRc.H_MULTI_THREADS_ACTIVE, e.rc());
        assertEquals(-9005, e.rc());
        assertFalse(e.fatal());
        assertEquals("guest has multiple active vCPUs at CAS, which is not allowed", e.getMessage());
        assertUnchanged();
        // once the secondary stopped itself, CAS goes through
        m.rtas(2, "stop-self", new int[0], 1);
        assertEquals("xive", m.cas(GuestOv5.linuxVector(0x40)).mode());
    }

    @Test
    void theRunningSecondaryCheckComesFirst() {
        m.rtas(0, "start-cpu", new int[] {1, 0x10000, 1}, 1);
        CasException e = assertThrows(CasException.class, () -> m.cas(null));
        assertEquals(PaprRc.H_MULTI_THREADS_ACTIVE, e.rc());
    }

    @Test
    void refusalsAreTraced() {
        List<TraceEvent> cas = record(m, TraceCategory.CAS);
        assertThrows(CasException.class, () -> m.cas(GuestOv5.linuxVector(0x80)));
        assertEquals(List.of("cas_refused"), cas.stream().map(TraceEvent::name).toList());
        assertEquals(true, cas.get(0).fields().get("fatal"));
        assertEquals(0x80, cas.get(0).fields().get("requested"));
    }

    @Test
    void guestAskingXiveSwitchesDualToXiveInPlace() {
        CasResult r = m.cas(GuestOv5.linuxVector(0x40));
        assertEquals("xive", r.mode());
        assertEquals(0x40, r.requested());
        assertEquals(0x40, r.answer());
        assertTrue(r.switched());
        assertEquals("xive", m.icMode());
        assertEquals(1, xics.deactivations);
        assertEquals(1, xive.activations);
        assertEquals(0, m.resetCount(), "no machine reset (facts 9.6)");
    }

    @Test
    void afterCasChosenHoldsQemusNegotiatedVector() {
        m.cas(GuestOv5.linuxVector(0x40));
        assertArrayEquals(QEMU_VEC5_XIVE, chosenVec5());
        assertArrayEquals(QEMU_VEC5_XIVE, m.ov5Cas().encode());
    }

    @Test
    void guestAskingXicsKeepsXicsAndGetsQemusXicsVector() {
        CasResult r = m.cas(GuestOv5.linuxVector(0x00));
        assertEquals("xics", r.mode());
        assertEquals(0x00, r.answer());
        assertFalse(r.switched());
        assertEquals(1, xics.activations);
        assertEquals(0, xics.deactivations);
        assertArrayEquals(QEMU_VEC5_XICS, chosenVec5());
    }

    @Test
    void negotiatedVectorIsTheIntersectionWithTheMachines() {
        CasResult r = m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(m.ov5().intersect(GuestOv5.linuxVector(0x40)), r.negotiated());
        assertEquals(0, r.negotiated().getByte(11), "guest-only bytes are dropped");
    }

    @Test
    void successIsTraced() {
        List<TraceEvent> cas = record(m, TraceCategory.CAS);
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(List.of("cas"), cas.stream().map(TraceEvent::name).toList());
        // QEMU's spapr_cas_pvr for Linux 6.1 on POWER9: explicit_match=1, new=0xf000005
        assertEquals(true, cas.get(0).fields().get("explicit_match"));
        assertEquals(0xf000005L, cas.get(0).fields().get("compat_pvr"));
        assertEquals("xive", cas.get(0).fields().get("mode"));
        assertEquals(true, cas.get(0).fields().get("switched"));
    }

    @Test
    void xiveRequestOnAnXicsOnlyMachineIsFatal() {
        Machine x = FakeIntc.machine(1, "xics");
        CasException e = assertThrows(CasException.class, () -> x.cas(GuestOv5.linuxVector(0x40)));
        assertTrue(e.fatal());
        assertEquals("Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual"
            + " machine property", e.getMessage());
        assertEquals("xics", x.icMode());
    }

    @Test
    void xicsRequestOnAnXiveOnlyMachineIsFatal() {
        Machine x = FakeIntc.machine(1, "xive");
        CasException e = assertThrows(CasException.class, () -> x.cas(GuestOv5.linuxVector(0x00)));
        assertTrue(e.fatal());
        assertEquals("Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine"
            + " property or try ic-mode=xics or ic-mode=dual", e.getMessage());
    }

    @Test
    void xiveRequestOnAnXiveOnlyMachineKeepsXive() {
        Machine x = FakeIntc.machine(1, "xive");
        CasResult r = x.cas(GuestOv5.linuxVector(0x40));
        assertEquals("xive", r.mode());
        assertFalse(r.switched());
        assertArrayEquals(QEMU_VEC5_XIVE, x.deviceTree().child("chosen").prop("ibm,architecture-vec-5"));
    }

    @Test
    void resetForgetsTheCasOutcome() {
        m.rtas(0, "display-character", new int[] {'x'}, 1);
        m.cas(GuestOv5.linuxVector(0x40));
        m.reset();
        assertTrue(m.ov5Cas().isEmpty());
        assertArrayEquals(new byte[] {0, 0}, chosenVec5());
        assertEquals("xics", m.icMode(), "dual mode starts in XICS again (facts 9.7)");
        assertEquals(1, xive.deactivations);
        assertEquals(2, xics.activations);
        assertEquals(1, m.resetCount());
        assertNotNull(m.deviceTree().child("interrupt-controller"));
    }

    @Test
    void casAfterResetNegotiatesAgain() {
        m.cas(GuestOv5.linuxVector(0x40));
        m.reset();
        CasResult r = m.cas(GuestOv5.linuxVector(0x40));
        assertTrue(r.switched());
        assertArrayEquals(QEMU_VEC5_XIVE, chosenVec5());
    }

    @Test
    void platformSupportDoesNotChangeWithCas() {
        Machine m = FakeIntc.machine(1, "dual");
        m.cas(GuestOv5.linuxVector(0x40));
        assertArrayEquals(new long[] {0x178018c0L, 0x19001a40L}, platformSupport(m));
        assertEquals(0x80, m.platformInterruptModes());
    }

    private static long[] platformSupport(Machine m) {
        return m.deviceTree().child("chosen").cells("ibm,arch-vec-5-platform-support");
    }
}
