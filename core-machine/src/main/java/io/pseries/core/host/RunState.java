package io.pseries.core.host;

import io.pseries.core.intc.ControllerSet;
import io.pseries.core.intc.InterruptController;

/**
 * Whether the VM runs, as the VMM keeps it (QEMU's run state): a VM is stopped while a
 * snapshot is taken or restored, and after it migrated away. Stopping takes the vCPUs out of
 * the guest, then runs the stop handler of every controller the kernel serves
 * (passthrough-facts section 5.1); resuming runs their run handlers, then lets the vCPUs in.
 * While stopped, what needs a running VM (virtual time, guest accesses, hcalls) is refused with
 * the reason the stop was given.
 *
 * <p>Threading: the machine's thread only.
 */
public final class RunState {
    private final ControllerSet controllers;
    private boolean running = true;
    private String stopReason;

    public RunState(ControllerSet controllers) {
        this.controllers = controllers;
    }

    /** Whether the vCPUs run; false between {@link #stop} and {@link #cont}. */
    public boolean running() {
        return running;
    }

    /** Stops the VM (QEMU's vm_stop); {@code why} is what refused calls say. A stopped VM stays as it is. */
    public void stop(String why) {
        if (!running) {
            return;
        }
        running = false;
        stopReason = why;
        for (InterruptController c : controllers.all()) {
            if (c.inKernel()) {
                c.kernelVmStopped();
            }
        }
    }

    /** Resumes the VM (QEMU's vm_start): the controllers' run handlers, then the vCPUs re-enter. */
    public void cont() {
        if (running) {
            return;
        }
        for (InterruptController c : controllers.all()) {
            if (c.inKernel()) {
                c.kernelVmRunning();
            }
        }
        running = true;
        stopReason = null;
    }

    /** Why the VM is stopped, or null while it runs. */
    public String stopReason() {
        return running ? null : stopReason;
    }

    /**
     * Keeps a stopped VM stopped for {@code why}: a checkpoint of a stopped machine (one
     * pseries.migrate moved away) leaves its replacement stopped for the same reason, so its
     * refused calls say the same. Throws if the VM runs.
     */
    public void stayStopped(String why) {
        if (running) {
            throw new IllegalStateException("stayStopped: the machine runs");
        }
        stopReason = why;
    }

    /** Refuses {@code what} while the VM is stopped. */
    public void require(String what) {
        if (!running) {
            throw new IllegalStateException(what + ": the machine is stopped (" + stopReason + ")");
        }
    }
}
