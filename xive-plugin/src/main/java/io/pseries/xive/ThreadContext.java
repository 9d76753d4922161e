package io.pseries.xive;

import io.pseries.core.cpu.VCpu;

/**
 * The interrupt management context of one hardware thread (XiveTCTX): 64 bytes, four rings
 * of 16 bytes, and the presenter logic that runs on them.
 *
 * <pre>
 *  ring  offset  use           byte: 0 NSR 1 CPPR 2 IPB 3 LSMFB 4 ACK# 5 INC 6 AGE 7 PIPR 8-11 WORD2
 *  QW0   0x00    user (EBB)
 *  QW1   0x10    OS            -> OS external interrupt input
 *  QW2   0x20    HV pool       -> HV interrupt input
 *  QW3   0x30    HV physical   -> HV interrupt input
 * </pre>
 *
 * <p>PIPR is the most favoured priority pending in IPB; the thread is signalled (NSR exception
 * bit, output line up) when PIPR is more favoured (lower) than CPPR. An ACK moves PIPR into
 * CPPR and clears that IPB bit.
 */
public final class ThreadContext {
    public static final int QW0_USER = 0x00;
    public static final int QW1_OS = 0x10;
    public static final int QW2_HV_POOL = 0x20;
    public static final int QW3_HV_PHYS = 0x30;

    public static final int NSR = 0;
    public static final int CPPR = 1;
    public static final int IPB = 2;
    public static final int LSMFB = 3;
    public static final int ACK_CNT = 4;
    public static final int INC = 5;
    public static final int AGE = 6;
    public static final int PIPR = 7;
    public static final int WORD2 = 8;

    /** QW1 NSR: exception pending for the OS. */
    public static final int NSR_EO = 0x80;
    /** QW3 NSR: hypervisor exception field (2 bits) and its values. */
    public static final int NSR_HE = 0xC0;
    public static final int NSR_HE_POOL = 1;
    public static final int NSR_HE_PHYS = 2;
    public static final int NSR_HE_LSI = 3;

    /** WORD2 valid bits per ring. */
    public static final int QW0W2_VU = 0x8000_0000;
    public static final int QW0W2_LOGIC_SERV = 0x7FFF_FFFF;
    public static final int QW1W2_VO = 0x8000_0000;
    public static final int QW1W2_OS_CAM = 0x00FF_FFFF;
    public static final int QW2W2_VP = 0x8000_0000;
    public static final int QW2W2_POOL_CAM = 0x00FF_FFFF;
    public static final int QW3W2_VT = 0x8000_0000;

    public static final int PRIORITY_MAX = 7;

    private final VCpu cpu;
    final byte[] regs = new byte[64];

    public ThreadContext(VCpu cpu) {
        this.cpu = cpu;
        reset();
    }

    public VCpu cpu() {
        return cpu;
    }

    /** {@code priority_to_ipb}: the IPB bit of a priority, 0 for priorities above 7. */
    public static int priorityToIpb(int priority) {
        return priority > PRIORITY_MAX ? 0 : 1 << (PRIORITY_MAX - priority);
    }

    /** {@code ipb_to_pipr}: the most favoured pending priority, 0xFF when none. */
    public static int ipbToPipr(int ipb) {
        return (ipb & 0xff) == 0 ? 0xff : Integer.numberOfLeadingZeros((ipb & 0xff) << 24);
    }

    public int reg(int offset) {
        return regs[offset] & 0xff;
    }

    public void setReg(int offset, int v) {
        regs[offset] = (byte) v;
    }

    public int word2(int ring) {
        int o = ring + WORD2;
        return ((regs[o] & 0xff) << 24) | ((regs[o + 1] & 0xff) << 16) | ((regs[o + 2] & 0xff) << 8) | (regs[o + 3] & 0xff);
    }

    /** Sets a ring's WORD2 (the caller keeps the presenter's CAM index in step). */
    void setWord2(int ring, int w) {
        int o = ring + WORD2;
        regs[o] = (byte) (w >>> 24);
        regs[o + 1] = (byte) (w >>> 16);
        regs[o + 2] = (byte) (w >>> 8);
        regs[o + 3] = (byte) w;
    }

    /** A copy of the 64 register bytes (4 rings of 16), QEMU's migrated {@code regs}. */
    public byte[] registers() {
        return regs.clone();
    }

    /** Installs snapshot registers without touching the outputs (the caller re-derives them). */
    public void restoreRegisters(byte[] r) {
        System.arraycopy(r, 0, regs, 0, regs.length);
    }

    /** Re-drives the vCPU inputs from the NSR exception bits (after a restore). */
    public void rederiveOutputs() {
        setOutput(QW1_OS, (reg(QW1_OS + NSR) & NSR_EO) != 0);
        setOutput(QW3_HV_PHYS, (reg(QW3_HV_PHYS + NSR) & NSR_HE) != 0);
    }

