package io.pseries.core.isa;

import io.pseries.core.mem.GuestMemory;

/**
 * What one {@link Cpu} needs from the machine it runs in: guest RAM, the physical address space
 * beyond RAM (the interrupt controllers' MMIO pages), the hypercall table, virtual time and its
 * OS external-interrupt input.
 *
 * <p>Addresses are real (guest physical) addresses; values are big-endian interpretations of
 * the bytes, as the machine's raw ABI uses them. The CPU applies its own byte order (MSR[LE])
 * and the byte-reversed forms on top. One bus serves one CPU.
 *
 * <p>Threading: called only from the thread that runs the machine.
 */
public interface CpuBus {

    /** Guest RAM, for instruction fetch and the RAM fast path of loads and stores. */
    GuestMemory memory();

    /** A load of 1, 2, 4 or 8 bytes outside RAM (MMIO), zero-extended. */
    long loadIo(long addr, int size);

    /** A store of 1, 2, 4 or 8 bytes outside RAM (MMIO). */
    void storeIo(long addr, int size, long value);

    /**
     * A hypercall ({@code sc 1}) with R3 = {@code opcode}; {@code regs} holds R4..R12 in and out.
     * Returns the value for R3.
     */
    long hcall(long opcode, long[] regs);

    /** The level of the OS external-interrupt input (POWER9_INPUT_INT). */
    boolean externalInterrupt();

    /** Virtual time in ns when the CPU's current slice began. */
    long nowNs();
}
