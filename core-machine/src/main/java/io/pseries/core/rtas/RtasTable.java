package io.pseries.core.rtas;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * RTAS dispatch by name and by token. Tokens are QEMU's fixed numbers (RTAS_TOKEN_BASE
 * 0x2000 + index), so the {@code /rtas} node lists the same tokens as QEMU's; a call appears in
 * the device tree only once something registered it (the XICS calls, for instance, only exist
 * on machines with a XICS controller).
 */
public final class RtasTable {
    /** QEMU's token numbering, in token order. */
    public static final String[] QEMU_TOKEN_ORDER = {
        "display-character", "get-time-of-day", "set-time-of-day", "power-off", "system-reboot",
        "query-cpu-stopped-state", "start-cpu", "stop-self", "ibm,get-system-parameter",
        "ibm,set-system-parameter", "ibm,set-xive", "ibm,get-xive", "ibm,int-off", "ibm,int-on",
        "check-exception", "event-scan", "ibm,set-tce-bypass", "quiesce", "nvram-fetch",
        "nvram-store", "read-pci-config", "write-pci-config", "ibm,read-pci-config",
        "ibm,write-pci-config", "ibm,query-interrupt-source-number", "ibm,change-msi",
        "set-indicator", "set-power-level", "get-power-level", "get-sensor-state",
        "ibm,configure-connector", "ibm,os-term", "ibm,set-eeh-option", "ibm,get-config-addr-info2",
        "ibm,read-slot-reset-state2", "ibm,set-slot-reset", "ibm,configure-pe",
        "ibm,slot-error-detail", "ibm,query-pe-dma-window", "ibm,create-pe-dma-window",
        "ibm,remove-pe-dma-window", "ibm,reset-pe-dma-window", "ibm,suspend-me",
        "ibm,nmi-register", "ibm,nmi-interlock",
    };
    public static final int TOKEN_BASE = 0x2000;

    /** A registered call: name, token, the number of outputs a caller normally reserves, handler. */
    public record Entry(String name, int token, int nret, RtasHandler handler) {
    }

    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final Map<Integer, Entry> byToken = new TreeMap<>();

    /** QEMU's token for a call name, or -1 if QEMU does not define it. */
    public static int qemuToken(String name) {
        for (int i = 0; i < QEMU_TOKEN_ORDER.length; i++) {
            if (QEMU_TOKEN_ORDER[i].equals(name)) {
                return TOKEN_BASE + i;
            }
        }
        return -1;
    }

    /** Registers a call under QEMU's token for its name. */
    public void register(String name, int nret, RtasHandler h) {
        int token = qemuToken(name);
        if (token < 0) {
            throw new IllegalArgumentException("no QEMU RTAS token for " + name);
        }
        if (byName.containsKey(name)) {
            throw new IllegalStateException("RTAS call " + name + " registered twice");
        }
        Entry e = new Entry(name, token, nret, h);
        byName.put(name, e);
        byToken.put(token, e);
    }

    public Entry lookup(String name) {
        return byName.get(name);
    }

    public Entry lookup(int token) {
        return byToken.get(token);
    }

    /** Registered calls in token order (the order of QEMU's {@code /rtas} properties, reversed there). */
    public Map<Integer, Entry> byToken() {
        return Collections.unmodifiableMap(byToken);
    }
}
