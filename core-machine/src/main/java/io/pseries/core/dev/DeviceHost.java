package io.pseries.core.dev;

import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.IrqSpace;
import io.pseries.core.irq.LineOwner;
import io.pseries.core.mem.MmioSpace;
import io.pseries.core.rtas.RtasTable;
import io.pseries.core.trace.Trace;

/**
 * What a machine offers its devices: claiming and freeing interrupt numbers (through every
 * interrupt controller), the line of a claimed number, the owner of a line's guest side, the
 * number-space books with the MSI allocator, the MMIO space, the RTAS table and the trace.
 *
 * <p>Devices see this, not the machine, so that the machine can own its devices without the
 * devices depending on it. Threading: the machine's thread only.
 */
public interface DeviceHost {
    /** Claims a device interrupt in every controller; throws with QEMU's wording when it cannot. */
    IrqLine claimIrq(int irq, boolean lsi, String driver);

    /** Releases a claimed number in every controller. */
    void freeIrq(int irq);

    /** The line of a claimed interrupt; a clear error otherwise. */
    IrqLine irq(long n);

    /** Records who handles the guest side of an interrupt. */
    void setLineOwner(int irq, LineOwner owner);

    /** The claimed-number books and the MSI allocator. */
    IrqSpace irqSpace();

    MmioSpace mmio();

    RtasTable rtas();

    /** Guest RAM (its size bounds what DMA windows can map). */
    io.pseries.core.mem.GuestMemory memory();

    Trace trace();

    /** The simulated host the machine runs on (its VMM process, KVM VM and physical host). */
    io.pseries.core.host.Host host();
}
