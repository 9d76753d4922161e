package io.pseries.core.guest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The guest kernel's interrupt numbering (Linux's irq_domain and its irq_desc table): which
 * kernel number (virq) each hardware interrupt number (hwirq) of the controller got, allocated
 * in order from the first dynamic one, and each CPU's IPI, which all share
 * {@link GuestOs#IPI_VIRQ}. Looked up either way; the table a boot reports and
 * {@code /proc/interrupts}-like views read from here.
 *
 * <p>Threading: the machine's thread only.
 */
final class IrqDomain {
    // package-private where GuestOsState reads and installs them (snapshots)
    final Map<Integer, IrqDesc> byVirq = new TreeMap<>();
    final Map<Integer, IrqDesc> byHwirq = new TreeMap<>();
    final Map<Integer, IrqDesc> ipiByCpu = new HashMap<>();
    int nextVirq = GuestOs.IPI_VIRQ + 1;

    /** The mapped (non-IPI) descriptor of {@code hwirq}, or null when the number has none yet. */
    IrqDesc mapped(int hwirq) {
        IrqDesc d = byHwirq.get(hwirq);
        return d != null && !d.ipi() ? d : null;
    }

    /** A new descriptor for {@code hwirq} on the next free kernel number. */
    IrqDesc allocate(int hwirq, boolean lsi, String name) {
        IrqDesc d = new IrqDesc(hwirq, nextVirq++, lsi, false, name);
        add(d);
        return d;
    }

    /** Enters a descriptor under both its numbers. */
    void add(IrqDesc d) {
        byVirq.put(d.virq(), d);
        byHwirq.put(d.hwirq(), d);
    }

    /** Records the IPI of a CPU; a hardware number already mapped keeps its descriptor. */
    IrqDesc registerIpi(int cpu, int hwirq) {
        IrqDesc d = new IrqDesc(hwirq, GuestOs.IPI_VIRQ, false, true, "IPI");
        d.setTarget(cpu);
        d.setStarted(true);
        ipiByCpu.put(cpu, d);
        byHwirq.putIfAbsent(hwirq, d);
        return d;
    }

    IrqDesc ipiOf(int cpu) {
        return ipiByCpu.get(cpu);
    }

    IrqDesc byVirq(int virq) {
        return byVirq.get(virq);
    }

    IrqDesc byHwirq(int hwirq) {
        return byHwirq.get(hwirq);
    }

    /** The interrupts the guest started (requested), by kernel number. */
    Map<Integer, IrqDesc> started() {
        Map<Integer, IrqDesc> started = new TreeMap<>();
        byVirq.forEach((v, d) -> {
            if (d.started()) {
                started.put(v, d);
            }
        });
        return Collections.unmodifiableMap(started);
    }

    /** Every interrupt the guest mapped (requested or not), by kernel number. */
    Map<Integer, IrqDesc> mapped() {
        return Collections.unmodifiableMap(byVirq);
    }

    /** The started interrupts as plain data, for the boot report. */
    List<Map<String, Object>> table() {
        List<Map<String, Object>> l = new ArrayList<>();
        for (IrqDesc d : started().values()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("hwirq", d.hwirq());
            e.put("virq", d.virq());
            e.put("type", d.lsi() ? "LSI" : "MSI");
            e.put("name", d.name());
            e.put("cpu", d.target());
            l.add(e);
        }
        return l;
    }
}
