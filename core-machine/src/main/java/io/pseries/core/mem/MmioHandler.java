package io.pseries.core.mem;

import io.pseries.core.cpu.VCpu;

/**
 * A device's MMIO behaviour. Offsets are relative to the region base; values are the
 * architected big-endian register values (a 2-byte load returns the two bytes as a 16-bit
 * number). {@code cpu} is the vCPU performing the access (the TIMA is per thread).
 *
 * <p>Handlers never throw for guest mistakes: they return all-ones on a bad load, ignore a bad
 * store and report a guest error.
 */
public interface MmioHandler {
    long read(VCpu cpu, long offset, int size);

    void write(VCpu cpu, long offset, int size, long value);
}
