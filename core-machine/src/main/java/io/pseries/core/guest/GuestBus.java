package io.pseries.core.guest;

import io.pseries.core.cpu.VCpu;

/**
 * The path a vCPU's loads and stores take to RAM and MMIO, and the exit each one cost. The
 * machine is every vCPU's bus in the deterministic mode; in a parallel IPI run each schedule
 * domain is the bus of its own vCPUs ({@code io.pseries.core.parallel.DomainBus}), so that no
 * decode cache or exit counter is shared between host threads.
 *
 * <p>Threading: the thread that runs the vCPU.
 */
public interface GuestBus {
    /** A load of 1, 2, 4 or 8 bytes (size already checked). */
    long load(VCpu cpu, long addr, int size);

    /** A store of 1, 2, 4 or 8 bytes (size already checked). */
    void store(VCpu cpu, long addr, int size, long value);

    /**
     * The virtual-time cost in ns of the exit the last hcall, RTAS call, load or store took (a
     * VMM exit, an in-kernel round trip, a host page fault; 0 when none): the guest model adds it
     * to the vCPU's busy time, so emulated and in-kernel controllers show their latency.
     */
    default long lastExitNs() {
        return 0;
    }
}
