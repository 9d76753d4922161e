package io.pseries.core.dev.pci;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

import io.pseries.core.host.pt.OcxlAfu;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.IrqSpace;
import io.pseries.core.irq.SpaprIrq;

/**
 * The run-time state the OpenCAPI RFC hcalls leave behind for one passed-through function with
 * an AFU ({@link OcapiAfuIrqs}), as a snapshot section holds it (core.snapshot's
 * {@code ocapi/ID}), and its restore.
 *
 * <pre>
 *  state      context: the VMM's context on the AFU is open; per AFU irq in allocation order:
 *             offset (its place in the context), hwIrq (the host IPI: its trigger page is what
 *             the AFU was given), lisn (the guest number ALLOC_IRQ gave), the guest line's level
 *             and raise count
 *  derived    the link (set_mapped, in-kernel) or the VMM relay, the eventfd, the AFU's credit,
 *             the host IPI's routing (set_mapped or the host handler) and PQ (with the link, the
 *             guest source's, which the controller's section holds)
 *  validate   (nothing changed) offsets of distinct ids, distinct host IPI numbers, guest numbers
 *             in the MSI range and claimed by nothing else the restore keeps, credits on the AFU
 *  begin      (machine's beginRestore) every AFU irq freed, quietly
 *  commit     the context opened/closed, each irq re-made on its host IPI (another free one when
 *             that is taken: a migration to another host or from kernelIrqchip 'off' to 'on', where
 *             the kernel's own IPIs came first; the AFU is given the new trigger page, the guest
 *             sees only its number), its number reserved and claimed (before the controllers'
 *             commits install the source's state)
 *  link       when the in-kernel device is connected afresh (the irqchip listener)
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class OcapiState {
    private OcapiState() {
    }

    /** One function's state (every array one entry per AFU irq). */
    public record Function(boolean context, long[] offsets, int[] hwIrqs, int[] lisns, byte[] levels, long[] raises) {
    }

    /** The functions of {@code o}'s bridge with an OpenCAPI AFU, in plug order (each has a section). */
    public static List<VfioPciDevice> functions(OcapiRfcHcalls o) {
        List<VfioPciDevice> l = new ArrayList<>();
        for (PciDevice d : o.phb().devices()) {
            if (d instanceof VfioPciDevice v && v.hostFunction().afu() != null) {
                l.add(v);
            }
        }
        return l;
    }

    /** The guest numbers the AFU irqs of every function hold (from the MSI range). */
    public static BitSet heldMsis(OcapiRfcHcalls o) {
        BitSet b = new BitSet();
        if (o != null) {
            for (VfioPciDevice d : functions(o)) {
                for (int lisn : o.of(d).lisns()) {
                    b.set(lisn);
                }
            }
        }
        return b;
    }

    public static Function capture(OcapiRfcHcalls o, VfioPciDevice d) {
        OcapiAfuIrqs f = o.of(d);
        int[] hw = f.hwIrqs();
        int[] lisns = f.lisns();
        int n = hw.length;
        byte[] levels = new byte[n];
        long[] raises = new long[n];
        for (int i = 0; i < n; i++) {
            IrqLine l = o.machine().irq(lisns[i]);
            levels[i] = (byte) (l.level() ? 1 : 0);
            raises[i] = l.raiseCount();
        }
        return new Function(f.hasContext(), f.offsets(), hw, lisns, levels, raises);
    }

    /**
     * Why {@code s} cannot be installed for {@code d}, or null. {@code takenElsewhere} says whether
     * a guest number is claimed by something the restore keeps (a configured device, a PCI
     * function or another AFU function of the stream).
     */
    public static String invalid(OcapiRfcHcalls o, VfioPciDevice d, Function s, IntPredicate takenElsewhere) {
        int n = s.offsets().length;
        if (s.hwIrqs().length != n || s.lisns().length != n || s.levels().length != n || s.raises().length != n) {
            return "the AFU irqs' offsets, host interrupts, guest numbers, levels and raise counts have " + n + ", "
                + s.hwIrqs().length + ", " + s.lisns().length + ", " + s.levels().length + " and " + s.raises().length
                + " elements: one each per AFU irq";
        }
        if (!s.context() && n > 0) {
            return n + " AFU irqs are recorded but no context on the AFU";
        }
        OcapiAfuIrqs mine = o.of(d);
        OcxlAfu afu = d.hostFunction().afu();
        int credit = afu.available() + mine.lisns().length;
        if (n > credit) {
            return "the AFU of " + d.hostFunction().addr() + " has " + credit + " interrupt credits for this VM, the"
                + " stream holds " + n + " AFU irqs";
        }
        long pageSize = 1L << o.machine().host().config().pageShift();
        Set<Integer> ids = new HashSet<>();
        Set<Integer> hws = new HashSet<>();
        Set<Integer> lisns = new HashSet<>();
        IrqSpace space = o.machine().irqSpace();
        for (int i = 0; i < n; i++) {
            int id = OcxlAfu.irqIdAt(pageSize, s.offsets()[i]);
            if (id < 0 || !ids.add(id)) {
                return String.format("AFU irq %d: offset 0x%x is %s", i, s.offsets()[i],
                    id < 0 ? "no AFU irq's place in a context (page size 0x" + Long.toHexString(pageSize) + ")"
                        : "that of another AFU irq");
            }
            int hw = s.hwIrqs()[i];
            if (hw <= 0 || !hws.add(hw)) {
                return String.format("AFU irq %d: host interrupt 0x%x is %s", i, hw, hw <= 0
                    ? "no interrupt number" : "that of another AFU irq");
            }
            int lisn = s.lisns()[i];
            if (lisn < SpaprIrq.MSI || lisn >= SpaprIrq.MSI + space.nrMsis()) {
                return String.format("AFU irq %d: guest interrupt 0x%x lies outside the MSI range 0x%x..0x%x", i, lisn,
                    SpaprIrq.MSI, SpaprIrq.MSI + space.nrMsis() - 1);
            }
            if (!lisns.add(lisn) || takenElsewhere.test(lisn)) {
                return String.format("AFU irq %d: guest interrupt 0x%x is claimed by another device or AFU irq", i, lisn);
            }
            if ((s.levels()[i] & 0xfe) != 0 || s.raises()[i] < 0) {
                return String.format("AFU irq %d: level %d or raise count %d is not valid", i, s.levels()[i], s.raises()[i]);
            }
        }
        return null;
    }

    /** The machine's beginRestore: every AFU irq of every function freed. */
    public static void restoreBegin(OcapiRfcHcalls o) {
        for (VfioPciDevice d : functions(o)) {
            o.of(d).restoreBegin();
        }
    }

    /** The commit of a validated {@code s} ({@code null}: a stream from before the section, no context). */
    public static void install(OcapiRfcHcalls o, VfioPciDevice d, Function s) {
        OcapiAfuIrqs f = o.of(d);
        if (s == null) {
            f.install(false, new long[0], new int[0], new int[0]);
            return;
        }
        f.install(s.context(), s.offsets(), s.hwIrqs(), s.lisns());
        for (int i = 0; i < s.lisns().length; i++) {
            o.machine().irq(s.lisns()[i]).restore(s.levels()[i] != 0, s.raises()[i]);
        }
    }
}
