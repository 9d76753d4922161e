package io.pseries.core.hcall;

import java.util.Map;
import java.util.TreeMap;

/** PAPR hypervisor-call return codes (R3) and their names. */
public final class PaprRc {
    public static final long H_SUCCESS = 0;
    public static final long H_BUSY = 1;
    public static final long H_HARDWARE = -1;
    public static final long H_FUNCTION = -2;
    public static final long H_PRIVILEGE = -3;
    public static final long H_PARAMETER = -4;
    public static final long H_BAD_MODE = -5;
    public static final long H_PTEG_FULL = -6;
    public static final long H_NOT_FOUND = -7;
    public static final long H_RESERVED_DABR = -8;
    public static final long H_NO_MEM = -9;
    public static final long H_AUTHORITY = -10;
    public static final long H_PERMISSION = -11;
    public static final long H_DROPPED = -12;
    public static final long H_SOURCE_PARM = -13;
    public static final long H_DEST_PARM = -14;
    public static final long H_REMOTE_PARM = -15;
    public static final long H_RESOURCE = -16;
    public static final long H_ADAPTER_PARM = -17;
    public static final long H_RH_PARM = -18;
    public static final long H_RCQ_PARM = -19;
    public static final long H_SCQ_PARM = -20;
    public static final long H_EQ_PARM = -21;
    public static final long H_RT_PARM = -22;
    public static final long H_ST_PARM = -23;
    public static final long H_SIGT_PARM = -24;
    public static final long H_TOKEN_PARM = -25;
    public static final long H_MLENGTH_PARM = -27;
    public static final long H_MEM_PARM = -28;
    public static final long H_MEM_ACCESS_PARM = -29;
    public static final long H_ATTR_PARM = -30;
    public static final long H_PORT_PARM = -31;
    public static final long H_MCG_PARM = -32;
    public static final long H_VL_PARM = -33;
    public static final long H_TSIZE_PARM = -34;
    public static final long H_TRACE_PARM = -35;
    public static final long H_MASK_PARM = -37;
    public static final long H_MCG_FULL = -38;
    public static final long H_ALIAS_EXIST = -39;
    public static final long H_P_COUNTER = -40;
    public static final long H_TABLE_FULL = -41;
    public static final long H_ALT_TABLE = -42;
    public static final long H_MR_CONDITION = -43;
    public static final long H_NOT_ENOUGH_RESOURCES = -44;
    public static final long H_R_STATE = -45;
    public static final long H_RESCINDED = -46;
    public static final long H_P2 = -55;
    public static final long H_P3 = -56;
    public static final long H_P4 = -57;
    public static final long H_P5 = -58;
    public static final long H_P6 = -59;
    public static final long H_P7 = -60;
    public static final long H_P8 = -61;
    public static final long H_P9 = -62;
    public static final long H_OVERLAP = -68;
    public static final long H_STATE = -75;
    public static final long H_UNSUPPORTED_FLAG = -256;
    public static final long H_MULTI_THREADS_ACTIVE = -9005;
    public static final long H_LONG_BUSY_ORDER_1_MSEC = 9900;
    public static final long H_LONG_BUSY_ORDER_10_MSEC = 9901;
    public static final long H_LONG_BUSY_ORDER_100_MSEC = 9902;
    public static final long H_LONG_BUSY_ORDER_1_SEC = 9903;
    public static final long H_LONG_BUSY_ORDER_10_SEC = 9904;
    public static final long H_LONG_BUSY_ORDER_100_SEC = 9905;

    private static final Map<Long, String> NAMES = new TreeMap<>();

    static {
        for (var f : PaprRc.class.getFields()) {
            if (f.getType() == long.class && f.getName().startsWith("H_")) {
                try {
                    NAMES.put(f.getLong(null), f.getName());
                } catch (IllegalAccessException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }
        }
    }

    private PaprRc() {
    }

    /** The name of a return code, e.g. {@code "H_P2"}; unknown codes render as a number. */
    public static String name(long rc) {
        String n = NAMES.get(rc);
        return n != null ? n : "H_RC(" + rc + ")";
    }
}
