package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.host.ExitCosts;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.HostStats;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/** Every guest access is a VMM exit, an in-kernel exit or a direct access, and is charged its cost. */
class AccessClassificationTest {
    private static final long ESB = 0x0006_0100_0000_0000L;
    private static final long TIMA_OS = 0x0006_0302_0318_0000L + 0x20000;
    private static final ExitCosts C = ExitCosts.DEFAULTS;

    private static Machine machine(String icMode, String k) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip(k).build());
        m.cas(GuestOv5.linuxVector(icMode.equals("xics") ? 0x00 : 0x40));
        return m;
    }

    @Test
    void inKernelXiveEsbAndTimaAccessesAreDirectAndOnlyTheFirstTouchFaults() {
        Machine m = machine("xive", "on");
        HostStats s = m.host().stats();
        m.load(0, TIMA_OS + 0x10, 4);
        assertEquals(C.faultNs(), m.lastExitNs(), "first touch of the TIMA OS page: one host fault");
        m.load(0, TIMA_OS + 0x10, 4);
        assertEquals(0, m.lastExitNs());
        m.load(1, ESB + 0x10000 + 0x800, 8);
        m.load(1, ESB + 0x10000 + 0x800, 8);
        assertEquals(4, s.directAccesses());
        assertEquals(2, s.faults());
        assertEquals(0, s.vmmExits(ExitKind.MMIO));
    }

    @Test
    void inKernelXiveHcallsStillExitToTheVmm() {
        Machine m = machine("xive", "on");
        long before = m.host().stats().vmmExits(ExitKind.HCALL);
        assertEquals(0, m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, 0).rc());
        assertEquals(before + 1, m.host().stats().vmmExits(ExitKind.HCALL));
        assertEquals(C.vmmHcallNs(), m.lastExitNs());
        assertEquals(0, m.host().stats().kernelExits(ExitKind.HCALL));
    }

    @Test
    void emulatedXiveEsbAndTimaAccessesAreMmioExitsToTheVmm() {
        Machine m = machine("xive", "off");
        m.load(0, TIMA_OS + 0x10, 4);
        assertEquals(C.mmioExitNs(), m.lastExitNs());
        m.load(0, ESB + 0x10000 + 0x800, 8);
        assertEquals(2, m.host().stats().vmmExits(ExitKind.MMIO));
        assertEquals(0, m.host().stats().directAccesses());
    }

    @Test
    void inKernelXicsHcallsAndItsFourRtasCallsStayInTheKernel() {
        Machine m = machine("xics", "on");
        HostStats s = m.host().stats();
        m.hcall(0, Hcalls.H_XIRR);
        assertEquals(C.kernelHcallNs(), m.lastExitNs());
        m.hcall(0, Hcalls.H_CPPR, 0xff);
        m.rtas(0, "ibm,int-off", new int[] {0x1000}, 1);
        assertEquals(C.kernelHcallNs(), m.lastExitNs());
        assertEquals(2, s.kernelExits(ExitKind.HCALL));
        assertEquals(1, s.kernelExits(ExitKind.RTAS));
        long vmm = s.vmmExits(ExitKind.RTAS);
        m.rtas(0, "get-time-of-day", new int[0], -1);
        assertEquals(vmm + 1, s.vmmExits(ExitKind.RTAS), "a platform RTAS call is the VMM's");
        m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, 0);
        assertEquals(C.vmmHcallNs(), m.lastExitNs(), "any other hcall is the VMM's");
    }

    @Test
    void emulatedXicsHcallsExitToTheVmm() {
        Machine m = machine("xics", "off");
        m.hcall(0, Hcalls.H_XIRR);
        assertEquals(C.vmmHcallNs(), m.lastExitNs());
        assertEquals(0, m.host().stats().kernelExits(ExitKind.HCALL));
    }

    @Test
    void ramAccessesNeverExit() {
        Machine m = machine("xive", "on");
        m.store(0, 0x100000, 8, 42);
        assertEquals(0, m.lastExitNs());
        assertEquals(42, m.load(0, 0x100000, 8));
        assertEquals(0, m.host().stats().exitNs());
    }

    @Test
    void anEsbPageWhoseFaultSigbusesReadsAllOnesAndIsAGuestError() {
        Machine m = machine("xive", "on");
        List<TraceEvent> errs = new ArrayList<>();
        m.trace().subscribe(TraceCategory.GUEST_ERROR, errs::add);
        // LISN 0x1f00: its source block was never created (no device claimed from 0x1c00)
        assertEquals(-1, m.load(0, ESB + 0x1f00L * 0x20000 + 0x10000 + 0x800, 8));
        assertEquals(1, m.host().stats().sigbus());
        assertTrue(errs.get(0).fields().get("message").toString().contains("SIGBUS"));
    }
}
