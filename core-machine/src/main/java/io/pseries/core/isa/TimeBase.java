package io.pseries.core.isa;

/**
 * The timebase and decrementer of one {@link Cpu} on the machine's virtual time.
 *
 * <p>The timebase counts at 512 MHz (QEMU's pseries frequency, the device tree's
 * {@code timebase-frequency}) from virtual time 0: inside a slice the CPU's time is the slice's
 * start plus the instructions retired since, at a fixed virtual cost each, so a guest reading it
 * twice sees time pass by the work it did. The decrementer is the 32-bit DEC (no large
 * decrementer): it counts down at the timebase rate and signals an interrupt while its value is
 * negative (POWER9's level behaviour); writing a non-negative value clears the condition.
 *
 * <p>Threading: the CPU's thread.
 */
final class TimeBase {
    /** Timebase ticks per ns is 512 / 1000 = 64 / 125. */
    static final long TB_NUM = 64;
    static final long TB_DEN = 125;
    /** DEC at reset: the largest positive value, so no interrupt is pending until the guest sets it. */
    static final long DEC_RESET = 0x7FFF_FFFFL;

    private final Cpu cpu;
    private final long nsPerInstruction;
    private long sliceNs;
    private long sliceRetired;
    private long decWritten = DEC_RESET;
    private long tbAtDecWrite;

    TimeBase(Cpu cpu, long nsPerInstruction) {
        if (nsPerInstruction <= 0) {
            throw new IllegalArgumentException("the virtual cost of an instruction must be > 0 ns, got " + nsPerInstruction);
        }
        this.cpu = cpu;
        this.nsPerInstruction = nsPerInstruction;
    }

    long decWritten() {
        return decWritten;
    }

    long tbAtDecWrite() {
        return tbAtDecWrite;
    }

    long sliceNs() {
        return sliceNs;
    }

    long sliceRetired() {
        return sliceRetired;
    }

    /** A snapshot's values back (DEC as written and the timebase then, the slice's start). */
    void restore(long decWritten, long tbAtDecWrite, long sliceNs, long sliceRetired) {
        this.decWritten = decWritten;
        this.tbAtDecWrite = tbAtDecWrite;
        this.sliceNs = sliceNs;
        this.sliceRetired = sliceRetired;
    }

    long nsPerInstruction() {
        return nsPerInstruction;
    }

    void sliceStart(long nowNs, long retired) {
        sliceNs = nowNs;
        sliceRetired = retired;
    }

    /** The CPU's own virtual time: the slice start plus the cost of what it retired since. */
    long nowNs() {
        return sliceNs + (cpu.retired - sliceRetired) * nsPerInstruction;
    }

    long timebase() {
        long ns = nowNs();
        return ns / TB_DEN * TB_NUM + ns % TB_DEN * TB_NUM / TB_DEN;
    }

    /** DEC as mfspr reads it: 32 bits, sign-extended. */
    long decrementer() {
        return (int) (decWritten - (timebase() - tbAtDecWrite));
    }

    void setDecrementer(long v) {
        decWritten = (int) v;
        tbAtDecWrite = timebase();
        cpu.attention = true;
        cpu.chunkEnd = cpu.retired;
    }

    boolean decrementerPending() {
        return decrementer() < 0;
    }

    /** Instructions until DEC becomes negative (Long.MAX_VALUE if it already is). */
    long instructionsUntilDecrementer() {
        long dec = decrementer();
        if (dec < 0) {
            return Long.MAX_VALUE;
        }
        // the first ns at which the timebase has moved dec + 1 ticks on from now
        long tbTarget = timebase() + dec + 1;
        long exact = (tbTarget / TB_NUM) * TB_DEN + Math.ceilDiv((tbTarget % TB_NUM) * TB_DEN, TB_NUM);
        long remaining = exact - nowNs();
        return Math.max(1, Math.ceilDiv(remaining, nsPerInstruction));
    }
}
