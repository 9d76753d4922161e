package io.pseries.core.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The VM's memory regions ({@code KVM_SET_USER_MEMORY_REGION}), with the kernel's checks:
 * a slot number at or past the user slot limit, or a size, guest address or user address not
 * aligned to the host page, is {@code EINVAL}; a region overlapping another slot is
 * {@code EEXIST}; size 0 deletes the slot.
 *
 * <p>Threading: the machine's thread only.
 */
public final class MemSlots {
    private long changes;
    private final int limit;
    private final long pageMask;
    private final HostStats stats;
    private final Map<Integer, MemSlot> bySlot = new TreeMap<>();
    private final TreeMap<Long, MemSlot> byGpa = new TreeMap<>(Long::compareUnsigned);

    MemSlots(int limit, int pageShift, HostStats stats) {
        this.limit = limit;
        this.pageMask = (1L << pageShift) - 1;
        this.stats = stats;
    }

    /** KVM_USER_MEM_SLOTS of this host. */
    public int limit() {
        return limit;
    }

    /** KVM_SET_USER_MEMORY_REGION. */
    public KvmResult set(int slot, long gpa, long size, long hva, int flags, String name) {
        if (slot < 0 || (slot & 0xffff) >= limit) {
            return KvmResult.error(Errno.EINVAL);
        }
        if ((size & pageMask) != 0 || (gpa & pageMask) != 0 || (hva & pageMask) != 0 || size < 0) {
            return KvmResult.error(Errno.EINVAL);
        }
        MemSlot old = bySlot.get(slot);
        changes++;
        if (size == 0) {
            if (old != null) {
                bySlot.remove(slot);
                byGpa.remove(old.gpa());
                stats.memslots--;
            }
            return KvmResult.ok();
        }
        // slots never overlap each other, so only the last one starting below the new end can
        for (MemSlot s : byGpa.headMap(gpa + size, false).descendingMap().values()) {
            if (s.slot() == slot) {
                continue;
            }
            if (Long.compareUnsigned(gpa, s.gpa() + s.size()) < 0) {
                return KvmResult.error(Errno.EEXIST);
            }
            break;
        }
        if (old != null) {
            byGpa.remove(old.gpa());
        } else {
            stats.memslots++;
        }
        MemSlot s = new MemSlot(slot, gpa, size, hva, flags, name);
        bySlot.put(slot, s);
        byGpa.put(gpa, s);
        return KvmResult.ok();
    }

    /** The lowest slot number not in use, or -1 when every slot up to the limit is taken. */
    public int freeSlot() {
        int i = 0;
        for (int s : bySlot.keySet()) {
            if (s != i) {
                break;
            }
            i++;
        }
        return i < limit ? i : -1;
    }

    /** The slot covering guest physical {@code gpa}, or {@code null}. */
    public MemSlot find(long gpa) {
        Map.Entry<Long, MemSlot> e = byGpa.floorEntry(gpa);
        return e != null && e.getValue().contains(gpa) ? e.getValue() : null;
    }

    public List<MemSlot> list() {
        return new ArrayList<>(bySlot.values());
    }

    public int count() {
        return bySlot.size();
    }

    /** How many times a slot was set or removed (what serves guest addresses may have changed). */
    public long changes() {
        return changes;
    }
}
