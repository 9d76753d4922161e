package io.pseries.core.dev;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.LineOwner;

/**
 * The machine's devices in creation order: the RTAS event sources and the default PCI host
 * bridge, which every pseries machine has, then the configured ones ({@link Devices}). The VTY
 * console is the one the guest's H_PUT_TERM_CHAR and display-character reach; it looks among
 * these for a VIO vty. Devices are realized once, reset with the machine.
 *
 * <p>Threading: the machine's thread only.
 */
public final class PlatformDevices {
    private final List<Device> devices = new ArrayList<>();
    private final List<Device> view = Collections.unmodifiableList(devices);
    private final EventSources eventSources = new EventSources();
    private final SpaprPhb phb = new SpaprPhb(0);
    private final VtyConsole vty = new VtyConsole(view);

    /** Every device, as a read-only view (filled by {@link #create}). */
    public List<Device> all() {
        return view;
    }

    public EventSources eventSources() {
        return eventSources;
    }

    /** The PCI host bridge (QEMU's default PHB, always present). */
    public SpaprPhb phb() {
        return phb;
    }

    /** The console device (output listener, input for H_GET_TERM_CHAR). */
    public VtyConsole vty() {
        return vty;
    }

    /** Creates the devices (the platform's, then the configured ones) and realizes each on {@code host}. */
    public void create(List<MachineConfig.DeviceConfig> configs, DeviceHost host) {
        devices.add(eventSources);
        devices.add(phb);
        devices.addAll(Devices.create(configs, phb, host.host().physical()));
        for (Device d : devices) {
            d.realize(host);
        }
    }

    public void reset() {
        for (Device d : devices) {
            d.reset();
        }
    }

    /** The device whose lines include interrupt {@code irq}, or null. */
    public LineOwner ownerOf(int irq) {
        for (Device dev : devices) {
            for (IrqLine l : dev.lines()) {
                if (l.irq() == irq) {
                    return dev;
                }
            }
        }
        return null;
    }

    /** Each device's description as plain data, in creation order. */
    public List<Object> info() {
        List<Object> devs = new ArrayList<>();
        for (Device d : devices) {
            devs.add(d.info());
        }
        return devs;
    }
}
