package io.pseries.core.isa;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.mem.GuestMemory;

/** A bus for instruction tests: 1 MiB of RAM, a recorded MMIO window above it, scripted hcalls. */
final class TestBus implements CpuBus {
    final GuestMemory ram = new GuestMemory(1 << 20);
    final List<String> io = new ArrayList<>();
    final List<long[]> hcalls = new ArrayList<>();
    boolean irq;
    long now;
    long ioValue;

    @Override
    public GuestMemory memory() {
        return ram;
    }

    @Override
    public long loadIo(long addr, int size) {
        io.add(String.format("load 0x%x %d", addr, size));
        return ioValue;
    }

    @Override
    public void storeIo(long addr, int size, long value) {
        io.add(String.format("store 0x%x %d 0x%x", addr, size, value));
    }

    @Override
    public long hcall(long opcode, long[] regs) {
        long[] rec = new long[10];
        rec[0] = opcode;
        System.arraycopy(regs, 0, rec, 1, 9);
        hcalls.add(rec);
        regs[0] = 0x1111;
        regs[1] = 0x2222;
        return 0;
    }

    @Override
    public boolean externalInterrupt() {
        return irq;
    }

    @Override
    public long nowNs() {
        return now;
    }
}
