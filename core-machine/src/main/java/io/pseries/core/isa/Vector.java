package io.pseries.core.isa;

/**
 * The interrupt vectors a real-mode supervisor sees (POWER ISA 3.0 Book III, 6.5) with LPCR[AIL]
 * = 0: the offsets are real addresses. With a PAPR hypervisor below, the hypervisor interrupts
 * never reach the guest, so only these are delivered.
 */
public enum Vector {
    SYSTEM_RESET(0x100, "system reset"),
    MACHINE_CHECK(0x200, "machine check"),
    DATA_STORAGE(0x300, "data storage"),
    INSTRUCTION_STORAGE(0x400, "instruction storage"),
    EXTERNAL(0x500, "external"),
    ALIGNMENT(0x600, "alignment"),
    PROGRAM(0x700, "program"),
    FP_UNAVAILABLE(0x800, "floating-point unavailable"),
    DECREMENTER(0x900, "decrementer"),
    SYSTEM_CALL(0xC00, "system call"),
    TRACE(0xD00, "trace");

    /** Real address of the vector. */
    public final int offset;
    /** Human name, as in the ISA. */
    public final String label;

    Vector(int offset, String label) {
        this.offset = offset;
        this.label = label;
    }

    /** SRR1 bit (ISA 44): the program interrupt was caused by an illegal instruction. */
    public static final long SRR1_PROGRAM_ILLEGAL = 0x0008_0000L;
    /** SRR1 bit (ISA 45): a privileged instruction in problem state. */
    public static final long SRR1_PROGRAM_PRIVILEGED = 0x0004_0000L;
    /** SRR1 bit (ISA 46): a trap instruction whose condition held. */
    public static final long SRR1_PROGRAM_TRAP = 0x0002_0000L;
}
