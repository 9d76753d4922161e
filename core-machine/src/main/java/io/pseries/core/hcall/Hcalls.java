package io.pseries.core.hcall;

/** Hypervisor-call opcodes used by the interrupt controllers and the machine. */
public final class Hcalls {
    public static final int H_EOI = 0x64;
    public static final int H_CPPR = 0x68;
    public static final int H_IPI = 0x6C;
    public static final int H_IPOLL = 0x70;
    public static final int H_XIRR = 0x74;
    public static final int H_XIRR_X = 0x2FC;

    public static final int H_INT_GET_SOURCE_INFO = 0x3A8;
    public static final int H_INT_SET_SOURCE_CONFIG = 0x3AC;
    public static final int H_INT_GET_SOURCE_CONFIG = 0x3B0;
    public static final int H_INT_GET_QUEUE_INFO = 0x3B4;
    public static final int H_INT_SET_QUEUE_CONFIG = 0x3B8;
    public static final int H_INT_GET_QUEUE_CONFIG = 0x3BC;
    public static final int H_INT_SET_OS_REPORTING_LINE = 0x3C0;
    public static final int H_INT_GET_OS_REPORTING_LINE = 0x3C4;
    public static final int H_INT_ESB = 0x3C8;
    public static final int H_INT_SYNC = 0x3CC;
    public static final int H_INT_RESET = 0x3D0;

    /** QEMU's private hcall that carries an RTAS call (R4 = address of the RTAS argument buffer). */
    public static final int KVMPPC_H_RTAS = 0xF000;
    /** QEMU's private hcall SLOF uses for ibm,client-architecture-support. */
    public static final int KVMPPC_H_CAS = 0xF002;

    private Hcalls() {
    }
}
