package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.xics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.HostStats;
import io.pseries.xics.kvm.SpaprXicsKvm;

/**
 * The sPAPR XICS with its state in the kernel ({@code kernelIrqchip: 'on'}, QEMU's xics_kvm.c
 * with KVM's XICS-on-XIVE device): the six presentation hcalls and the four XICS RTAS calls are
 * the kernel's (no exit to the VMM), H_EOI of a number the kernel has no source for answers
 * H_PARAMETER, a machine reset pushes the reset ICS and ICPs into the kernel, {@code pic()}
 * pulls the kernel's state first.
 */
class XicsInKernelTest {

    private static Machine inKernel(String icMode) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip("on").build());
        assertTrue(xics(m).inKernel());
        return m;
    }

    @Test
    void presentationHcalls_areServedInTheKernel_otherHcallsExitToTheVmm() {
        Machine m = inKernel("xics");
        long[][] calls = {{Hcalls.H_CPPR, 0xFF}, {Hcalls.H_IPI, 1, 0xFF}, {Hcalls.H_XIRR}, {Hcalls.H_XIRR_X},
            {Hcalls.H_EOI, 0xFF00_0000L}, {Hcalls.H_IPOLL, 0}};
        for (long[] c : calls) {
            HostStats s = m.host().stats();
            long kernel = s.kernelExits(ExitKind.HCALL);
            long vmm = s.vmmExits(ExitKind.HCALL);
            long[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            assertEquals(PaprRc.H_SUCCESS, m.hcall(0, c[0], args).rc(), "hcall 0x" + Long.toHexString(c[0]));
            assertEquals(List.of(kernel + 1, vmm), List.of(s.kernelExits(ExitKind.HCALL), s.vmmExits(ExitKind.HCALL)),
                "hcall 0x" + Long.toHexString(c[0]) + " stays in the kernel");
        }
        HostStats s = m.host().stats();
        long vmm = s.vmmExits(ExitKind.HCALL);
        m.hcall(0, 0x58, 0, 1, 0x41L << 56, 0);             // H_PUT_TERM_CHAR
        assertEquals(vmm + 1, s.vmmExits(ExitKind.HCALL), "the console hcall is the VMM's");
    }

    @Test
    void xicsRtasCalls_areKernelTokens_otherRtasCallsExitToTheVmm() {
        Machine m = inKernel("xics");
        HostStats s = m.host().stats();
        for (String name : List.of("ibm,set-xive", "ibm,get-xive", "ibm,int-off", "ibm,int-on")) {
            long kernel = s.kernelExits(ExitKind.RTAS);
            long vmm = s.vmmExits(ExitKind.RTAS);
            int[] args = name.equals("ibm,set-xive") ? new int[] {VTY, 0, 5} : new int[] {VTY};
            m.rtas(0, name, args, -1);
            assertEquals(List.of(kernel + 1, vmm), List.of(s.kernelExits(ExitKind.RTAS), s.vmmExits(ExitKind.RTAS)), name);
        }
        long vmm = s.vmmExits(ExitKind.RTAS);
        m.rtas(0, "get-time-of-day", new int[0], -1);
        assertEquals(vmm + 1, s.vmmExits(ExitKind.RTAS), "get-time-of-day is the VMM's");
    }

    @Test
    void hEoi_ofANumberTheKernelHasNoSourceFor_isHParameter() {
        Machine m = inKernel("xics");
        for (long xirr : new long[] {0xFF00_0000L, 0xFF00_0002L, 0xFF00_1000L, 0xFF00_1FFFL}) {
            assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_EOI, xirr).rc(), Long.toHexString(xirr));
        }
        for (long xirr : new long[] {0xFF00_0001L, 0xFF00_0FFFL, 0xFF00_2000L, 0x05FF_FFFFL}) {
            assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.H_EOI, xirr).rc(), Long.toHexString(xirr));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> icp0(Machine m) {
        return (Map<String, Object>) ((List<Object>) m.pic().get("icps")).get(0);
    }

    @Test
    void pic_andPicText_pullTheKernelsState() {
        Machine m = inKernel("xics");
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_CPPR, 5).rc());
        assertEquals(PaprRc.H_SUCCESS, m.hcall(1, Hcalls.H_IPI, 0, 3).rc());
        String text = m.activeController().picText();   // first, before pic() pulled anything
        assertTrue(text.startsWith("CPU 0 XIRR=05000002 ((nil)) PP=03 MFRR=03\n"), text);
        assertTrue(text.endsWith("irqchip: in-kernel\n"), text);
        Machine m2 = inKernel("xics");
        assertEquals(PaprRc.H_SUCCESS, m2.hcall(0, Hcalls.H_CPPR, 5).rc());
        assertEquals(PaprRc.H_SUCCESS, m2.hcall(1, Hcalls.H_IPI, 0, 3).rc());
        assertEquals(3, icp0(m2).get("mfrr"), "the kernel's MFRR, pulled");
        assertEquals(0x0500_0002L, icp0(m2).get("xirr"), "the kernel presents the IPI: CPPR 5, XISR 2");
    }

    @Test
    void machineReset_pushesTheResetIcsAndIcpsIntoTheKernel() {
        Machine m = inKernel("xics");
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_CPPR, 0xFF).rc());
        assertEquals(0, m.rtas(0, "ibm,set-xive", new int[] {VTY, 1, 5}, -1).status());
        assertEquals(PaprRc.H_SUCCESS, m.hcall(1, Hcalls.H_IPI, 0, 4).rc());
        m.reset();
        assertEquals(Map.of("server", 0, "xirr", 0L, "cppr", 0, "mfrr", 0xFF, "pending", 0xFF), icp0(m),
            "ICP 0 after the reset, as the kernel has it");
        int[] xive = m.rtas(0, "ibm,get-xive", new int[] {VTY}, -1).rets();
        assertEquals(List.of(0, 0xFF), List.of(xive[0], xive[1]), "the kernel's source is back at server 0, priority 0xFF");
        SpaprXicsKvm k = xics(m).kvm();
        assertNotNull(k, "a reset in XICS-only mode keeps the device");
        assertNull(m.haltReason());
        m.reset();
        assertSame(k, xics(m).kvm(), "no second connect");
    }
}
