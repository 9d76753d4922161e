package io.pseries.core.guest;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import io.pseries.core.dt.DtNode;
import io.pseries.core.rtas.RtasResult;

/**
 * The guest kernel's PCI side on pseries: the bus probe over every PHB of the device tree and,
 * later in the boot, the drivers of the functions it found (virtio-net, virtio-blk).
 *
 * <p>Probe, per function in bus order (bridges depth first): the INTx line the PHB's
 * {@code interrupt-map} gives after swizzling the pin through the bridges is mapped (a number
 * already mapped is shared); then, for a function that has both an INTx line and
 * {@code ibm,req#msi} or {@code ibm,req#msi-x}, the MSIs firmware may have left enabled are
 * turned off ({@code ibm,change-msi} function 3, and function 1 when that fails, 0 vectors);
 * then the EEH address query ({@code ibm,get-config-addr-info2}).
 *
 * <p>Drivers, per function in probe order once the console is up: with {@code ibm,req#msi-x},
 * {@code ibm,change-msi} function 4 for that many vectors, then per vector the driver uses
 * (config and one queue per direction for a network device, config and one request queue for a
 * block device) {@code ibm,query-interrupt-source-number} and a mapping, then the start-up of
 * each; a network device then hints its queue vectors at the CPUs its queue pair serves. Without
 * MSI-X the INTx line mapped at probe is started. Bridges get no driver.
 *
 * <p>Threading: the machine's thread, from {@link GuestOs#boot()}.
 */
final class GuestPciProbe {
    /** One probed function: where it is and what its driver will need. */
    private record Function(int cfg, int hi, int lo, String name, boolean net, int msix, IrqDesc intx, DtNode phb,
                            DtNode node) {
    }

    private final GuestOs os;
    private final List<Function> found = new ArrayList<>();
    private int virtio;

    GuestPciProbe(GuestOs os) {
        this.os = os;
    }

    /** The bus probe of every PHB in the tree. */
    void probe(DtNode tree) {
        for (DtNode phb : tree.children()) {
            List<String> compat = phb.strings("compatible");
            if (compat == null || !compat.contains("IBM,Logical_PHB")) {
                continue;
            }
            long[] reg = phb.cells("reg");
            probeBus(phb, phb, (int) reg[0], (int) reg[1], List.of());
        }
    }

    private void probeBus(DtNode phb, DtNode bus, int hi, int lo, List<Integer> bridgeSlots) {
        for (DtNode dev : bus.children()) {
            long[] reg = dev.cells("reg");
            if (reg == null || reg.length == 0) {
                continue;
            }
            int cfg = (int) reg[0];
            int slot = (cfg >> 11) & 0x1f;
            IrqDesc intx = null;
            long[] pin = dev.cells("interrupts");
            if (pin != null && pin[0] >= 1 && pin[0] <= 4) {
                int lsi = lookupInterruptMap(phb, bridgeSlots, slot, (int) pin[0] - 1);
                if (lsi >= 0) {
                    intx = os.map(lsi, true, null);
                }
            }
            long[] msi = dev.cells("ibm,req#msi");
            long[] msix = dev.cells("ibm,req#msi-x");
            boolean wantsMsi = (msi != null && msi[0] > 0) || (msix != null && msix[0] > 0);
            if (intx != null && wantsMsi
                && os.rtas(0, "ibm,change-msi", new int[] {cfg, hi, lo, 3, 0, 1}, 4).status() != 0) {
                os.rtas(0, "ibm,change-msi", new int[] {cfg, hi, lo, 1, 0, 1}, 4);
            }
            os.rtas(0, "ibm,get-config-addr-info2", new int[] {cfg, hi, lo, 0}, 2);
            long[] cls = dev.cells("class-code");
            if (cls != null && (cls[0] >> 8) == 0x0604) {
                List<Integer> path = new ArrayList<>(bridgeSlots);
                path.add(slot);
                probeBus(phb, dev, hi, lo, path);
                continue;
            }
            found.add(new Function(cfg, hi, lo, "virtio" + virtio++, dev.name().startsWith("ethernet"),
                msix == null ? 0 : (int) msix[0], intx, phb, dev));
        }
    }

