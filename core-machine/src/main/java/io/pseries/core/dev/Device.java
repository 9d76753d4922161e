package io.pseries.core.dev;

import java.util.List;
import java.util.Map;

import io.pseries.core.dt.DtNode;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.LineOwner;

/**
 * A device of the machine: something that owns interrupt lines (and, for some, a place in
 * the device tree). Devices are realized once, in configuration order, after the interrupt
 * controllers and CPUs exist; that is where they claim their interrupt numbers, through the
 * narrow {@link DeviceHost} the machine hands them. A device is the {@link LineOwner} of its lines.
 *
 * <p>Threading: the machine's thread only.
 */
public abstract class Device implements LineOwner {
    private final String type;

    protected Device(String type) {
        this.type = type;
    }

    /** The device type, e.g. {@code "spapr-vty"}. */
    public final String type() {
        return type;
    }

    /** A short name for messages and the line's driver field, e.g. {@code "vty@71000000"}. */
    public abstract String name();

    /** Claims interrupts and wires lines. */
    public abstract void realize(DeviceHost host);

    /** The device's interrupt lines, in the order the device numbers them. */
    public abstract List<IrqLine> lines();

    /** Adds the device's node(s) to the tree. */
    public void writeDeviceTree(DtNode root) {
    }

    /** Machine reset. */
    public void reset() {
        for (IrqLine l : lines()) {
            l.resetLevel();
        }
    }

    /**
     * The guest's handler for one of this device's interrupts ran. Level-triggered devices
     * deassert here, as a driver reading the device's status register would make them do.
     */
    @Override
    public void guestHandled(int irq) {
    }

    /** Plain-data description (type, name, interrupts) for scripts. */
    public abstract Map<String, Object> info();
}
