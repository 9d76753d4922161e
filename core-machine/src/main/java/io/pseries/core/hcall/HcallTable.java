package io.pseries.core.hcall;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry of hypervisor calls by opcode and by name. PAPR opcodes are multiples of 4 up to
 * {@link #MAX_PAPR_OPCODE}; the KVM-private range starts at {@link #KVMPPC_BASE}. Calling them
 * (and answering {@code H_FUNCTION} for an opcode nobody registered) is {@link HcallDispatch}'s.
 *
 * <p>Flow: the machine and each interrupt controller register their hcalls at creation; after
 * that the table is only read. Threading: confined to the machine's thread.
 */
public final class HcallTable {
    public static final int MAX_PAPR_OPCODE = 0x800;
    public static final int KVMPPC_BASE = 0xF000;
    public static final int KVMPPC_MAX = 0xF0FF;
    /** Number of argument registers an hcall sees (R4..R12). */
    public static final int NARGS = 9;

    /** A registered hcall: its number, name, how many outputs it returns, and its handler. */
    public record Entry(int opcode, String name, int nret, HcallHandler handler) {
    }

    private final Entry[] papr = new Entry[MAX_PAPR_OPCODE / 4 + 1];
    private final Entry[] kvm = new Entry[KVMPPC_MAX - KVMPPC_BASE + 1];
    private final Map<String, Entry> byName = new HashMap<>();

    /** Registers an hcall; a second registration of the same opcode is a programming error. */
    public void register(int opcode, String name, int nret, HcallHandler h) {
        Entry e = new Entry(opcode, name, nret, h);
        if (opcode >= 0 && opcode <= MAX_PAPR_OPCODE) {
            if ((opcode & 3) != 0) {
                throw new IllegalArgumentException("PAPR hcall opcodes are multiples of 4: 0x" + Integer.toHexString(opcode));
            }
            if (papr[opcode / 4] != null) {
                throw new IllegalStateException("hcall 0x" + Integer.toHexString(opcode) + " registered twice");
            }
            papr[opcode / 4] = e;
        } else if (opcode >= KVMPPC_BASE && opcode <= KVMPPC_MAX) {
            if (kvm[opcode - KVMPPC_BASE] != null) {
                throw new IllegalStateException("hcall 0x" + Integer.toHexString(opcode) + " registered twice");
            }
            kvm[opcode - KVMPPC_BASE] = e;
        } else {
            throw new IllegalArgumentException("hcall opcode out of range: 0x" + Long.toHexString(opcode));
        }
        byName.put(name, e);
    }

    /** The entry for an opcode, or {@code null} (unaligned or unregistered). */
    public Entry lookup(long opcode) {
        if (opcode >= 0 && opcode <= MAX_PAPR_OPCODE) {
            return (opcode & 3) == 0 ? papr[(int) (opcode / 4)] : null;
        }
        if (opcode >= KVMPPC_BASE && opcode <= KVMPPC_MAX) {
            return kvm[(int) (opcode - KVMPPC_BASE)];
        }
        return null;
    }

    public Entry lookup(String name) {
        return byName.get(name);
    }

    /** Every registered hcall by name, sorted. */
    public Map<String, Entry> all() {
        return Collections.unmodifiableMap(new TreeMap<>(byName));
    }
}
