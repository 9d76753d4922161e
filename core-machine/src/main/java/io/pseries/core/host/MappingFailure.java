package io.pseries.core.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A mapping the VMM could not make: which call failed ({@code "mmap"} or
 * {@code "KVM_SET_USER_MEMORY_REGION"}), the kernel's errno, for which interrupt source, the
 * limit that was reached ({@code vm.max_map_count} or {@code KVM_USER_MEM_SLOTS}) and its value,
 * and how many VMAs and memory slots the VMM held at that moment.
 *
 * <p>Immutable; any thread.
 */
public record MappingFailure(String call, Errno errno, int lisn, String limit, long limitValue, long vmas, long memslots) {

    /** One line: {@code KVM_SET_USER_MEMORY_REGION failed with EINVAL at LISN 0x80fd (KVM_USER_MEM_SLOTS = 32767 ...)}. */
    public String message() {
        return String.format("%s failed with %s (%s) at LISN 0x%x: %s = %d reached with %d VMAs and %d memory slots",
            call, errno.name(), errno.message(), lisn, limit, limitValue, vmas, memslots);
    }

    /** As plain data: {@code { call, errno, lisn, limit, limitValue, vmas, memslots, message }}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("call", call);
        m.put("errno", errno.name());
        m.put("lisn", lisn);
        m.put("limit", limit);
        m.put("limitValue", limitValue);
        m.put("vmas", vmas);
        m.put("memslots", memslots);
        m.put("message", message());
        return m;
    }
}
