package io.pseries.core.hcall;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The names and opcodes of the hypervisor calls PAPR defines (as Linux's {@code hvcall.h}
 * numbers them) and of QEMU's private KVMPPC calls: every hcall a guest may name, whether or
 * not this machine serves it. A script naming one the machine does not serve gets
 * {@code H_FUNCTION}, exactly as a guest calling that number does; only a name outside this
 * table (and the machine's own registrations) is a script error.
 *
 * <p>Immutable; any thread.
 */
public final class PaprHcallNames {
    private static final Map<String, Integer> BY_NAME;

    static {
        Map<String, Integer> m = new TreeMap<>();
        String table = """
            H_REMOVE 0x04
            H_ENTER 0x08
            H_READ 0x0c
            H_CLEAR_MOD 0x10
            H_CLEAR_REF 0x14
            H_PROTECT 0x18
            H_GET_TCE 0x1c
            H_PUT_TCE 0x20
            H_SET_SPRG0 0x24
            H_SET_DABR 0x28
            H_PAGE_INIT 0x2c
            H_SET_ASR 0x30
            H_ASR_ON 0x34
            H_ASR_OFF 0x38
            H_LOGICAL_CI_LOAD 0x3c
            H_LOGICAL_CI_STORE 0x40
            H_LOGICAL_CACHE_LOAD 0x44
            H_LOGICAL_CACHE_STORE 0x48
            H_LOGICAL_ICBI 0x4c
            H_LOGICAL_DCBF 0x50
            H_GET_TERM_CHAR 0x54
            H_PUT_TERM_CHAR 0x58
            H_REAL_TO_LOGICAL 0x5c
            H_HYPERVISOR_DATA 0x60
            H_EOI 0x64
            H_CPPR 0x68
            H_IPI 0x6c
            H_IPOLL 0x70
            H_XIRR 0x74
            H_MIGRATE_DMA 0x78
            H_PERFMON 0x7c
            H_REGISTER_VPA 0xdc
            H_CEDE 0xe0
            H_CONFER 0xe4
            H_PROD 0xe8
            H_GET_PPP 0xec
            H_SET_PPP 0xf0
            H_PURR 0xf4
            H_PIC 0xf8
            H_REG_CRQ 0xfc
            H_FREE_CRQ 0x100
            H_VIO_SIGNAL 0x104
            H_SEND_CRQ 0x108
            H_COPY_RDMA 0x110
            H_REGISTER_LOGICAL_LAN 0x114
            H_FREE_LOGICAL_LAN 0x118
            H_ADD_LOGICAL_LAN_BUFFER 0x11c
            H_SEND_LOGICAL_LAN 0x120
            H_BULK_REMOVE 0x124
            H_MULTICAST_CTRL 0x130
            H_SET_XDABR 0x134
            H_STUFF_TCE 0x138
            H_PUT_TCE_INDIRECT 0x13c
            H_CHANGE_LOGICAL_LAN_MAC 0x14c
            H_VTERM_PARTNER_INFO 0x150
            H_REGISTER_VTERM 0x154
            H_FREE_VTERM 0x158
            H_POLL_PENDING 0x1d8
            H_QUERY_INT_STATE 0x1e4
            H_ILLAN_ATTRIBUTES 0x244
            H_JOIN 0x298
            H_VASI_STATE 0x2a4
            H_VIOCTL 0x2a8
            H_ENABLE_CRQ 0x2b0
            H_GET_EM_PARMS 0x2b8
            H_SET_MPP 0x2d0
            H_GET_MPP 0x2d4
            H_REG_SUB_CRQ 0x2dc
            H_FREE_SUB_CRQ 0x2e0
            H_SEND_SUB_CRQ 0x2e4
            H_SEND_SUB_CRQ_INDIRECT 0x2e8
            H_HOME_NODE_ASSOCIATIVITY 0x2ec
            H_BEST_ENERGY 0x2f4
            H_XIRR_X 0x2fc
            H_RANDOM 0x300
            H_COP 0x304
            H_GET_MPP_X 0x314
            H_SET_MODE 0x31c
            H_INT_GET_SOURCE_INFO 0x3a8
            H_INT_SET_SOURCE_CONFIG 0x3ac
            H_INT_GET_SOURCE_CONFIG 0x3b0
            H_INT_GET_QUEUE_INFO 0x3b4
            H_INT_SET_QUEUE_CONFIG 0x3b8
            H_INT_GET_QUEUE_CONFIG 0x3bc
            H_INT_SET_OS_REPORTING_LINE 0x3c0
            H_INT_GET_OS_REPORTING_LINE 0x3c4
            H_INT_ESB 0x3c8
            H_INT_SYNC 0x3cc
            H_INT_RESET 0x3d0
            KVMPPC_H_RTAS 0xf000
            KVMPPC_H_LOGICAL_MEMOP 0xf001
            KVMPPC_H_CAS 0xf002
            KVMPPC_H_UPDATE_DT 0xf003
            """;
        for (String line : table.strip().split("\n")) {
            String[] f = line.strip().split(" ");
            m.put(f[0], Integer.decode(f[1]));
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private PaprHcallNames() {
    }

    /** The opcode of a PAPR or KVMPPC hcall name, or {@code null} when no hcall has that name. */
    public static Integer opcode(String name) {
        return BY_NAME.get(name);
    }

    /** Every known name with its opcode, sorted by name. */
    public static Map<String, Integer> all() {
        return BY_NAME;
    }
}
