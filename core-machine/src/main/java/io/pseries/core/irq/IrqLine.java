package io.pseries.core.irq;

/**
 * A device interrupt line: the wire from a device to the interrupt controller for one
 * claimed interrupt number.
 *
 * <p>A line keeps its level and ignores a repeated level (raising a raised line does nothing),
 * records which device drives it, and forwards level changes to the machine, which hands them
 * to the active controller. When the active controller changes (CAS), the machine replays
 * every raised line into the new one, as a physical wire would keep its level.
 *
 * <p>For an MSI the interesting event is the rising edge: {@link #pulse()} raises and lowers.
 */
public final class IrqLine {

    /** Where level changes go (the machine). */
    @FunctionalInterface
    public interface Sink {
        void levelChanged(int irq, boolean level);
    }

    private final int irq;
    private final boolean lsi;
    private final String driver;
    private final Sink sink;
    private boolean level;
    private long raises;

    public IrqLine(int irq, boolean lsi, String driver, Sink sink) {
        this.irq = irq;
        this.lsi = lsi;
        this.driver = driver;
        this.sink = sink;
    }

    public int irq() {
        return irq;
    }

    public boolean lsi() {
        return lsi;
    }

    /** The device that drives this line (e.g. {@code "spapr-vty vty@71000000"}). */
    public String driver() {
        return driver;
    }

    public boolean level() {
        return level;
    }

    /** How many rising edges the line has seen. */
    public long raiseCount() {
        return raises;
    }

    public void set(boolean newLevel) {
        if (newLevel == level) {
            return;
        }
        level = newLevel;
        if (newLevel) {
            raises++;
        }
        sink.levelChanged(irq, newLevel);
    }

    public void raise() {
        set(true);
    }

    public void lower() {
        set(false);
    }

    /** A rising then a falling edge: one MSI, or a brief level pulse. */
    public void pulse() {
        set(true);
        set(false);
    }

    /**
     * Restores a snapshot's level and raise count without telling the controller: the
     * controllers' restored source state already reflects the level.
     */
    public void restore(boolean lvl, long raiseCount) {
        level = lvl;
        raises = raiseCount;
    }

    /** Drops the level without telling the controller (machine reset: controllers reset too). */
    public void resetLevel() {
        level = false;
    }
}
