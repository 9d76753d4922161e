package io.pseries.core.intc;

import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;

/**
 * One interrupt-controller backend of a machine (QEMU's SpaprInterruptController).
 *
 * <p>The operations fall in two groups. <b>All backends</b> see {@link #cpuCreated},
 * {@link #claim}, {@link #free} and {@link #reset}: in dual mode both controllers exist from
 * machine creation and both know every claimed interrupt. <b>Only the active backend</b> sees
 * {@link #setIrq}, {@link #writeDeviceTree} and {@link #pic}, and serves its hcalls, RTAS calls
 * and MMIO; {@link #activate}/{@link #deactivate} move that role (CAS does, in place, without a
 * machine reset). Hcalls of an inactive backend answer as QEMU's do when their mode was not
 * negotiated; its MMIO regions are disabled.
 *
 * <p>Threading: called on the machine's thread only.
 */
public interface InterruptController {
    String name();

    CasRole casRole();

    /** A vCPU was created: allocate its presenter state (thread context / ICP). */
    void cpuCreated(VCpu cpu);

    /** Claims a device interrupt number in [0x1000, nrIrqs); the machine checked it is free. */
    void claim(int irq, boolean lsi);

    /** Releases a claimed number. */
    void free(int irq);

    /** Machine reset: back to the power-on state, claims kept. */
    void reset();

    /** Becomes the active controller (MMIO enabled, lines connected). */
    void activate();

    /** Stops being the active controller. */
    void deactivate();

    /** A device line changed level (only the active controller is told). */
    void setIrq(int irq, boolean level);

    /** Adds this controller's node (and root properties) to the tree; {@code phandle} is PHANDLE_INTC. */
    void writeDeviceTree(DtNode root, int nrServers, int phandle);

    /**
     * The controller state as plain data (maps, lists, numbers, strings, booleans), the
     * structured twin of QEMU's {@code info pic}. Only claimed sources are listed.
     */
    Map<String, Object> pic();

    /** A human-readable dump in the spirit of QEMU's {@code info pic}. */
    String picText();
}
