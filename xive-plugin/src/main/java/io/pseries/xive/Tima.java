package io.pseries.xive;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.trace.Trace;

/**
 * The Thread Interrupt Management Area: four 64 KiB pages (HW, HV, OS, USER, from most to
 * least privileged) that each view the accessing vCPU's {@link ThreadContext}.
 *
 * <p>Two kinds of access:
 * <ul>
 *   <li><b>Special operations</b>: an entry of {@link Op} matching the offset (bits 0-11),
 *       the exact size and the direction, defined for this page or a less privileged one. Any
 *       access with offset bit 0x800 set must be one, else it is invalid (loads return -1).</li>
 *   <li><b>Raw register access</b> below 0x800: only 4 or 8 bytes, never on the USER ring,
 *       and filtered byte by byte through the page's access view (offset bits 0-5 select the
 *       register byte). Raw writes have no side effects: a 4-byte store at OS+0x10 changes
 *       only CPPR and does not signal.</li>
 * </ul>
 * The page is {@code (offset >> 16) & 3}. QEMU 7.2 decodes the op offset with 0xFFF.
 */
public final class Tima implements MmioHandler {
    public static final int SHIFT = 16;
    public static final int PAGE_HW = 0;
    public static final int PAGE_HV = 1;
    public static final int PAGE_OS = 2;
    public static final int PAGE_USER = 3;
    public static final long SIZE = 4L << SHIFT;

    /** OS page offset of the ACK cycle (2-byte load). */
    public static final int SPC_ACK_EBB = 0x800;
    public static final int SPC_ACK_OS_REG = 0x810;
    public static final int SPC_SET_OS_PENDING = 0x812;
    public static final int SPC_PULL_OS_CTX = 0x818;
    public static final int SPC_PULL_POOL_CTX = 0x828;
    public static final int SPC_ACK_HV_REG = 0x830;
    public static final int SPC_PULL_PHYS_CTX = 0x838;

