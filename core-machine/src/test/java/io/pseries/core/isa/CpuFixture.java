package io.pseries.core.isa;

/** A CPU on a {@link TestBus} with a program at 0x1000 and a nop "handler" at every vector. */
final class CpuFixture {
    static final long CODE = 0x1000;
    final TestBus bus = new TestBus();
    final Cpu cpu = new Cpu(bus, 1);

    /** 64-bit big-endian supervisor mode unless changed. */
    CpuFixture() {
        this(Msr.SF);
    }

    CpuFixture(long msr) {
        cpu.putMsr(msr);
        for (Vector v : Vector.values()) {
            bus.ram.write32(v.offset, Asm.NOP);
        }
    }

    /** Writes the words at 0x1000 in the CPU's byte order and runs them once. */
    CpuFixture run(int... words) {
        load(CODE, words);
        cpu.setPc(CODE);
        cpu.run(words.length);
        return this;
    }

    void load(long addr, int... words) {
        boolean le = (cpu.msr() & Msr.LE) != 0;
        for (int i = 0; i < words.length; i++) {
            bus.ram.write32(addr + 4L * i, le ? Integer.reverseBytes(words[i]) : words[i]);
        }
    }

    long r(int n) {
        return cpu.gpr(n);
    }

    CpuFixture set(int n, long v) {
        cpu.setGpr(n, v);
        return this;
    }

    /** CR field n as 4 bits (LT GT EQ SO). */
    int crField(int n) {
        return (cpu.cr() >>> (28 - 4 * n)) & 0xF;
    }
}
