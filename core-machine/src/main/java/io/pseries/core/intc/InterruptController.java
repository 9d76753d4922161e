package io.pseries.core.intc;

import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.host.Host;

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
 * <p><b>In-kernel device.</b> A controller may also be served by a KVM device of the simulated
 * host ({@code kernelIrqchip}): {@link #connectKernel} and {@link #disconnectKernel} are QEMU's
 * connect and disconnect (the machine calls them around {@link #activate}/{@link #deactivate});
 * while {@link #inKernel}, guest accesses the kernel serves are classified with
 * {@link #kernelServesHcall} and {@link #kernelServesRtas}. Guest-visible results must not change.
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

    /**
     * Connects this controller to its in-kernel KVM device on {@code host} (QEMU's
     * kvmppc_xive_connect / xics_kvm_connect): create the device, size it, map it, connect the
     * vCPUs and push the emulated state in. Returns {@code null} on success, else the error as
     * QEMU words it (after undoing what was done); already connected is success.
     */
    default String connectKernel(Host host) {
        return "the " + name() + " interrupt controller has no in-kernel device";
    }

    /** Disconnects from the in-kernel device (unmap, close); nothing when not connected. */
    default void disconnectKernel() {
    }

    /** Whether the in-kernel device serves this controller now. */
    default boolean inKernel() {
        return false;
    }

    /** While {@link #inKernel}: whether KVM serves this hcall itself (no exit to the VMM). */
    default boolean kernelServesHcall(long opcode) {
        return false;
    }

    /** While {@link #inKernel}: whether this RTAS call is a kernel-handled token. */
    default boolean kernelServesRtas(String name) {
        return false;
    }

    // ------------------------------------------------------------------ migration with the in-kernel device

    /**
     * While {@link #inKernel}: the VM has stopped (its vCPUs are out of the guest). QEMU's
     * run-state handler freezes the device's sources here (passthrough-facts section 5.1).
     */
    default void kernelVmStopped() {
    }

    /** While {@link #inKernel}: the VM runs again; what was frozen at the stop is given back. */
    default void kernelVmRunning() {
    }

    /**
     * While {@link #inKernel}, after a snapshot of a stopped VM was loaded ({@link #kernelPostLoad})
     * into a machine that stays stopped (a checkpoint of a VM pseries.migrate moved away): the
     * device is left as {@link #kernelVmStopped} leaves a stopped VM's, what was saved at the
     * stop kept as it is.
     */
    default void kernelStayStopped() {
    }

    /**
     * While {@link #inKernel} and stopped, before a snapshot's sections are written: the state
     * only the device holds is copied into this controller's own (QEMU's pre_save).
     */
    default void kernelPreSave() {
    }

    /**
     * While {@link #inKernel} and stopped, after a snapshot was loaded into this controller and
     * the device connected: the state pushed into the device in the kernel's order (QEMU's
     * post_load). Returns {@code null}, or what the device refused.
     */
    default String kernelPostLoad() {
        return null;
    }
}
