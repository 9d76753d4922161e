package io.pseries.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.pseries.core.MachineConfig.DeviceConfig;
import io.pseries.core.dev.Device;
import io.pseries.core.dev.Devices;
import io.pseries.core.dev.VioDevice;

class MachineConfigTest {

    private static String error(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ------------------------------------------------------------------ defaults

    @Test
    void defaultsAreOneCpuDualModeOneGiBAndAConsole() {
        MachineConfig c = MachineConfig.defaults();
        assertEquals(1, c.cpus());
        assertEquals("dual", c.icMode());
        assertEquals("off", c.kernelIrqchip());
        assertEquals(1L << 30, c.memory());
        assertEquals(List.of(DeviceConfig.of("spapr-vty")), c.devices());
        assertEquals(0, c.seed());
        assertEquals(io.pseries.core.host.HostConfig.POWER9, c.host());
    }

    @Test
    void anEmptyMapGivesTheDefaults() {
        assertEquals(MachineConfig.defaults(), MachineConfig.fromMap(Map.of()));
    }

    @Test
    void fromMapReadsEveryOption() {
        MachineConfig c = MachineConfig.fromMap(map("cpus", 4, "icMode", "xive", "kernelIrqchip", "allowed",
            "memory", "2G", "seed", 42L, "host", map("xive", false),
            "devices", List.of(map("type", "spapr-vty"), map("type", "spapr-vlan", "mac", "52:54:00:12:34:56"))));
        assertEquals(4, c.cpus());
        assertEquals("xive", c.icMode());
        assertEquals("allowed", c.kernelIrqchip());
        assertEquals(2L << 30, c.memory());
        assertEquals(42, c.seed());
        assertEquals(false, c.host().xive());
        assertTrue(c.host().xicsOnXive());
        assertEquals(List.of(DeviceConfig.of("spapr-vty"),
            new DeviceConfig("spapr-vlan", Map.of("mac", "52:54:00:12:34:56"))), c.devices());
    }

    @Test
    void nrIrqs_defaultsToQemus0x2000_andAcceptsLargerSpacesUpToTheKvmDevicesRange() {
        assertEquals(0x2000, MachineConfig.defaults().nrIrqs());
        assertEquals(0x11000, MachineConfig.fromMap(map("nrIrqs", 0x11000)).nrIrqs());
        assertEquals(1 << 20, MachineConfig.fromMap(map("nrIrqs", (double) (1 << 20))).nrIrqs());
    }

    @Test
    void nrIrqs_belowQemusDefaultOrPastTheKvmRange_isAnErrorNamingTheRange() {
        assertMentions(error(() -> MachineConfig.fromMap(map("nrIrqs", 0x1fff))),
            "invalid machine option nrIrqs: 8191", "8192", "1048576");
        assertMentions(error(() -> MachineConfig.fromMap(map("nrIrqs", (1 << 20) + 1))),
            "invalid machine option nrIrqs: 1048577");
        assertMentions(error(() -> MachineConfig.fromMap(map("nrIrqs", "64K"))), "invalid machine option nrIrqs: 64K");
    }

    @Test
    void integralDoublesAreAcceptedAsIntegers() {
        // numbers come from JavaScript as doubles
        assertEquals(8, MachineConfig.fromMap(map("cpus", 8.0)).cpus());
        assertEquals(1L << 30, MachineConfig.fromMap(map("memory", 1073741824.0)).memory());
    }

    // ------------------------------------------------------------------ cpus

    @Test
    void zeroCpusIsRejectedNamingTheRange() {
        String m = error(() -> MachineConfig.fromMap(map("cpus", 0)));
        assertEquals("invalid machine option cpus: 0; expected an integer from 1 to 4096", m);
    }

    @Test
    void moreThan4096CpusIsRejectedNamingTheRange() {
        String m = error(() -> MachineConfig.fromMap(map("cpus", 4097)));
        assertMentions(m, "cpus", "4097", "1 to 4096");
    }

    @Test
    void theBuilderChecksCpusToo() {
        assertMentions(error(() -> MachineConfig.builder().cpus(0).build()), "cpus", ": 0;", "1 to 4096");
        assertMentions(error(() -> MachineConfig.builder().cpus(4097).build()), "cpus", "4097", "1 to 4096");
        assertEquals(4096, MachineConfig.builder().cpus(4096).build().cpus());
    }

    @Test
    void fractionalOrTextualCpusAreRejected() {
        assertMentions(error(() -> MachineConfig.fromMap(map("cpus", 1.5))), "cpus", "1.5", "an integer");
        assertMentions(error(() -> MachineConfig.fromMap(map("cpus", "4"))), "cpus", "4", "an integer from 1 to 4096");
    }

    // ------------------------------------------------------------------ unknown keys

    @Test
    void unknownKeySuggestsTheClosestOption() {
        String m = error(() -> MachineConfig.fromMap(map("cpu", 2)));
        assertEquals("unknown machine option 'cpu' (did you mean 'cpus'?); valid options: "
            + "cpus, threads, vsmt, icMode, kernelIrqchip, host, memory, devices, seed, nrIrqs, dtcClean, xVof, esbLoads, experimental, hostThreads", m);
    }

    @Test
    void unknownKeyWithNothingCloseListsTheOptionsWithoutASuggestion() {
        String m = error(() -> MachineConfig.fromMap(map("frobnicate", 1)));
        assertMentions(m, "unknown machine option 'frobnicate'", "valid options: cpus");
        assertTrue(!m.contains("did you mean"), m);
    }

    @Test
    void misspelledCamelCaseOptionIsSuggested() {
        assertMentions(error(() -> MachineConfig.fromMap(map("icmode", "xive"))), "(did you mean 'icMode'?)");
        assertMentions(error(() -> MachineConfig.fromMap(map("memroy", "1G"))), "(did you mean 'memory'?)");
    }

    // ------------------------------------------------------------------ memory

    @Test
    void memoryStringsWithSuffixes() {
        assertEquals(512L << 20, MachineConfig.fromMap(map("memory", "512M")).memory());
        assertEquals(1L << 30, MachineConfig.fromMap(map("memory", "1G")).memory());
        assertEquals(1L << 30, MachineConfig.fromMap(map("memory", "1g")).memory());
        assertEquals(1L << 30, MachineConfig.fromMap(map("memory", "1GiB")).memory());
        assertEquals(1L << 30, MachineConfig.fromMap(map("memory", " 1 G ")).memory());
        assertEquals(1L << 40, MachineConfig.fromMap(map("memory", "1T")).memory());
        assertEquals(65536L * 1024, MachineConfig.fromMap(map("memory", "65536K")).memory());
        assertEquals(128L << 20, MachineConfig.fromMap(map("memory", String.valueOf(128L << 20))).memory());
    }

    @Test
    void parseSizeAcceptsNumbersAndSuffixedStrings() {
        assertEquals(512L << 20, MachineConfig.parseSize("memory", "512M"));
        assertEquals(3L << 10, MachineConfig.parseSize("memory", "3k"));
        assertEquals(7, MachineConfig.parseSize("memory", 7));
        assertEquals(7, MachineConfig.parseSize("memory", "7"));
    }

    @Test
    void malformedMemoryStringIsRejectedNamingOptionValueAndForm() {
        String m = error(() -> MachineConfig.fromMap(map("memory", "1.5G")));
        assertEquals("invalid machine option memory: '1.5G'; expected a size such as '512M', '1G' or a number of bytes", m);
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", "lots"))), "memory", "'lots'", "'512M'");
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", "1X"))), "memory", "'1X'");
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", "-1G"))), "memory", "'-1G'");
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", ""))), "memory", "''");
    }

    @Test
    void memoryBelow64MiBIsRejected() {
        String m = error(() -> MachineConfig.fromMap(map("memory", "32M")));
        assertEquals("invalid machine option memory: 33554432; expected a multiple of 64K between 64M and 1T, e.g. '1G'", m);
    }

    @Test
    void memoryAbove1TiBIsRejected() {
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", "2T"))), "memory", "2199023255552", "between 64M and 1T");
    }

    @Test
    void memoryNotAMultipleOf64KiBIsRejected() {
        long bytes = (64L << 20) + 4096;
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", bytes))), "memory", String.valueOf(bytes), "multiple of 64K");
    }

    @Test
    void memorySizeOverflowingTheShiftIsRejected() {
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", "9000000000000T"))), "memory", "'9000000000000T'", "up to 1T");
    }

    @Test
    void memoryWithTooManyDigitsIsRejectedNamingTheOption() {
        assertMentions(error(() -> MachineConfig.fromMap(map("memory", "99999999999999999999M"))),
            "invalid machine option memory", "'99999999999999999999M'");
    }

    // ------------------------------------------------------------------ kernelIrqchip, host, seed

    @Test
    void kernelIrqchipAcceptsOffOnAllowed() {
        for (String k : List.of("off", "on", "allowed")) {
            assertEquals(k, MachineConfig.fromMap(map("kernelIrqchip", k)).kernelIrqchip());
        }
    }

    @Test
    void badKernelIrqchipNamesTheValidValuesAndSuggests() {
        String m = error(() -> MachineConfig.fromMap(map("kernelIrqchip", "alowed")));
        assertEquals("invalid machine option kernelIrqchip: 'alowed'; expected 'off', 'on' or 'allowed'"
            + " (did you mean 'allowed'?)", m);
        assertMentions(error(() -> MachineConfig.fromMap(map("kernelIrqchip", true))), "kernelIrqchip", "true", "a string");
    }

    @Test
    void hostOptionsAreChecked() {
        assertMentions(error(() -> MachineConfig.fromMap(map("host", map("xive", "yes")))), "host.xive", "yes", "true or false");
        assertEquals("unknown host option 'xics' (did you mean 'xive'?); valid options: xive, xicsOnXive, pageSize,"
            + " memSlots, maxMapCount, esbMapping", error(() -> MachineConfig.fromMap(map("host", map("xics", true)))));
        assertMentions(error(() -> MachineConfig.fromMap(map("host", true))), "host", "{ xive: true");
    }

    @Test
    void seedIsExactlyA64BitValue() {
        // a JS number 2^63 is exact: accepted as its 64-bit pattern, never clamped to 2^63-1
        assertEquals(Long.MIN_VALUE, MachineConfig.fromMap(map("seed", 0x1p63)).seed());
        assertEquals(-1L, MachineConfig.fromMap(map("seed", new java.math.BigInteger("18446744073709551615"))).seed());
        assertEquals(Long.MAX_VALUE, MachineConfig.fromMap(map("seed", Long.MAX_VALUE)).seed());
        assertEquals("invalid machine option seed: 18446744073709551616; expected an integer from -9223372036854775808"
            + " to 18446744073709551615 (64 bits)", error(() -> MachineConfig.fromMap(map("seed", 0x1p64))));
        assertMentions(error(() -> MachineConfig.fromMap(map("seed", 1e300))), "seed: 1e+300;");
        assertMentions(error(() -> MachineConfig.fromMap(map("seed", new java.math.BigInteger("18446744073709551616")))),
            "seed: 18446744073709551616n;");
    }

    @Test
    void hugeCountsAreReportedAsWrittenNotClamped() {
        assertEquals("invalid machine option cpus: 1e+30; expected an integer from 1 to 4096",
            error(() -> MachineConfig.fromMap(map("cpus", 1e30))));
        assertEquals("invalid machine option cpus: 9223372036854775808; expected an integer from 1 to 4096",
            error(() -> MachineConfig.fromMap(map("cpus", 0x1p63))));
        assertEquals("invalid boot option timing.mmioNs: 1e+300; expected an integer from 0 to 1000",
            error(() -> MachineConfig.integerValue("boot option timing.mmioNs", 1e300, 0, 1000)));
    }

    @Test
    void seedMustBeAnInteger() {
        assertMentions(error(() -> MachineConfig.fromMap(map("seed", 0.5))), "seed", "0.5", "an integer");
        assertEquals(-7, MachineConfig.fromMap(map("seed", -7)).seed());
    }

    @Test
    void icModeMustBeAString() {
        assertMentions(error(() -> MachineConfig.fromMap(map("icMode", 3))), "icMode", "3", "a string");
    }

    // ------------------------------------------------------------------ icMode (checked against the plugins)

    @Test
    void unknownIcModeSuggestsTheClosestAvailableMode() {
        MachineConfig c = MachineConfig.builder().icMode("xiv").build();
        String m = error(() -> FakeIntc.machine(c));
        assertEquals("invalid machine option icMode: 'xiv' (did you mean 'xive'?); expected one of xics, xive, dual", m);
    }

    @Test
    void dualIsOnlyAvailableWithBothControllers() {
        MachineConfig c = MachineConfig.builder().build();
        String m = error(() -> new Machine(c, List.of(FakeIntc.XIVE)));
        assertMentions(m, "icMode: 'dual'", "expected one of xive");
    }

    @Test
    void noPluginAtAllIsExplained() {
        String m = error(() -> new Machine(MachineConfig.defaults(), List.of()));
        assertMentions(m, "icMode: 'dual'", "no interrupt-controller plugin is on the class path");
    }

    @Test
    void kernelIrqchipSplitIsRefusedWithQemusMessage() {
        assertEquals("invalid machine option kernelIrqchip: 'split': kernel_irqchip split mode not supported on"
            + " pseries; expected 'off', 'on' or 'allowed'", error(() -> MachineConfig.fromMap(map("kernelIrqchip", "split"))));
    }

    @Test
    void badHostOptionsAreNamed() {
        assertMentions(error(() -> MachineConfig.fromMap(map("host", map("pageSize", "8K")))), "host.pageSize", "'8K'",
            "'64K' or '4K'");
        assertMentions(error(() -> MachineConfig.fromMap(map("host", "p9"))), "host", "p9", "xicsOnXive");
        assertEquals(12, MachineConfig.fromMap(map("host", map("pageSize", "4K"))).host().pageShift());
    }

    // ------------------------------------------------------------------ devices

    @Test
    void devicesMustBeAList() {
        assertMentions(error(() -> MachineConfig.fromMap(map("devices", "spapr-vty"))), "devices", "spapr-vty", "an array");
    }

    @Test
    void aDeviceNeedsAStringType() {
        String m = error(() -> MachineConfig.fromMap(map("devices", List.of(map("type", "spapr-vty"), map("mac", "x")))));
        assertMentions(m, "devices[1]", "{mac=x}", "a string 'type'");
    }

    @Test
    void deviceOptionsExceptTypeAreKept() {
        MachineConfig c = MachineConfig.fromMap(map("devices", List.of(map("type", "spapr-vty", "reg", 0x71000010L))));
        assertEquals(Map.of("reg", 0x71000010L), c.devices().get(0).options());
    }

    @Test
    void unknownDeviceTypeSuggestsTheClosest() {
        String m = error(() -> Devices.create(List.of(DeviceConfig.of("spapr-vty"), DeviceConfig.of("spapr-vtty")), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertEquals("invalid machine option devices[1].type: 'spapr-vtty' (did you mean 'spapr-vty'?);"
            + " valid types: pci-bridge, spapr-nvram, spapr-vlan, spapr-vty, vfio-pci, virtio-blk-pci, virtio-net-pci", m);
    }

    @Test
    void unknownDeviceTypeIsRefusedAtMachineCreation() {
        MachineConfig c = MachineConfig.fromMap(map("devices", List.of(map("type", "spapr-vln"))));
        assertMentions(error(() -> FakeIntc.machine(c)), "devices[0].type", "'spapr-vln'", "(did you mean 'spapr-vlan'?)");
    }

    @Test
    void unknownVioOptionSuggestsTheClosest() {
        String m = error(() -> Devices.create(List.of(new DeviceConfig("spapr-vlan", Map.of("mak", "52:54:00:00:00:09"))), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertEquals("unknown option 'mak' for device spapr-vlan (did you mean 'mac'?); valid options: id, mac, reg", m);
    }

    @Test
    void macIsOnlyAnOptionOfTheVlan() {
        String m = error(() -> Devices.create(List.of(new DeviceConfig("spapr-vty", Map.of("mac", "52:54:00:00:00:09"))), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertMentions(m, "unknown option 'mac' for device spapr-vty", "valid options: id, reg");
    }

    @Test
    void badMacIsRejectedShowingTheForm() {
        String m = error(() -> Devices.create(List.of(new DeviceConfig("spapr-vlan", Map.of("mac", "52:54:00"))), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertEquals("invalid spapr-vlan option mac: 52:54:00; expected 'xx:xx:xx:xx:xx:xx'", m);
        assertMentions(error(() -> Devices.create(List.of(new DeviceConfig("spapr-vlan", Map.of("mac", 5))), new io.pseries.core.dev.pci.SpaprPhb(0))), "mac: 5");
    }

    @Test
    void badVioRegIsRejectedNamingTheRange() {
        String m = error(() -> Devices.create(List.of(new DeviceConfig("spapr-vty", Map.of("reg", -1))), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertEquals("invalid machine option spapr-vty.reg: -1; expected an integer from 0 to 4294967295", m);
        assertMentions(error(() -> Devices.create(List.of(new DeviceConfig("spapr-vlan", Map.of("reg", "x"))), new io.pseries.core.dev.pci.SpaprPhb(0))),
            "spapr-vlan.reg", "x");
    }

    @Test
    void duplicateVioRegIsRejected() {
        String m = error(() -> Devices.create(List.of(new DeviceConfig("spapr-vty", Map.of("reg", 0x71000005L)),
            new DeviceConfig("spapr-vlan", Map.of("reg", 0x71000005L))), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertEquals("invalid machine option devices[1] (spapr-vlan, reg 0x71000005): the reg is already"
            + " devices[0] (spapr-vty, reg 0x71000005)'s", m);
    }

    @Test
    void vioRegsSharingAnInterruptNameBothDevices() {
        // QEMU's reg-to-irq mapping keeps the reg's low byte: 0x71000000 and 0x71000100 share 0x1100
        String m = error(() -> Devices.create(List.of(DeviceConfig.of("spapr-vty"),
            new DeviceConfig("spapr-vlan", Map.of("reg", 0x71000100L))), new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertEquals("invalid machine option devices[1] (spapr-vlan, reg 0x71000100): its interrupt 0x1100 (from the"
            + " reg's low byte) is already devices[0] (spapr-vty, reg 0x71000000)'s; give one of them another reg", m);
    }

    @Test
    void moreThan256AutomaticVioDevicesClashNamingBoth() {
        List<DeviceConfig> many = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            many.add(DeviceConfig.of("spapr-vty"));
        }
        String m = error(() -> Devices.create(many, new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertTrue(m.startsWith("invalid machine option devices[256] (spapr-vty, reg 0x71000100): its interrupt 0x1100"), m);
        assertTrue(m.contains("already devices[0] (spapr-vty, reg 0x71000000)'s"), m);
    }

    @Test
    void vioRegsAreAllocatedFrom0x71000000SkippingExplicitOnes() {
        List<Device> d = Devices.create(List.of(DeviceConfig.of("spapr-vty"), new DeviceConfig("spapr-vlan", Map.of("reg", 0x71000005L)),
            DeviceConfig.of("spapr-vty")), new io.pseries.core.dev.pci.SpaprPhb(0));
        List<Long> regs = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (Device x : d) {
            regs.add(((VioDevice) x).reg());
            types.add(x.type());
        }
        // the machine's NVRAM follows the leading console, as QEMU creates it after the -serial consoles
        assertEquals(List.of("spapr-vty", "spapr-nvram", "spapr-vlan", "spapr-vty"), types);
        assertEquals(List.of(0x71000000L, 0x71000001L, 0x71000005L, 0x71000002L), regs);
        // QEMU's spapr_vio_reg_to_irq: 0x1100 | (reg & 0xff) (qemu-observed: vty 0x1100, nvram 0x1101, l-lan 0x1102)
        assertEquals(0x1100, ((VioDevice) d.get(0)).irq());
        assertEquals(0x1101, ((VioDevice) d.get(1)).irq());
        assertEquals(0x1105, ((VioDevice) d.get(2)).irq());
        assertEquals(0x1102, ((VioDevice) d.get(3)).irq());
    }

    @Test
    void theNvramIsAlwaysPresentAndASecondOneIsRefusedAsQemuAborts() {
        List<Device> none = Devices.create(List.of(), new io.pseries.core.dev.pci.SpaprPhb(0));
        assertEquals(1, none.size());
        assertEquals("spapr-nvram", none.get(0).type());
        assertEquals(0x71000000L, ((VioDevice) none.get(0)).reg());
        String m = error(() -> Devices.create(List.of(DeviceConfig.of("spapr-vty"), DeviceConfig.of("spapr-nvram")),
            new io.pseries.core.dev.pci.SpaprPhb(0)));
        assertMentions(m, "devices[1]", "spapr-nvram is always present", "QEMU 7.2 aborts");
    }

    // ------------------------------------------------------------------ threads and vsmt (QEMU's -smp threads=, vsmt=)

    @Test
    void threadsAndVsmtDefaultToOneThreadPerCoreAndVsmtEqualToThreads() {
        MachineConfig c = MachineConfig.defaults();
        assertEquals(1, c.threads());
        assertEquals(1, c.vsmt());
        assertEquals(4, MachineConfig.builder().cpus(8).threads(4).build().vsmt(), "QEMU 4.2+: vsmt = threads");
    }

    @Test
    void fromMapReadsThreadsAndVsmt() {
        MachineConfig c = MachineConfig.fromMap(map("cpus", 8, "threads", 2, "vsmt", 8));
        assertEquals(2, c.threads());
        assertEquals(8, c.vsmt());
        assertEquals(new io.pseries.core.cpu.CpuTopology(8, 2, 8), c.topology());
    }

    @Test
    void threadsMustBeAPowerOfTwo() {
        String m = error(() -> MachineConfig.builder().cpus(6).threads(3).build());
        assertEquals("invalid machine option threads: 3; expected 1, 2, 4 or 8 (\"Cannot support 3 threads/core on a"
            + " pseries machine because it must be a power of 2\")", m);
        assertMentions(error(() -> MachineConfig.fromMap(map("threads", 16))), "threads: 16", "from 1 to 8");
    }

    @Test
    void cpusMustBeWholeCores() {
        String m = error(() -> MachineConfig.builder().cpus(6).threads(4).build());
        assertEquals("invalid machine option cpus: 6; expected a multiple of threads (\"smp_cpus (6) must be multiple of"
            + " threads (4)\")", m);
    }

    @Test
    void vsmtMustNotBeBelowThreads() {
        String m = error(() -> MachineConfig.builder().cpus(4).threads(4).vsmt(2).build());
        assertEquals("invalid machine option vsmt: 2; expected at least threads (\"Cannot support VSMT mode 2 because it"
            + " must be >= threads/core (4)\")", m);
        assertMentions(error(() -> MachineConfig.builder().cpus(4).vsmt(3).build()), "vsmt: 3", "1, 2, 4 or 8");
    }

    @Test
    void serverNumbersMustFitTheIpiRange() {
        // 1024 cores spaced by 8 would need 8192 server numbers, one XIVE IPI each, past 0x1000
        String m = error(() -> MachineConfig.builder().cpus(1024).vsmt(8).build());
        assertMentions(m, "vsmt: 8", "cpus x vsmt / threads = 8192", "4096");
        assertEquals(4096, MachineConfig.builder().cpus(512).vsmt(8).build().topology().nrServers());
    }
}