    /** QEMU's xive_tctx_reset: all zero, QW1 LSMFB/ACK#/AGE 0xFF, QW1 and QW3 PIPR 0xFF. */
    public void reset() {
        java.util.Arrays.fill(regs, (byte) 0);
        regs[QW1_OS + LSMFB] = (byte) 0xff;
        regs[QW1_OS + ACK_CNT] = (byte) 0xff;
        regs[QW1_OS + AGE] = (byte) 0xff;
        regs[QW1_OS + PIPR] = (byte) ipbToPipr(0);
        regs[QW3_HV_PHYS + PIPR] = (byte) ipbToPipr(0);
        cpu.setOsInterrupt(false);
        cpu.setHvInterrupt(false);
    }

    private int exceptionMask(int ring) {
        return ring == QW1_OS ? NSR_EO : NSR_HE;
    }

    private void setOutput(int ring, boolean level) {
        if (ring == QW1_OS) {
            cpu.setOsInterrupt(level);
        } else if (ring == QW2_HV_POOL || ring == QW3_HV_PHYS) {
            cpu.setHvInterrupt(level);
        }
    }

    /**
     * Signals the ring when its PIPR is more favoured than its CPPR: sets the NSR exception
     * bit and raises the output. The pool ring signals through the physical ring's NSR/CPPR
     * (as newer QEMU does; 7.2 aborts there).
     */
    public void notifyRing(int ring) {
        int r = ring == QW2_HV_POOL ? QW3_HV_PHYS : ring;
        int pipr = reg(r + PIPR);
        if (pipr < reg(r + CPPR)) {
            if (ring == QW1_OS) {
                regs[r + NSR] |= (byte) NSR_EO;
            } else if (ring == QW2_HV_POOL || ring == QW3_HV_PHYS) {
                // HE names the one ring the ACK takes the priority from: the ring whose IPB
                // holds PIPR (a value, not bits: PHYS | POOL would read as LSI)
                int he = (reg(QW3_HV_PHYS + IPB) & priorityToIpb(pipr)) != 0 ? NSR_HE_PHYS : NSR_HE_POOL;
                regs[r + NSR] = (byte) ((reg(r + NSR) & ~NSR_HE) | (he << 6));
            }
            setOutput(ring, true);
        }
    }

    /** ORs IPB bits into a ring, recomputes PIPR and signals. */
    public void ipbUpdate(int ring, int ipbBits) {
        regs[ring + IPB] |= (byte) ipbBits;
        if (ring == QW2_HV_POOL || ring == QW3_HV_PHYS) {
            regs[QW3_HV_PHYS + PIPR] = (byte) ipbToPipr(hvIpb());
        } else {
            regs[ring + PIPR] = (byte) ipbToPipr(reg(ring + IPB));
        }
        notifyRing(ring);
    }

    /**
     * The pending priorities the physical ring's PIPR reflects: its own and the pool ring's,
     * which has no PIPR of its own (QEMU: "the PHYS ring must take the minimum of both the PHYS
     * and POOL PIPR values").
     */
    private int hvIpb() {
        return reg(QW3_HV_PHYS + IPB) | reg(QW2_HV_POOL + IPB);
    }

    /** Sets CPPR (values above 7 become 0xFF) and signals if something is now deliverable. */
    public void setCppr(int ring, int cppr) {
        if (cppr > PRIORITY_MAX) {
            cppr = 0xff;
        }
        regs[ring + CPPR] = (byte) cppr;
        notifyRing(ring);
    }

    /**
     * The acknowledge cycle: lowers the output; if the ring was signalled, CPPR takes PIPR,
     * that priority's IPB bit is cleared, PIPR is recomputed and the exception bit dropped.
     * Returns {@code (NSR before the ACK) << 8 | CPPR}. On the physical ring, an exception whose
     * NSR HE field says POOL clears the bit in the pool ring's IPB, where the pool notification
     * put it (QEMU, "pnv/xive: Add special handling for pool targets").
     */
    public int accept(int ring) {
        int nsr = reg(ring + NSR);
        int mask = exceptionMask(ring);
        setOutput(ring, false);
        if ((nsr & mask) != 0) {
            int cppr = reg(ring + PIPR);
            regs[ring + CPPR] = (byte) cppr;
            boolean pool = ring == QW3_HV_PHYS && (nsr & NSR_HE) == NSR_HE_POOL << 6;
            int ipbRing = pool ? QW2_HV_POOL : ring;
            regs[ipbRing + IPB] &= (byte) ~priorityToIpb(cppr);
            int ipb = ring == QW3_HV_PHYS ? hvIpb() : reg(ring + IPB);
            regs[ring + PIPR] = (byte) ipbToPipr(ipb);
            regs[ring + NSR] &= (byte) ~mask;
        }
        return (nsr << 8) | reg(ring + CPPR);
    }
}
