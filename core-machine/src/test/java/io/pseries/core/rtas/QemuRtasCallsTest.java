package io.pseries.core.rtas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.drc.DrcRtas;

/**
 * The RTAS calls QEMU 7.2 registers beyond the interrupt and PCI ones: each answers with QEMU's
 * argument checks and results (hw/nvram/spapr_nvram.c, hw/ppc/spapr_rtas.c, spapr_vio.c,
 * spapr_drc.c, spapr_rtas_ddw.c).
 */
class QemuRtasCallsTest {
    static final long BUF = 0x100000;

    static Machine machine(int cpus) {
        return FakeIntc.machine(MachineConfig.builder().cpus(cpus).icMode("xive")
            .device("spapr-vlan", Map.of()).device("virtio-net-pci", Map.of()).build());
    }

    static RtasResult call(Machine m, String name, int nret, long... args) {
        int[] a = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = (int) args[i];
        }
        return m.rtas(0, name, a, nret);
    }

    @Nested
    class Nvram {
        final Machine m = machine(1);

        @Test
        void nvramStoreThenFetchRoundTripsThroughTheDevicesSixtyFourKiB() {
            m.memory().writeBytes(BUF, "hello".getBytes(StandardCharsets.US_ASCII));
            RtasResult s = call(m, "nvram-store", 2, 0xfffb, BUF, 5);
            assertEquals(0, s.status());
            assertArrayEquals(new int[] {5}, s.rets());
            RtasResult f = call(m, "nvram-fetch", 2, 0xfffb, BUF + 0x1000, 5);
            assertEquals(0, f.status());
            assertArrayEquals(new int[] {5}, f.rets());
            assertEquals("hello", new String(m.memory().readBytes(BUF + 0x1000, 5), StandardCharsets.US_ASCII));
            assertEquals('h', m.nvram().contents()[0xfffb]);
        }

        @Test
        void nvramFetchPastTheEndIsAParameterErrorWithZeroBytes() {
            RtasResult r = call(m, "nvram-fetch", 2, 0xfffc, BUF, 5);
            assertEquals(RtasStatus.PARAM_ERROR, r.status());
            assertArrayEquals(new int[] {0}, r.rets());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "nvram-store", 2, 0x10000, BUF, 1).status());
        }

        @Test
        void nvramCallsCheckThreeArgumentsAndTwoResults() {
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "nvram-fetch", 2, 0, BUF).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "nvram-store", 1, 0, BUF, 1).status());
        }

        @Test
        void nvramStartsZeroedAndSurvivesAReset() {
            assertTrue(Arrays.equals(new byte[0x10000], m.nvram().contents()));
            m.memory().write8(BUF, 0x5a);
            call(m, "nvram-store", 2, 0, BUF, 1);
            m.reset();
            assertEquals(0x5a, m.nvram().contents()[0]);
        }
    }

    @Nested
    class SystemParameter {
        final Machine m = machine(4);

        @Test
        void splparCharacteristicsAreQemusStringWithItsLengthFirst() {
            RtasResult r = call(m, "ibm,get-system-parameter", 1, 20, BUF, 200);
            assertEquals(0, r.status());
            String v = "MaxEntCap=4,DesMem=1024,DesProcs=4,MaxPlatProcs=4";
            assertEquals(v.length() + 1, m.memory().read16(BUF));
            assertEquals(v + "\0", new String(m.memory().readBytes(BUF + 2, v.length() + 1), StandardCharsets.US_ASCII));
        }

        @Test
        void aShortBufferGetsWhatFitsAndUnderTwoBytesIsMinus9999() {
            assertEquals(0, call(m, "ibm,get-system-parameter", 1, 20, BUF, 6).status());
            assertEquals("MaxE", new String(m.memory().readBytes(BUF + 2, 4), StandardCharsets.US_ASCII));
            assertEquals(0, m.memory().read8(BUF + 6), "nothing past the buffer");
            assertEquals(RtasStatus.SYSPARM_PARAM_ERROR, call(m, "ibm,get-system-parameter", 1, 20, BUF, 1).status());
        }

        @Test
        void diagnosticsModeIsDisabledTheUuidEmptyAndOthersUnsupported() {
            assertEquals(0, call(m, "ibm,get-system-parameter", 1, 42, BUF, 16).status());
            assertEquals(1, m.memory().read16(BUF));
            assertEquals(0, m.memory().read8(BUF + 2));
            assertEquals(0, call(m, "ibm,get-system-parameter", 1, 48, BUF, 16).status());
            assertEquals(0, m.memory().read16(BUF));
            // Linux asks for CMO (44) at boot: not supported
            assertEquals(RtasStatus.NOT_SUPPORTED, call(m, "ibm,get-system-parameter", 1, 44, BUF, 16).status());
        }

        @Test
        void setSystemParameterIsNotAuthorizedForKnownOnesAndUnsupportedOtherwise() {
            assertEquals(RtasStatus.NOT_AUTHORIZED, call(m, "ibm,set-system-parameter", 1, 20, BUF).status());
            assertEquals(RtasStatus.NOT_SUPPORTED, call(m, "ibm,set-system-parameter", 1, 44, BUF).status());
        }
    }

    @Nested
    class Platform {
        final Machine m = machine(2);

        @Test
        void nmiRegisterNeedsVectorsBelow32MiBAndInterlockNeedsARegistration() {
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,nmi-interlock", 1).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,nmi-register", 1, 0x100, 32L << 20).status());
            assertEquals(0, call(m, "ibm,nmi-register", 1, 0x100, 0x200).status());
            assertEquals(0x100, m.firmwareNmi().systemResetVector());
            assertEquals(0x200, m.firmwareNmi().machineCheckVector());
            assertEquals(0, call(m, "ibm,nmi-interlock", 1).status());
            m.reset();
            assertEquals(-1, m.firmwareNmi().machineCheckVector());
        }

        @Test
        void suspendMeNeedsEveryOtherVcpuStopped() {
            call(m, "start-cpu", 1, 1, 0x10000, 1);
            assertEquals(PlatformRtas.MULTI_THREADS_ACTIVE, call(m, "ibm,suspend-me", 1).status());
            assertFalse(m.platformRtas().suspended());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,suspend-me", 1, 0).status());
            m.rtas(1, "stop-self", new int[0], 1);
            assertEquals(0, call(m, "ibm,suspend-me", 1).status());
            assertTrue(m.platformRtas().suspended());
            assertFalse(m.cpu(0).running());
        }

        @Test
        void setTceBypassNeedsAVioDeviceWithADmaWindow() {
            assertEquals(0, call(m, "ibm,set-tce-bypass", 1, 0x71000002L, 1).status(), "the l-lan has a DMA window");
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,set-tce-bypass", 1, 0x71000000L, 1).status(), "the vty has none");
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,set-tce-bypass", 1, 0x71000009L, 1).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,set-tce-bypass", 1, 0x71000002L).status());
        }

        @Test
        void quiesceTakesNoArgumentsAndTurnsBypassOff() {
            call(m, "ibm,set-tce-bypass", 1, 0x71000002L, 1);
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "quiesce", 1, 0).status());
            assertEquals(0, call(m, "quiesce", 1).status());
            for (var d : m.devices()) {
                if (d instanceof io.pseries.core.dev.VioDevice v) {
                    assertFalse(v.dmaBypass(), v.name());
                }
            }
        }
    }

    @Nested
    class Connectors {
        final Machine m = machine(2);

        @Test
        void powerLevelsAreTheLiveInsertDomainAt100() {
            RtasResult g = call(m, "get-power-level", 2, -1);
            assertEquals(0, g.status());
            assertArrayEquals(new int[] {100}, g.rets());
            assertEquals(0, call(m, "set-power-level", 2, -1, 50).status());
            assertEquals(RtasStatus.NOT_SUPPORTED, call(m, "get-power-level", 2, 0).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "set-power-level", 2, -1).status());
        }

        @Test
        void entitySenseSeesPresentDevicesEmptySlotsAndUnusableLogicalConnectors() {
            assertArrayEquals(new int[] {DrcRtas.ENTITY_PRESENT}, call(m, "get-sensor-state", 2, 9003, 0x40000000L).rets());
            assertArrayEquals(new int[] {DrcRtas.ENTITY_EMPTY}, call(m, "get-sensor-state", 2, 9003, 0x40000008L).rets());
            assertArrayEquals(new int[] {DrcRtas.ENTITY_PRESENT}, call(m, "get-sensor-state", 2, 9003, 0x10000001L).rets());
            assertArrayEquals(new int[] {DrcRtas.ENTITY_UNUSABLE}, call(m, "get-sensor-state", 2, 9003, 0x20000005L).rets());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "get-sensor-state", 2, 9003, 0x30000000L).status());
            assertEquals(RtasStatus.NOT_SUPPORTED, call(m, "get-sensor-state", 2, 9001, 0x40000000L).status());
        }

        @Test
        void setIndicatorDrivesIsolationAllocationAndTheDrIndicator() {
            // a configured CPU connector: isolate (-> available), unusable, then usable again
            assertEquals(0, call(m, "set-indicator", 1, 9001, 0x10000001L, 0).status());
            assertEquals(0, call(m, "set-indicator", 1, 9003, 0x10000001L, 0).status());
            assertArrayEquals(new int[] {DrcRtas.ENTITY_UNUSABLE}, call(m, "get-sensor-state", 2, 9003, 0x10000001L).rets());
            assertEquals(RtasStatus.NO_SUCH_INDICATOR, call(m, "set-indicator", 1, 9001, 0x10000001L, 1).status(),
                "an unusable connector cannot be unisolated");
            assertEquals(0, call(m, "set-indicator", 1, 9003, 0x10000001L, 1).status());
            assertEquals(0, call(m, "set-indicator", 1, 9002, 0x10000001L, 1).status());
            assertEquals(1, m.drcs().byIndex(0x10000001L).drIndicator());
            // an empty PHB slot cannot be made usable; an empty PCI slot cannot be unisolated
            assertEquals(RtasStatus.NO_SUCH_INDICATOR, call(m, "set-indicator", 1, 9003, 0x20000003L, 1).status());
            assertEquals(RtasStatus.NO_SUCH_INDICATOR, call(m, "set-indicator", 1, 9003, 0x40000000L, 1).status(),
                "allocation is for logical connectors only");
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "set-indicator", 1, 9001, 0x40000000L, 7).status());
            assertEquals(RtasStatus.NOT_SUPPORTED, call(m, "set-indicator", 1, 9005, 0x40000000L, 0).status());
            assertEquals(RtasStatus.NO_SUCH_INDICATOR, call(m, "set-indicator", 1, 9002, 0x30000000L, 0).status());
            m.reset();
            assertEquals(0, m.drcs().byIndex(0x10000001L).drIndicator());
        }

        @Test
        void configureConnectorReadsTheIndexFromItsWorkArea() {
            m.memory().write32(BUF, 0x40000000);
            assertEquals(DrcRtas.CC_SUCCESS, call(m, "ibm,configure-connector", 1, BUF, 0).status(), "already configured");
            call(m, "set-indicator", 1, 9001, 0x40000000L, 0);
            assertEquals(DrcRtas.CC_NOT_CONFIGURABLE, call(m, "ibm,configure-connector", 1, BUF, 0).status());
            m.memory().write32(BUF, 0x30000000);
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,configure-connector", 1, BUF, 0).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,configure-connector", 1, BUF).status());
        }
    }

    @Nested
    class DmaWindows {
        final Machine m = machine(1);
        final long hi = 0x8000000L;
        final long lo = 0x20000000L;

        @Test
        void queryPeDmaWindowOffersOneMoreWindowOverAllOfRam() {
            RtasResult q = call(m, "ibm,query-pe-dma-window", 5, 0, hi, lo);
            assertEquals(0, q.status());
            // 1 window free, 1 GiB of 4 KiB pages, pages 4K|64K|16M|2M, no migration
            assertArrayEquals(new int[] {1, 0x40000, 0x107, 0}, q.rets());
            RtasResult q6 = call(m, "ibm,query-pe-dma-window", 6, 0, hi, lo);
            assertArrayEquals(new int[] {1, 0, 0x40000, 0x107, 0}, q6.rets());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,query-pe-dma-window", 4, 0, hi, lo).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,query-pe-dma-window", 5, 0, hi, lo + 1).status());
        }

        @Test
        void createPeDmaWindowGivesTheSecondLiobnAt2Pow59AsLinuxSaw() {
            // Linux 6.1 asked 16 MiB pages over 1 GiB: linux,direct64-ddr-window-info <0x80000001 0 0x8000000 0 0x18 0x1e>
            RtasResult c = call(m, "ibm,create-pe-dma-window", 4, 0, hi, lo, 24, 30);
            assertEquals(0, c.status());
            assertArrayEquals(new int[] {0x80000001, 0x08000000, 0}, c.rets());
            assertArrayEquals(new int[] {0, 0x40000, 0x107, 0}, call(m, "ibm,query-pe-dma-window", 5, 0, hi, lo).rets(), "no window left");
            assertEquals(RtasStatus.HW_ERROR, call(m, "ibm,create-pe-dma-window", 4, 0, hi, lo, 24, 30).status(), "both in use");
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,create-pe-dma-window", 4, 0, hi, lo, 13, 30).status(), "8K pages");
        }

        @Test
        void removeAndResetPeDmaWindowRestoreTheDefaultWindow() {
            call(m, "ibm,create-pe-dma-window", 4, 0, hi, lo, 16, 30);
            assertEquals(0, call(m, "ibm,remove-pe-dma-window", 1, 0x80000001L).status());
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,remove-pe-dma-window", 1, 0x80000001L).status());
            assertEquals(0, call(m, "ibm,remove-pe-dma-window", 1, 0x80000000L).status());
            assertFalse(m.phb().dmaWindowEnabled(0));
            assertEquals(0, call(m, "ibm,reset-pe-dma-window", 1, 0, hi, lo).status());
            assertTrue(m.phb().dmaWindowEnabled(0));
            assertFalse(m.phb().dmaWindowEnabled(1));
            assertEquals(RtasStatus.PARAM_ERROR, call(m, "ibm,reset-pe-dma-window", 1, 0, hi).status());
        }
    }
}
