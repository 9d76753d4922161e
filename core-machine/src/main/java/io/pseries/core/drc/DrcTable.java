package io.pseries.core.drc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.CpuTopology;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.pci.PciBus;
import io.pseries.core.dev.pci.PciDevice;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.dt.DtNode;

/**
 * Every DR connector of the machine, as QEMU's {@code /dr-connector} container holds them, and
 * the {@code ibm,drc-indexes}, {@code ibm,drc-names}, {@code ibm,drc-types} and
 * {@code ibm,drc-power-domains} properties QEMU's spapr_dt_drc writes from it.
 *
 * <p>Flow: the machine adds connectors in QEMU's creation order (one per vCPU core, the 31 PHB
 * slots, then 256 PCI slots for each bus as the host bridge and its bridges are realized); the
 * device tree asks for the connectors of one owner and kind; RTAS calls look them up by index.
 * The properties list the connectors in the container's hash-table order ({@link GlibHashOrder}),
 * which is why QEMU's arrays are not sorted. Confined to the machine's thread.
 */
public final class DrcTable {
    /** SPAPR_MAX_PHBS: QEMU creates a PHB connector for each possible host bridge. */
    public static final int MAX_PHBS = 31;
    /** PCI slots per bus (32 devices x 8 functions). */
    public static final int PCI_DEVFNS = 256;

    private final Map<Long, Drc> byIndex = new LinkedHashMap<>();
    private final GlibHashOrder<Drc> container = new GlibHashOrder<>();
    private List<Drc> ordered;

    /** Adds a connector; {@code owner} is the object whose node lists it. */
    public Drc add(DrcKind kind, int id, Object owner, boolean attached) {
        Drc d = new Drc(kind, id, owner, attached);
        if (byIndex.putIfAbsent(d.index(), d) != null) {
            throw new IllegalStateException(String.format("DRC index 0x%x added twice", d.index()));
        }
        container.insert(d, Long.toHexString(d.index()));
        ordered = null;
        return d;
    }

    /**
     * The machine's connectors, in QEMU's creation order: one per core (named by its first
     * thread's vCPU id), the PHB slots (the default PHB's attached), then 256 PCI slots per bus of
     * the host bridge as it and its bridges were realized.
     */
    public void addMachineConnectors(List<VCpu> cpus, CpuTopology topology, SpaprPhb phb) {
        for (VCpu c : cpus) {
            if (topology.isThread0(c)) {
                add(DrcKind.CPU, c.vcpuId(), null, true);
            }
        }
        for (int i = 0; i < MAX_PHBS; i++) {
            add(DrcKind.PHB, i, null, i == phb.index());
        }
        for (PciBus b : phb.buses()) {
            for (int devfn = 0; devfn < PCI_DEVFNS; devfn++) {
                boolean attached = false;
                for (PciDevice d : phb.devicesOn(b)) {
                    attached |= d.devfn() == devfn;
                }
                add(DrcKind.PCI, (phb.index() << 16) | (b.number() << 8) | devfn, b, attached);
            }
        }
    }

    /** The connector with this index, or null. */
    public Drc byIndex(long index) {
        return byIndex.get(index);
    }

    /** Every connector in the container's iteration order. */
    public List<Drc> inContainerOrder() {
        if (ordered == null) {
            ordered = container.order();
        }
        return ordered;
    }

    /** Machine reset: every connector back to its coldplug state. */
    public void reset() {
        for (Drc d : byIndex.values()) {
            d.reset();
        }
    }

    /**
     * Writes the four DRC properties of {@code owner}'s connectors of {@code kind} at the front of
     * {@code node}, in QEMU's order (types, names, power domains, indexes as dtc lists them).
     */
    public void writeProperties(DtNode node, Object owner, DrcKind kind) {
        List<Drc> list = new ArrayList<>();
        for (Drc d : inContainerOrder()) {
            if (d.kind() == kind && (owner == null || d.owner() == owner)) {
                list.add(d);
            }
        }
        long[] indexes = new long[list.size() + 1];
        long[] power = new long[list.size() + 1];
        indexes[0] = list.size();
        power[0] = list.size();
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        ByteArrayOutputStream types = new ByteArrayOutputStream();
        writeCount(names, list.size());
        writeCount(types, list.size());
        for (int i = 0; i < list.size(); i++) {
            Drc d = list.get(i);
            indexes[i + 1] = d.index();
            power[i + 1] = 0xffffffffL;    // one "live insert" power domain: -1
            names.writeBytes(d.name().getBytes(StandardCharsets.US_ASCII));
            names.write(0);
            types.writeBytes(kind.typeString().getBytes(StandardCharsets.US_ASCII));
            types.write(0);
        }
        Map<String, byte[]> props = new LinkedHashMap<>();
        props.put("ibm,drc-types", types.toByteArray());
        props.put("ibm,drc-names", names.toByteArray());
        props.put("ibm,drc-power-domains", cells(power));
        props.put("ibm,drc-indexes", cells(indexes));
        node.prepend(props);
    }

    private static void writeCount(ByteArrayOutputStream out, int n) {
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
    }

    private static byte[] cells(long[] v) {
        byte[] b = new byte[v.length * 4];
        for (int i = 0; i < v.length; i++) {
            b[i * 4] = (byte) (v[i] >>> 24);
            b[i * 4 + 1] = (byte) (v[i] >>> 16);
            b[i * 4 + 2] = (byte) (v[i] >>> 8);
            b[i * 4 + 3] = (byte) v[i];
        }
        return b;
    }

    /** How many connectors of each kind (for info and tests). */
    public Map<DrcKind, Integer> counts() {
        Map<DrcKind, Integer> m = new HashMap<>();
        for (Drc d : byIndex.values()) {
            m.merge(d.kind(), 1, Integer::sum);
        }
        return m;
    }
}
