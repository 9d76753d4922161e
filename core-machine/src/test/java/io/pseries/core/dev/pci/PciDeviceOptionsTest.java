package io.pseries.core.dev.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.MachineConfig.DeviceConfig;

/**
 * PCI device options ({@code dev/Devices.java}): virtio-net-pci {id, bus, addr, vectors|msi},
 * virtio-blk-pci {id, bus, addr, vectors}, pci-bridge {id, bus, addr}; errors name the option or
 * value; default ids and automatic slots.
 */
class PciDeviceOptionsTest {

    private static DeviceConfig dev(String type, Object... kv) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put((String) kv[i], kv[i + 1]);
        }
        return new DeviceConfig(type, o);
    }

    private static Machine machine(DeviceConfig... devices) {
        return FakeIntc.machine(MachineConfig.builder().cpus(1).icMode("xics").devices(List.of(devices)).build());
    }

    private static String error(DeviceConfig... devices) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> machine(devices));
        return e.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' missing from: " + message);
        }
    }

    @Test
    void anUnknownBusIdIsAnErrorNamingIt() {
        String e = error(dev("pci-bridge", "id", "br0"), dev("virtio-blk-pci", "bus", "br9"));
        assertMentions(e, "bus", "'br9'", "br0");
        // a device that is not a bridge is no bus either
        e = error(dev("virtio-net-pci", "id", "net0"), dev("virtio-blk-pci", "bus", "net0"));
        assertMentions(e, "bus", "'net0'", "not a pci-bridge");
        // a bridge defined later is not known yet
        e = error(dev("virtio-blk-pci", "bus", "br0"), dev("pci-bridge", "id", "br0"));
        assertMentions(e, "'br0'");
        // a non-string bus
        e = error(dev("virtio-blk-pci", "bus", 1L));
        assertMentions(e, "devices[0].bus", "1");
    }

    @Test
    void aUsedSlotIsAnErrorNamingIt() {
        String e = error(dev("virtio-net-pci", "addr", 1L), dev("virtio-blk-pci", "id", "disk", "addr", 1L));
        assertMentions(e, "disk", "slot 01.0", "already used");
        e = error(dev("pci-bridge", "id", "br0"), dev("virtio-blk-pci", "bus", "br0", "addr", 3L),
            dev("virtio-blk-pci", "id", "d2", "bus", "br0", "addr", 3L));
        assertMentions(e, "d2", "slot 03.0", "bus 1", "already used");
        // an automatic slot taken by the automatic numbering is used too
        e = error(dev("virtio-net-pci"), dev("pci-bridge", "id", "b", "addr", 0L));
        assertMentions(e, "slot 00.0", "already used");
    }

    @Test
    void aSlotOutOfRangeIsAnErrorNamingTheOption() {
        assertMentions(error(dev("virtio-net-pci", "addr", 32L)), "devices[0].addr", "32", "0 to 31");
        assertMentions(error(dev("virtio-blk-pci"), dev("virtio-blk-pci", "addr", -1L)), "devices[1].addr", "-1");
        assertMentions(error(dev("pci-bridge", "addr", "3")), "devices[0].addr", "3");
        assertMentions(error(dev("pci-bridge", "addr", 1.5)), "devices[0].addr", "1.5");
    }

    @Test
    void aFullBusIsAnError() {
        List<DeviceConfig> l = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            l.add(dev("virtio-blk-pci"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> machine(l.toArray(new DeviceConfig[0])));
        assertMentions(e.getMessage(), "virtio-blk32", "full");
    }

    @Test
    void aBadVectorsValueIsAnErrorNamingTheOption() {
        assertMentions(error(dev("virtio-net-pci", "vectors", -1L)), "devices[0].vectors", "-1");
        assertMentions(error(dev("virtio-net-pci", "vectors", 2049L)), "devices[0].vectors", "2049");
        assertMentions(error(dev("virtio-blk-pci", "vectors", "four")), "devices[0].vectors", "four");
        assertMentions(error(dev("virtio-blk-pci", "vectors", 2.5)), "devices[0].vectors", "2.5");
    }

    @Test
    void aBadMsiValueIsAnErrorNamingTheMsiOption() {
        String e = error(dev("virtio-net-pci", "msi", -1L));
        assertMentions(e, "devices[0].msi", "-1");
    }

    @Test
    void anUnknownOptionIsAnErrorNamingIt() {
        assertMentions(error(dev("virtio-net-pci", "vector", 4L)), "'vector'", "virtio-net-pci", "devices[0]",
            "did you mean 'vectors'");
        assertMentions(error(dev("pci-bridge", "vectors", 1L)), "'vectors'", "pci-bridge", "valid options: addr, bus, id");
        assertMentions(error(dev("virtio-blk-pci"), dev("virtio-blk-pci", "slot", 2L)), "'slot'", "devices[1]");
    }

    @Test
    void vectorsAndMsiSetTheMsixTableSize() {
        Machine m = machine(dev("virtio-net-pci", "id", "a"), dev("virtio-net-pci", "id", "b", "vectors", 8L),
            dev("virtio-net-pci", "id", "c", "msi", 2L), dev("virtio-net-pci", "id", "d", "vectors", 0L),
            dev("virtio-blk-pci", "id", "e"), dev("virtio-blk-pci", "id", "f", "vectors", 3L));
        int[] expected = {4, 8, 2, 0, 0, 3};
        String[] ids = {"a", "b", "c", "d", "e", "f"};
        for (int i = 0; i < ids.length; i++) {
            assertEquals(expected[i], m.phb().device(ids[i]).msixEntries(), ids[i]);
            assertEquals(0, m.phb().device(ids[i]).msiVectors(), ids[i]);
        }
        assertEquals(1, m.phb().device("a").intxPin());
    }

    @Test
    void defaultIdsAreNumberedPerType() {
        Machine m = machine(dev("virtio-net-pci"), dev("pci-bridge"), dev("virtio-blk-pci"), dev("virtio-net-pci"),
            dev("virtio-blk-pci", "bus", "pci-bridge0"));
        assertInstanceOf(VirtioPci.class, m.phb().device("virtio-net0"));
        assertTrue(((VirtioPci) m.phb().device("virtio-net0")).isNet());
        assertInstanceOf(PciBridge.class, m.phb().device("pci-bridge0"));
        assertInstanceOf(VirtioPci.class, m.phb().device("virtio-blk0"));
        assertTrue(((VirtioPci) m.phb().device("virtio-net1")).isNet());
        assertEquals("0000:01:00.0", m.phb().device("virtio-blk1").pciAddress(), "the default bridge id names its bus");
        assertEquals(5, m.phb().devices().size());
    }

    @Test
    void anExplicitIdCollidingWithAGeneratedOneIsRefused() {
        // both orders: generated first, explicit first
        String e = error(dev("virtio-net-pci"), dev("virtio-net-pci", "id", "virtio-net0"));
        assertMentions(e, "'virtio-net0'");
        // a default id counts the devices of its type before it: the second bridge would be pci-bridge1
        e = error(dev("pci-bridge", "id", "pci-bridge1"), dev("pci-bridge"));
        assertMentions(e, "default id 'pci-bridge1'", "devices[0] has it", "explicit id");
        assertInstanceOf(PciBridge.class, machine(dev("pci-bridge", "id", "pci-bridge0"), dev("pci-bridge")).phb().device("pci-bridge1"));
        // what goes wrong today: the bus lookup finds the virtio-net named pci-bridge0, not the bridge
        e = error(dev("virtio-net-pci", "id", "pci-bridge0"), dev("pci-bridge"), dev("virtio-blk-pci", "bus", "pci-bridge0"));
        assertMentions(e, "'pci-bridge0'", "twice");
    }

    @Test
    void anIdUsedTwiceIsRefused() {
        assertMentions(error(dev("virtio-net-pci", "id", "x"), dev("pci-bridge", "id", "x")), "devices[1].id", "'x'", "twice");
    }

    @Test
    void slotsAreNumberedFromTheFirstFreeOnePerBus() {
        Machine m = machine(dev("virtio-net-pci", "id", "n"), dev("pci-bridge", "id", "br", "addr", 2L),
            dev("virtio-blk-pci", "id", "b1"), dev("virtio-blk-pci", "id", "b3"),
            dev("virtio-blk-pci", "id", "s0", "bus", "br"), dev("virtio-blk-pci", "id", "s5", "bus", "br", "addr", 5L),
            dev("virtio-blk-pci", "id", "s1", "bus", "br"), dev("virtio-net-pci", "id", "r", "bus", "pci.0"));
        Map<String, String> expected = Map.of("n", "0000:00:00.0", "br", "0000:00:02.0", "b1", "0000:00:01.0",
            "b3", "0000:00:03.0", "s0", "0000:01:00.0", "s5", "0000:01:05.0", "s1", "0000:01:01.0", "r", "0000:00:04.0");
        expected.forEach((id, addr) -> {
            assertNotNull(m.phb().device(id), id);
            assertEquals(addr, m.phb().device(id).pciAddress(), id);
        });
        assertEquals(0x10800, m.phb().device("s1").configAddress());
    }
}
