package io.pseries.core.dev.pci;

import java.util.function.IntPredicate;

import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.IrqSpace;
import io.pseries.core.irq.SpaprIrq;

/**
 * What the PCI model holds at run time, as snapshot state (the {@code pci/...} sections): per
 * host bridge its DMA windows; per function the registers the guest writes (command, interrupt
 * line), its INTx level, the MSIs {@code ibm,change-msi} gave it (kind, first number, count, and
 * each line's level and raise count) and its MSI-X capability (message control, vector table,
 * pending bits). The LSI counts and a pass-through function's armed vectors (eventfds, irqfds,
 * links) are outputs: re-derived, never stored.
 *
 * <pre>
 *  capture      the state now (snapshot)
 *  invalid      why a stream's state cannot be this bridge's or function's (null: it can)
 *  beginPhb     commit, bridge first: every function's MSIs released, pass-through vectors
 *               disarmed (their links break), the DMA windows installed
 *  install      commit, per function: the allocation re-made (numbers reserved, lines claimed
 *               in every controller with their level and count), registers and MSI-X installed
 *  rederive     the LSI counts from the INTx levels
 *  postLoad     after the in-kernel device is connected and fed: pass-through functions arm
 *               their enabled vectors again (irqfd, set_mapped)
 * </pre>
 *
 * <p>Threading: the machine's thread.
 */
public final class PciRuntimeState {
    private PciRuntimeState() {
    }

    /** A host bridge's own state: its two DMA windows. */
    public record Phb(boolean[] dmaEnabled, int[] dmaPageShift, long[] dmaSize) {
    }

    /** One function's state ({@code msiType}: 0 none, 1 MSI, 2 MSI-X). */
    public record Function(int command, int interruptLine, boolean intx, int msiType, int msiFirst, int msiCount,
                           byte[] msiLevels, long[] msiRaises, int msixControl, int[] msixTable, long[] msixPba) {
    }

    public static Phb capture(SpaprPhb phb) {
        PhbDmaWindows w = phb.dma();
        return new Phb(w.enabledState(), w.pageShiftState(), w.sizeState());
    }

    /** A number the guest holds from the MSI range that no function of the bridge holds, nor {@code alsoHeld} (AFU irqs), or -1. */
    public static int unheldMsi(SpaprPhb phb, java.util.BitSet alsoHeld) {
        IrqSpace space = phb.host().irqSpace();
        java.util.BitSet held = (java.util.BitSet) alsoHeld.clone();
        for (PciDevice d : phb.devices()) {
            held.set(d.msiFirst(), d.msiFirst() + d.msiCount());
        }
        for (int irq = SpaprIrq.MSI; irq < SpaprIrq.MSI + space.nrMsis(); irq++) {
            if (space.isMsiAllocated(irq) && !held.get(irq)) {
                return irq;
            }
        }
        return -1;
    }

    public static String invalid(SpaprPhb phb, Phb s) {
        return PhbDmaWindows.invalid(s.dmaEnabled(), s.dmaPageShift(), s.dmaSize());
    }

    /**
     * The bridge's commit (before its functions'): every function's MSIs released and its
     * vectors disarmed, then the windows ({@code s} null: an older stream, the reset windows).
     */
    public static void beginPhb(SpaprPhb phb, Phb s) {
        for (PciDevice d : phb.devices()) {
            d.restoreBegin();
            phb.msi().release(d);
        }
        if (s == null) {
            phb.dma().reset();
        } else {
            phb.dma().restore(s.dmaEnabled(), s.dmaPageShift(), s.dmaSize());
        }
    }

    public static Function capture(PciDevice d) {
        int n = d.msiCount();
        byte[] levels = new byte[n];
        long[] raises = new long[n];
        for (int i = 0; i < n; i++) {
            IrqLine l = d.phb.host().irq(d.msiFirst() + i);
            levels[i] = (byte) (l.level() ? 1 : 0);
            raises[i] = l.raiseCount();
        }
        MsixCapability x = d.msixCapability();
        return new Function(d.command(), d.interruptLine(), d.intxAsserted(), d.msiType, n == 0 ? 0 : d.msiFirst(), n,
            levels, raises, x == null ? 0 : x.control(), x == null ? new int[0] : x.tableWords(),
            x == null ? new long[0] : x.pbaWords());
    }