    /** Per-byte access rights of the 64 register bytes, per page: 1 write, 2 read. */
    private static final byte[][] VIEWS = {
        { // HW page
            3, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0,
            3, 3, 3, 3, 3, 3, 0, 2, 3, 3, 3, 3, 0, 0, 0, 0,
            0, 0, 3, 3, 0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0,
            3, 3, 3, 3, 0, 3, 0, 2, 3, 0, 0, 3, 3, 3, 3, 0},
        { // HV page
            3, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0,
            3, 3, 3, 3, 3, 3, 0, 2, 3, 3, 3, 3, 0, 0, 0, 0,
            0, 0, 3, 3, 0, 0, 0, 0, 0, 3, 3, 3, 0, 0, 0, 0,
            3, 3, 3, 3, 0, 3, 0, 2, 3, 0, 0, 3, 0, 0, 0, 0},
        { // OS page
            3, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0,
            2, 3, 2, 2, 2, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        { // USER page
            3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };

    /** The special operations, as (page, offset, size, read?) and what they do. */
    enum Op {
        SET_OS_CPPR(PAGE_OS, ThreadContext.QW1_OS + ThreadContext.CPPR, 1, false),
        PUSH_OS_CTX(PAGE_HV, ThreadContext.QW1_OS + ThreadContext.WORD2, 4, false),
        SET_HV_CPPR(PAGE_HV, ThreadContext.QW3_HV_PHYS + ThreadContext.CPPR, 1, false),
        VT_PUSH(PAGE_HV, ThreadContext.QW3_HV_PHYS + ThreadContext.WORD2, 1, false),
        VT_POLL(PAGE_HV, ThreadContext.QW3_HV_PHYS + ThreadContext.WORD2, 1, true),
        ACK_OS_REG(PAGE_OS, SPC_ACK_OS_REG, 2, true),
        SET_OS_PENDING(PAGE_OS, SPC_SET_OS_PENDING, 1, false),
        PULL_OS_CTX_4(PAGE_HV, SPC_PULL_OS_CTX, 4, true),
        PULL_OS_CTX_8(PAGE_HV, SPC_PULL_OS_CTX, 8, true),
        ACK_HV_REG(PAGE_HV, SPC_ACK_HV_REG, 2, true),
        PULL_POOL_CTX_4(PAGE_HV, SPC_PULL_POOL_CTX, 4, true),
        PULL_POOL_CTX_8(PAGE_HV, SPC_PULL_POOL_CTX, 8, true),
        PULL_PHYS_CTX(PAGE_HV, SPC_PULL_PHYS_CTX, 1, true);

        final int page;
        final int offset;
        final int size;
        final boolean read;

        Op(int page, int offset, int size, boolean read) {
            this.page = page;
            this.offset = offset;
            this.size = size;
            this.read = read;
        }
    }

    private static final Op[] OP_INDEX = buildOpIndex();

    /**
     * The two operations a guest does on every interrupt, tested before the decode: the OS ACK
     * (2-byte load at OS page + 0x810) and the OS CPPR store (1 byte at OS page + 0x11). They
     * are what {@link #findOp} selects at exactly these offsets; aliases (offset bits 12-15 set)
     * take the decode.
     */
    private static final long OS_ACK = ((long) PAGE_OS << SHIFT) | SPC_ACK_OS_REG;
    private static final long OS_CPPR = ((long) PAGE_OS << SHIFT) | (ThreadContext.QW1_OS + ThreadContext.CPPR);

    private final Presenter presenter;
    /** The presenter's thread contexts, by vCPU index (the same array: no call per access). */
    private final ThreadContext[] tctx;
    private final XiveRouter.NvtDirectory nvts;
    private final Trace trace;

    public Tima(Presenter presenter, XiveRouter.NvtDirectory nvts, Trace trace) {
        this.presenter = presenter;
        this.tctx = presenter.contexts();
        this.nvts = nvts;
        this.trace = trace;
    }

    /**
     * The special operation an access selects, or null: a direct index by (page, offset, size,
     * direction). An operation of a page is also defined on the more privileged ones, so the
     * index holds it under each of them. Every operation sits at 0x000-0x03F or 0x800-0x83F of
     * its page, so any other offset, or a size past 15, selects none without a look-up.
     */
    static Op findOp(long offset, int size, boolean read) {
        int op = (int) (offset & 0xFFF);
        if (((op & 0x7C0) | (size & ~0xF)) != 0) {
            return null;
        }
        return OP_INDEX[((int) (offset >>> SHIFT) & 3) << 12 | opKey(op, size, read)];
    }

    /** An access's index within a page's part of {@link #OP_INDEX}: offset bits 0x800 and 0x3F, direction, size (0-15). */
    private static int opKey(int op, int size, boolean read) {
        return ((op >>> 5) & 0x40 | op & 0x3F) << 5 | (read ? 0x10 : 0) | size;
    }

    /** Every operation at its key, under its page and each more privileged one; keys never collide (checked). */
    private static Op[] buildOpIndex() {
        Op[] index = new Op[4 << 12];
        for (Op o : Op.values()) {
            for (int page = 0; page <= o.page; page++) {
                int k = page << 12 | opKey(o.offset, o.size, o.read);
                if (index[k] != null) {
                    throw new IllegalStateException("TIMA operations " + index[k] + " and " + o + " share an access");
                }
                index[k] = o;
            }
        }
        return index;
    }

    /** A mask of the bytes of a raw access that the page's view allows. */
    static long accessMask(long offset, int size, boolean write) {
        int page = (int) (offset >>> SHIFT) & 3;
        int reg = (int) (offset & 0x3F);
        int want = write ? 1 : 2;
        long mask = 0;
        for (int i = 0; i < size && reg + i < 64; i++) {
            if ((VIEWS[page][reg + i] & want) != 0) {
                mask |= 0xffL << (8 * (size - i - 1));
            }
        }
        return mask;
    }

    @Override
    public long read(VCpu cpu, long offset, int size) {
        ThreadContext t = tctx[cpu.index()];
        if (offset == OS_ACK && size == 2) {
            return t.accept(ThreadContext.QW1_OS);
        }
        return read(cpu, t, offset, size);
    }

    private long read(VCpu cpu, ThreadContext t, long offset, int size) {
        Op op = findOp(offset, size, true);
        if (op == null) {
            if ((offset & 0x800) != 0) {
                trace.guestError(cpu.index(), String.format("XIVE: invalid read access to TIMA @0x%x", offset),
                    "offset", offset, "size", size);
                return -1;
            }
            return rawRead(cpu, t, offset, size);
        }
        return switch (op) {
            case ACK_OS_REG -> t.accept(ThreadContext.QW1_OS);
            case ACK_HV_REG -> t.accept(ThreadContext.QW3_HV_PHYS);
            case VT_POLL -> t.reg(ThreadContext.QW3_HV_PHYS + ThreadContext.WORD2);
            case PULL_OS_CTX_4, PULL_OS_CTX_8 -> pullOs(cpu, t);
            case PULL_POOL_CTX_4, PULL_POOL_CTX_8 -> pull(cpu, ThreadContext.QW2_HV_POOL, ThreadContext.QW2W2_VP) & 0xffff_ffffL;
            case PULL_PHYS_CTX -> pull(cpu, ThreadContext.QW3_HV_PHYS, ThreadContext.QW3W2_VT) >>> 24;
            default -> throw new IllegalStateException(op.name());
        };
    }

    @Override
    public void write(VCpu cpu, long offset, int size, long value) {
        ThreadContext t = tctx[cpu.index()];
        if (offset == OS_CPPR && size == 1) {
            t.setCppr(ThreadContext.QW1_OS, (int) (value & 0xff));
            return;
        }
        write(cpu, t, offset, size, value);
    }

    private void write(VCpu cpu, ThreadContext t, long offset, int size, long value) {
        Op op = findOp(offset, size, false);
        if (op == null) {
            if ((offset & 0x800) != 0) {
                trace.guestError(cpu.index(), String.format("XIVE: invalid write access at TIMA @0x%x", offset),
                    "offset", offset, "size", size, "value", value);
                return;
            }
            rawWrite(cpu, t, offset, size, value);
            return;
        }
        switch (op) {
            case SET_OS_CPPR -> t.setCppr(ThreadContext.QW1_OS, (int) (value & 0xff));
            case SET_HV_CPPR -> t.setCppr(ThreadContext.QW3_HV_PHYS, (int) (value & 0xff));
            case SET_OS_PENDING -> t.ipbUpdate(ThreadContext.QW1_OS, ThreadContext.priorityToIpb((int) (value & 0xff)));
            case PUSH_OS_CTX -> pushOs(cpu, t, (int) value);
            case VT_PUSH -> {
                t.setReg(ThreadContext.QW3_HV_PHYS + ThreadContext.WORD2, (int) (value & 0xff));
                presenter.refresh(cpu.index());
            }
            default -> throw new IllegalStateException(op.name());
        }
    }

    /**
     * Push of an OS context (HV page, 4-byte store of the new QW1 WORD2): sets the CAM line; if
     * it is valid, pending priorities backlogged in the NVT are merged into the IPB and the
     * thread is signalled if needed. sPAPR keeps no NVT backlog, so only the re-check happens.
     */
    private void pushOs(VCpu cpu, ThreadContext t, int w2) {
        presenter.setWord2(cpu.index(), ThreadContext.QW1_OS, w2);
        if ((w2 & ThreadContext.QW1W2_VO) != 0) {
            int cam = w2 & ThreadContext.QW1W2_OS_CAM;
            if (!nvts.exists((cam >> 19) & 0xf, cam & 0x7ffff)) {
                trace.guestError(cpu.index(), String.format("XIVE: no NVT %x/%x", (cam >> 19) & 0xf, cam & 0x7ffff));
                return;
            }
            t.ipbUpdate(ThreadContext.QW1_OS, 0);
        }
    }

    /** Pull of the OS context: returns WORD2, clears its valid bit and lowers the OS line. */
    private long pullOs(VCpu cpu, ThreadContext t) {
        int w2 = t.word2(ThreadContext.QW1_OS);
        if ((w2 & ThreadContext.QW1W2_VO) == 0) {
            trace.guestError(cpu.index(), String.format("XIVE: pulling invalid NVT %x/%x !?",
                ((w2 & ThreadContext.QW1W2_OS_CAM) >> 19) & 0xf, w2 & 0x7ffff));
        }
        presenter.setWord2(cpu.index(), ThreadContext.QW1_OS, w2 & ~ThreadContext.QW1W2_VO);
        cpu.setOsInterrupt(false);
        return w2 & 0xffff_ffffL;
    }

    /** Pull of the pool or physical context: returns the previous WORD2 and clears its valid bit. */
    private int pull(VCpu cpu, int ring, int validBit) {
        ThreadContext t = presenter.tctx(cpu.index());
        int w2 = t.word2(ring);
        presenter.setWord2(cpu.index(), ring, w2 & ~validBit);
        return w2;
    }

    private long rawRead(VCpu cpu, ThreadContext t, long offset, int size) {
        int ring = (int) (offset & 0x30);
        int reg = (int) (offset & 0x3F);
        long mask = accessMask(offset, size, false);
        if (size < 4 || mask == 0 || ring == ThreadContext.QW0_USER) {
            trace.guestError(cpu.index(), String.format("XIVE: invalid read access at TIMA @0x%x", offset),
                "offset", offset, "size", size);
            return -1;
        }
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | (reg + i < 64 ? t.reg(reg + i) : 0);
        }
        return v & mask;
    }

    private void rawWrite(VCpu cpu, ThreadContext t, long offset, int size, long value) {
        int ring = (int) (offset & 0x30);
        int reg = (int) (offset & 0x3F);
        long mask = accessMask(offset, size, true);
        if (size < 4 || mask == 0 || ring == ThreadContext.QW0_USER) {
            trace.guestError(cpu.index(), String.format("XIVE: invalid write access at TIMA @0x%x", offset),
                "offset", offset, "size", size, "value", value);
            return;
        }
        for (int i = 0; i < size; i++) {
            int shift = 8 * (size - i - 1);
            if (((mask >>> shift) & 0xff) != 0 && reg + i < 64) {
                t.setReg(reg + i, (int) ((value >>> shift) & 0xff));
            }
        }
        presenter.refresh(cpu.index());
    }
}
