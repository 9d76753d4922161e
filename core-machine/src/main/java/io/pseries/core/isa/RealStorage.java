package io.pseries.core.isa;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import io.pseries.core.mem.GuestMemory;

/**
 * A {@link Cpu}'s real-mode storage accesses: effective to real address (through the CPU's
 * mode), the CPU's byte order (MSR[LE]) and the byte-reversed forms, guest RAM or the bus.
 *
 * <p>RAM accesses inside one 64 KiB page go straight to the page's array, viewed in the right
 * byte order (guest pages are never replaced, so the last page used is kept); an access that
 * crosses a page, or lies outside RAM, takes the slow path: GuestMemory, or the bus (MMIO, the
 * interrupt controllers' pages), after which the CPU looks for a pending interrupt, since an
 * MMIO access may have raised one. Values are zero-extended; MMIO values are the big-endian
 * interpretation of the bytes, as the machine's raw ABI uses them.
 *
 * <p>Threading: the CPU's thread.
 */
final class RealStorage {
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private final Cpu cpu;
    private final GuestMemory mem;
    private final CpuBus bus;
    private final long ramSize;

    RealStorage(Cpu cpu) {
        this.cpu = cpu;
        this.mem = cpu.mem;
        this.bus = cpu.bus;
        this.ramSize = mem.size();
    }

    private static final VarHandle LE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    // the RAM page of the last data access: guest pages are never replaced, so the array stays valid
    private byte[] dataPage;
    private long dataBase = -1;

    /** Forgets the cached page (a snapshot's restore puts the CPU's state back, nothing else carries over). */
    void dropCache() {
        dataPage = null;
        dataBase = -1;
    }

    /** The RAM page array for a real address known to be in RAM. */
    private byte[] dataPage(long ra) {
        long base = ra & ~0xFFFFL;
        if (base != dataBase) {
            dataPage = mem.page(ra);
            dataBase = base;
        }
        return dataPage;
    }

    /** Whether an access of {@code size} bytes at real address {@code ra} lies in one RAM page. */
    private boolean inRamPage(long ra, int size) {
        return ra < ramSize && (ra & 0xFFFF) <= 0x10000 - size;
    }

    long load1(long ea) {
        long ra = cpu.real(ea);
        if (ra < ramSize) {
            return dataPage(ra)[(int) (ra & 0xFFFF)] & 0xFFL;
        }
        cpu.attention = true;
        return bus.loadIo(ra, 1);
    }

    long load2(long ea, boolean reversed) {
        long ra = cpu.real(ea);
        if (inRamPage(ra, 2)) {
            return (short) (cpu.le != reversed ? LE16 : BE16).get(dataPage(ra), (int) (ra & 0xFFFF)) & 0xFFFFL;
        }
        return slowLoad(ra, 2, reversed);
    }

    long load4(long ea, boolean reversed) {
        long ra = cpu.real(ea);
        if (inRamPage(ra, 4)) {
            return (int) (cpu.le != reversed ? LE32 : BE32).get(dataPage(ra), (int) (ra & 0xFFFF)) & 0xFFFF_FFFFL;
        }
        return slowLoad(ra, 4, reversed);
    }

    long load8(long ea, boolean reversed) {
        long ra = cpu.real(ea);
        if (inRamPage(ra, 8)) {
            return (long) (cpu.le != reversed ? LE64 : BE64).get(dataPage(ra), (int) (ra & 0xFFFF));
        }
        return slowLoad(ra, 8, reversed);
    }

    /** An access crossing a RAM page, or outside RAM (MMIO). */
    private long slowLoad(long ra, int size, boolean reversed) {
        long v;
        if (ra <= ramSize - size) {
            v = mem.read(ra, size);
        } else {
            v = bus.loadIo(ra, size);
            cpu.attention = true;
        }
        return cpu.le != reversed ? swap(v, size) : v;
    }

    void store1(long ea, long v) {
        long ra = cpu.real(ea);
        if (ra < ramSize) {
            dataPage(ra)[(int) (ra & 0xFFFF)] = (byte) v;
            return;
        }
        bus.storeIo(ra, 1, v & 0xFF);
        cpu.attention = true;
    }

    void store2(long ea, long v, boolean reversed) {
        long ra = cpu.real(ea);
        if (inRamPage(ra, 2)) {
            (cpu.le != reversed ? LE16 : BE16).set(dataPage(ra), (int) (ra & 0xFFFF), (short) v);
            return;
        }
        slowStore(ra, 2, v & 0xFFFFL, reversed);
    }

    void store4(long ea, long v, boolean reversed) {
        long ra = cpu.real(ea);
        if (inRamPage(ra, 4)) {
            (cpu.le != reversed ? LE32 : BE32).set(dataPage(ra), (int) (ra & 0xFFFF), (int) v);
            return;
        }
        slowStore(ra, 4, v & 0xFFFF_FFFFL, reversed);
    }

    void store8(long ea, long v, boolean reversed) {
        long ra = cpu.real(ea);
        if (inRamPage(ra, 8)) {
            (cpu.le != reversed ? LE64 : BE64).set(dataPage(ra), (int) (ra & 0xFFFF), v);
            return;
        }
        slowStore(ra, 8, v, reversed);
    }

    private void slowStore(long ra, int size, long v, boolean reversed) {
        if (cpu.le != reversed) {
            v = swap(v, size);
        }
        if (ra <= ramSize - size) {
            mem.write(ra, size, v);
        } else {
            bus.storeIo(ra, size, v);
            cpu.attention = true;
        }
    }

    /** A load in the CPU's byte order, zero-extended; {@code reversed} for the byte-reversed forms. */
    long load(long ea, int size, boolean reversed) {
        return switch (size) {
            case 1 -> load1(ea);
            case 2 -> load2(ea, reversed);
            case 4 -> load4(ea, reversed);
            default -> load8(ea, reversed);
        };
    }

    /** A store in the CPU's byte order; {@code reversed} for the byte-reversed forms. */
    void store(long ea, int size, long v, boolean reversed) {
        switch (size) {
            case 1 -> store1(ea, v);
            case 2 -> store2(ea, v, reversed);
            case 4 -> store4(ea, v, reversed);
            default -> store8(ea, v, reversed);
        }
    }

    static long swap(long v, int size) {
        return switch (size) {
            case 1 -> v;
            case 2 -> Short.reverseBytes((short) v) & 0xFFFFL;
            case 4 -> Integer.reverseBytes((int) v) & 0xFFFF_FFFFL;
            default -> Long.reverseBytes(v);
        };
    }

}
