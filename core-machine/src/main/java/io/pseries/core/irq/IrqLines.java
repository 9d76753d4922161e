package io.pseries.core.irq;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.intc.ControllerSet;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The machine's device interrupt lines: claiming and freeing a number (in the {@link IrqSpace}
 * books and in every backend of the {@link ControllerSet}), the line of each claimed number,
 * and the owner that handles each line's guest side.
 *
 * <pre>
 *  claim(irq, lsi, driver) ──► IrqSpace check ──► every backend claims ──► new IrqLine
 *  IrqLine level change ──► intc trace ──► active backend's setIrq
 * </pre>
 *
 * <p>A claim outside [0x1000, nrIrqs) or of a taken number throws with QEMU's wording and
 * changes nothing. Threading: confined to the machine's thread.
 */
public final class IrqLines {
    private final IrqSpace space;
    private final ControllerSet controllers;
    private final Trace trace;
    private final Map<Integer, IrqLine> lines = new TreeMap<>();
    private final Map<Integer, LineOwner> owners = new TreeMap<>();

    public IrqLines(IrqSpace space, ControllerSet controllers, Trace trace) {
        this.space = space;
        this.controllers = controllers;
        this.trace = trace;
    }

    /** The number-space books (claims, the MSI allocator). */
    public IrqSpace space() {
        return space;
    }

    /** Claims a device interrupt number in every controller and returns its line. */
    public IrqLine claim(int irq, boolean lsi, String driver) {
        space.checkClaimable(irq);
        controllers.claim(irq, lsi);
        space.markClaimed(irq, lsi);
        IrqLine line = new IrqLine(irq, lsi, driver, this::lineChanged);
        lines.put(irq, line);
        return line;
    }

    /** Releases a claimed number in every controller; its line and owner are forgotten. */
    public void free(int irq) {
        if (!space.isClaimed(irq)) {
            throw new IllegalStateException(String.format("IRQ 0x%x is not claimed", irq));
        }
        controllers.free(irq);
        space.markFree(irq);
        lines.remove(irq);
        owners.remove(irq);
    }

    /** Records who handles the guest side of an interrupt (for deassert on handling). */
    public void setOwner(int irq, LineOwner owner) {
        owners.put(irq, owner);
    }

    /** The owner recorded for a line, or null. */
    public LineOwner owner(int irq) {
        return owners.get(irq);
    }

    private void lineChanged(int irq, boolean level) {
        if (trace.on(TraceCategory.INTC)) {
            trace.emit(TraceCategory.INTC, -1, "line", "irq", irq, "level", level);
        }
        controllers.setIrq(irq, level);
    }

    /** The line of a claimed interrupt; a clear error otherwise. */
    public IrqLine line(long n) {
        IrqLine l = lines.get((int) n);
        if (l == null || n != (int) n) {
            String claimed = lines.keySet().stream().map(i -> String.format("0x%x", i)).reduce((a, b) -> a + ", " + b).orElse("none");
            throw new IllegalArgumentException(String.format("IRQ %d (0x%x) is not a claimed device interrupt; claimed: %s",
                n, n, claimed));
        }
        return l;
    }

    /** Every claimed line, by number. */
    public Map<Integer, IrqLine> all() {
        return Collections.unmodifiableMap(lines);
    }

    /** The numbers whose line is up, ascending. */
    public int[] raised() {
        return lines.values().stream().filter(IrqLine::level).mapToInt(IrqLine::irq).toArray();
    }
}
