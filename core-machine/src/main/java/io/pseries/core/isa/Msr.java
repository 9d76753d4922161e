package io.pseries.core.isa;

/**
 * Machine State Register bits (POWER ISA 3.0 Book III, 4.2.1) as masks: the ISA numbers bits
 * from the most significant (bit 0 = SF), so ISA bit {@code n} is {@code 1L << (63 - n)}.
 */
public final class Msr {
    /** 64-bit mode. */
    public static final long SF = 1L << 63;
    /** Hypervisor state. */
    public static final long HV = 1L << 60;
    /** External interrupts enabled (also gates the decrementer). */
    public static final long EE = 1L << 15;
    /** Problem (user) state. */
    public static final long PR = 1L << 14;
    /** Floating point available. */
    public static final long FP = 1L << 13;
    /** Machine check enabled. */
    public static final long ME = 1L << 12;
    /** Instruction relocation. */
    public static final long IR = 1L << 5;
    /** Data relocation. */
    public static final long DR = 1L << 4;
    /** Recoverable interrupt. */
    public static final long RI = 1L << 1;
    /** Little-endian mode. */
    public static final long LE = 1L;

    /**
     * The bits an interrupt does not copy from the MSR into SRR1: ISA bits 33:36 and 42:47,
     * where the interrupt puts its own cause bits.
     */
    public static final long SRR1_CAUSE_BITS = 0x783F_0000L;

    private Msr() {
    }
}