    /**
     * Why {@code s} cannot be installed in {@code d}, or null. {@code takenElsewhere} says whether
     * a number is claimed by something the restore keeps (a configured device, or another function
     * of the stream).
     */
    public static String invalid(PciDevice d, Function s, IntPredicate takenElsewhere) {
        if (s.command() < 0 || s.command() > 0xffff || s.interruptLine() < 0 || s.interruptLine() > 0xff) {
            return String.format("command 0x%x or interrupt line 0x%x does not fit its register", s.command(),
                s.interruptLine());
        }
        if (s.intx() && d.intxPin() == 0) {
            return "INTx is asserted but the function has no INTx pin";
        }
        String m = invalidMsis(d, s, takenElsewhere);
        if (m != null) {
            return m;
        }
        MsixCapability x = d.msixCapability();
        if (x == null) {
            return s.msixControl() != 0 || s.msixTable().length != 0 || s.msixPba().length != 0
                ? "MSI-X state is recorded but the function presents no MSI-X capability" : null;
        }
        return x.invalid(s.msixControl(), s.msixTable(), s.msixPba());
    }

    private static String invalidMsis(PciDevice d, Function s, IntPredicate takenElsewhere) {
        int n = s.msiCount();
        if (s.msiType() < 0 || s.msiType() > PhbMsi.RTAS_TYPE_MSIX || (s.msiType() == 0) != (n == 0)
            || (n == 0 && s.msiFirst() != 0)) {
            return "MSI kind " + s.msiType() + ", first 0x" + Integer.toHexString(s.msiFirst()) + " and count " + n
                + " do not describe an allocation (kind 0 with none, 1 MSI or 2 MSI-X with some)";
        }
        if (s.msiLevels().length != n || s.msiRaises().length != n) {
            return "the MSI lines' levels and raise counts have " + s.msiLevels().length + " and "
                + s.msiRaises().length + " elements for " + n + " MSIs";
        }
        if (n == 0) {
            return null;
        }
        int max = s.msiType() == PhbMsi.RTAS_TYPE_MSI ? d.msiVectors() : d.msixEntries();
        if (n < 0 || n > max || (s.msiType() == PhbMsi.RTAS_TYPE_MSI && Integer.bitCount(n) != 1)) {
            return String.format("%d %s vectors were allocated; the function has %d%s", n,
                s.msiType() == PhbMsi.RTAS_TYPE_MSI ? "MSI" : "MSI-X", max,
                s.msiType() == PhbMsi.RTAS_TYPE_MSI ? " (MSI counts are powers of two)" : "");
        }
        int nrMsis = d.phb.host().irqSpace().nrMsis();
        if (s.msiFirst() < SpaprIrq.MSI || (long) s.msiFirst() + n > SpaprIrq.MSI + nrMsis) {
            return String.format("MSIs 0x%x..0x%x lie outside the MSI range 0x%x..0x%x", s.msiFirst(),
                s.msiFirst() + n - 1, SpaprIrq.MSI, SpaprIrq.MSI + nrMsis - 1);
        }
        for (int i = 0; i < n; i++) {
            if (takenElsewhere.test(s.msiFirst() + i)) {
                return String.format("MSI 0x%x is claimed by another device or function", s.msiFirst() + i);
            }
            if ((s.msiLevels()[i] & 0xfe) != 0 || s.msiRaises()[i] < 0) {
                return String.format("MSI 0x%x: level %d or raise count %d is not valid", s.msiFirst() + i,
                    s.msiLevels()[i], s.msiRaises()[i]);
            }
        }
        return null;
    }

    /**
     * A function's commit, after its bridge's: the allocation re-made and the state installed
     * ({@code s} null: an older stream, the function as after reset).
     */
    public static void install(PciDevice d, Function s) {
        SpaprPhb phb = d.phb;
        d.restoreBegin();
        phb.msi().release(d);
        if (s == null) {
            d.reset();
            return;
        }
        if (s.msiCount() > 0) {
            phb.host().irqSpace().reserveMsi(s.msiFirst(), s.msiCount());
            for (int i = 0; i < s.msiCount(); i++) {
                phb.msi().claim(d, s.msiType(), s.msiFirst(), i).restore(s.msiLevels()[i] != 0, s.msiRaises()[i]);
            }
        }
        d.setMsis(s.msiFirst(), s.msiCount());
        d.msiType = s.msiType();
        d.restoreRegisters(s.command(), s.interruptLine(), s.intx());
        if (d.msixCapability() != null) {
            d.msixCapability().restore(s.msixControl(), s.msixTable(), s.msixPba());
        }
    }

    public static void rederive(SpaprPhb phb) {
        phb.recountIntx();
    }

    public static void postLoad(SpaprPhb phb) {
        for (PciDevice d : phb.devices()) {
            d.postLoad();
        }
    }
}