    /**
     * The PHB's interrupt number for a function's pin (0..3) after swizzling it through the
     * bridges above it (each bridge adds its slot number, modulo 4), or -1.
     */
    private static int lookupInterruptMap(DtNode phb, List<Integer> bridgeSlots, int slot, int pin) {
        int p = pin;
        int s = slot;
        for (int i = bridgeSlots.size() - 1; i >= 0; i--) {
            p = (p + s) % 4;
            s = bridgeSlots.get(i);
        }
        long[] map = phb.cells("interrupt-map");
        long[] mask = phb.cells("interrupt-map-mask");
        if (map == null || mask == null) {
            return -1;
        }
        long addr = ((long) s << 11) & mask[0];
        for (int i = 0; i + 6 < map.length; i += 7) {
            if ((map[i] & mask[0]) == addr && (map[i + 3] & mask[3]) == p + 1) {
                return (int) map[i + 5];
            }
        }
        return -1;
    }

    /** The drivers of the probed functions, in probe order. */
    void startDrivers() {
        for (Function f : found) {
            if (f.msix() > 0 && startMsix(f)) {
                continue;
            }
            if (f.intx() != null) {
                os.startIrq(f.intx(), f.name());
            }
        }
    }

    /**
     * MSI-X set-up; false when firmware refused it (the driver falls back to INTx). A function
     * that presents an MSI-X capability gets Linux's order around {@code ibm,change-msi}: enabled
     * with every vector masked first, the entries masked and the function mask cleared after, and
     * each vector unmasked in the table as its interrupt starts (before its source is configured).
     */
    private boolean startMsix(Function f) {
        GuestMsix cap = GuestMsix.find(os, f.phb(), f.node(), f.cfg(), f.hi(), f.lo());
        if (cap != null) {
            cap.enableMasked();
        }
        RtasResult r = os.rtas(0, "ibm,change-msi", new int[] {f.cfg(), f.hi(), f.lo(), 4, f.msix(), 1}, 4);
        if (r.status() != 0) {
            if (cap != null) {
                cap.disable();
            }
            return false;
        }
        String[] vectors = f.net() ? new String[] {"config", "input.0", "output.0"} : new String[] {"config", "req.0"};
        int used = Math.min(r.rets()[0], vectors.length);
        List<IrqDesc> irqs = new ArrayList<>();
        for (int k = 0; k < used; k++) {
            RtasResult q = os.rtas(0, "ibm,query-interrupt-source-number", new int[] {f.cfg(), f.hi(), f.lo(), k}, 3);
            if (q.status() == 0) {
                irqs.add(os.map(q.rets()[0], q.rets()[1] == 0, null));
            }
        }
        if (irqs.isEmpty()) {
            if (cap != null) {
                cap.disable();
            }
            return false;
        }
        if (cap != null) {
            cap.finishEnable();
        }
        for (int k = 0; k < irqs.size(); k++) {
            // irq_startup: the MSI chip's unmask (the table entry, then the parent) comes before
            // the affinity set-up that configures the source (no IRQCHIP_AFFINITY_PRE_STARTUP)
            if (cap != null) {
                cap.unmask(k);
            }
            os.startIrq(irqs.get(k), f.name() + "-" + vectors[k]);
        }
        if (f.net()) {
            // one queue pair: its receive and transmit vectors are hinted at every online CPU
            BitSet all = new BitSet();
            for (int c = 0; c < os.cpuCount(); c++) {
                if (os.machine().cpu(c).running()) {
                    all.set(c);
                }
            }
            for (int k = 1; k < irqs.size(); k++) {
                os.affinityHint(irqs.get(k), all);
            }
        }
        return true;
    }
}
