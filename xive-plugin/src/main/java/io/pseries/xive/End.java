package io.pseries.xive;

/**
 * Event Notification Descriptor: eight 32-bit words per END describing an event queue in
 * guest memory, its notification target (an NVT at a priority) and its escalation.
 *
 * <pre>
 *  w0: v q n b p e u s . . . . QSIZE(12-15) SW0(16) ... HWDEP(24-31)
 *  w1: ESn(0-1) ESe(2-3) .... GEN_FLIPPED(8) GENERATION(9) PAGE_OFF(10-31)
 *  w2: MIGRATION(0-3) queue address bits 59..32 (4-31)
 *  w3: queue address bits 31..0
 *  w4: ESC_END_BLOCK(4-7) ESC_END_INDEX(8-31)   } w4-w5 read as an EAS
 *  w5: ESC_END_DATA(1-31)                        } for escalation
 *  w6: FORMAT(8) NVT_BLOCK(9-12) NVT_INDEX(13-31)
 *  w7: format 0: IGNORE(0) BLK_GROUPING(1) PRIORITY(8-15); format 1: WAKEZ(0) LOG_SERVER_ID(1-31)
 * </pre>
 */
public final class End {
    public static final int WORDS = 8;

    public static final int W0_VALID = 0x8000_0000;
    public static final int W0_ENQUEUE = 0x4000_0000;
    public static final int W0_UCOND_NOTIFY = 0x2000_0000;
    public static final int W0_BACKLOG = 0x1000_0000;
    public static final int W0_PRECL_ESC_CTL = 0x0800_0000;
    public static final int W0_ESCALATE_CTL = 0x0400_0000;
    public static final int W0_UNCOND_ESCALATE = 0x0200_0000;
    public static final int W0_SILENT_ESCALATE = 0x0100_0000;
    public static final int W0_QSIZE = 0x000F_0000;
    public static final int W0_SW0 = 0x0000_8000;
    public static final int W0_HWDEP = 0x0000_00FF;

    public static final int W1_ESN = 0xC000_0000;
    public static final int W1_ESN_P = 0x8000_0000;
    public static final int W1_ESN_Q = 0x4000_0000;
    public static final int W1_ESE = 0x3000_0000;
    public static final int W1_ESE_P = 0x2000_0000;
    public static final int W1_ESE_Q = 0x1000_0000;
    public static final int W1_GEN_FLIPPED = 0x0080_0000;
    public static final int W1_GENERATION = 0x0040_0000;
    public static final int W1_PAGE_OFF = 0x003F_FFFF;

    public static final int W2_MIGRATION_REG = 0xF000_0000;
    public static final int W2_OP_DESC_HI = 0x0FFF_FFFF;

    public static final int W4_ESC_END_BLOCK = 0x0F00_0000;
    public static final int W4_ESC_END_INDEX = 0x00FF_FFFF;
    public static final int W5_ESC_END_DATA = 0x7FFF_FFFF;

    public static final int W6_FORMAT_BIT = 0x0080_0000;
    public static final int W6_NVT_BLOCK = 0x0078_0000;
    public static final int W6_NVT_INDEX = 0x0007_FFFF;

    public static final int W7_F0_IGNORE = 0x8000_0000;
    public static final int W7_F0_BLK_GROUPING = 0x4000_0000;
    public static final int W7_F0_PRIORITY = 0x00FF_0000;
    public static final int W7_F1_WAKEZ = 0x8000_0000;
    public static final int W7_F1_LOG_SERVER_ID = 0x7FFF_FFFF;

    /** QSIZE encoding of a 4 KiB queue; a queue of QSIZE q holds 2^(q+10) four-byte entries. */
    public static final int QSIZE_4K = 0;
    public static final int QSIZE_64K = 4;

    private End() {
    }

    /** The queue's guest physical address from w2/w3. */
    public static long queueAddress(int w2, int w3) {
        return ((long) (w2 & W2_OP_DESC_HI) << 32) | (w3 & 0xffff_ffffL);
    }

    /** Number of 4-byte entries of a queue with this QSIZE field. */
    public static int entries(int qsize) {
        return 1 << (qsize + 10);
    }
}
