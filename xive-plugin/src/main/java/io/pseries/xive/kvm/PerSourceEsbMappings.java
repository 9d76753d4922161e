package io.pseries.xive.kvm;

import java.util.HashMap;
import java.util.Map;

import io.pseries.core.host.Errno;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.MappingFailure;
import io.pseries.core.host.Vma;
import io.pseries.core.host.VmmProcess;
import io.pseries.xive.SpaprXive;

/**
 * The ESB layout the XIVE KVM design rejected ({@code host.esbMapping: 'per-source'}): instead of
 * one mmap of the whole ESB window, the VMM maps each claimed source's page pair on its own and
 * registers it as its own KVM memory slot, so the VMM's map count and KVM's slots grow with the
 * sources, and the host's limits are reached.
 *
 * <pre>
 *  map(lisn)   mmap(fd, pgoff 4 + 2 lisn, 2 pages) ─► ENOMEM past vm.max_map_count
 *              KVM_SET_USER_MEMORY_REGION(next slot, gpa VC_BASE + lisn * 128K) ─► EINVAL at KVM_USER_MEM_SLOTS
 *              a failure is recorded on the host ({@link Host#recordFailure}); the pair is left unmapped
 *  unmapAll()  every slot removed, every VMA unmapped
 * </pre>
 *
 * The limits are the host's own checks ({@link VmmProcess#mmap}, {@code MemSlots#set}); this
 * class only makes the calls a per-source VMM would make. The slot number is the next one, as a
 * VMM that counts its slots itself would pass, so the kernel's own refusal is what stops it.
 *
 * <p>Threading: the machine's thread only.
 */
final class PerSourceEsbMappings {
    /** QEMU's ESB pages are 64K: one source's trigger and management pages. */
    private static final long PAIR_BYTES = 2L << 16;

    private final Host host;
    private final int fd;
    private final Map<Integer, Vma> vmas = new HashMap<>();
    private final Map<Integer, Integer> slots = new HashMap<>();
    private int nextSlot = -1;

    PerSourceEsbMappings(Host host, int fd) {
        this.host = host;
        this.fd = fd;
    }

    /** The VMA of {@code lisn}'s page pair, or {@code null} when it is not mapped. */
    Vma vma(int lisn) {
        return vmas.get(lisn);
    }

    int count() {
        return vmas.size();
    }

    /** Maps {@code lisn}'s pair (nothing if mapped): {@code null}, or QEMU-style error text. */
    String map(int lisn) {
        if (vmas.containsKey(lisn)) {
            return null;
        }
        int shift = host.config().pageShift();
        long pgoff = ((KvmXiveUapi.ESB_PAGE_OFFSET << 16) + (long) lisn * PAIR_BYTES) >>> shift;
        String name = String.format("xive.esb-kvm[0x%x]", lisn);
        VmmProcess.MmapResult m = host.process().mmap(fd, pgoff, PAIR_BYTES >>> shift, name);
        if (!m.isOk()) {
            fail("mmap", m.errno(), lisn, "vm.max_map_count", host.config().maxMapCount());
            return "XIVE: unable to set memory mapping: " + m.errno().message();
        }
        if (nextSlot < 0) {
            // slots are only added here while connected, so one scan for the first free one is enough
            nextSlot = host.memslots().freeSlot();
            if (nextSlot < 0) {
                nextSlot = host.memslots().limit();
            }
        }
        int slot = nextSlot; // past the last slot: the next number, which KVM refuses
        KvmResult r = host.memslots().set(slot, SpaprXive.VC_BASE + (long) lisn * PAIR_BYTES, PAIR_BYTES,
            m.vma().start(), 0, name);
        if (!r.isOk()) {
            fail("KVM_SET_USER_MEMORY_REGION", r.errno(), lisn, "KVM_USER_MEM_SLOTS", host.memslots().limit());
            host.process().munmap(m.vma());
            return "kvm_set_phys_mem: error registering slot: " + r.errno().message();
        }
        vmas.put(lisn, m.vma());
        slots.put(lisn, slot);
        nextSlot++;
        return null;
    }

    private void fail(String call, Errno e, int lisn, String limit, long value) {
        host.recordFailure(new MappingFailure(call, e, lisn, limit, value, host.stats().vmas(), host.memslots().count()));
    }

    /** Every pair's slot removed and VMA unmapped (disconnect). */
    void unmapAll() {
        for (Map.Entry<Integer, Integer> e : slots.entrySet()) {
            host.memslots().set(e.getValue(), 0, 0, 0, 0, vmas.get(e.getKey()).name());
        }
        for (Vma v : vmas.values()) {
            host.process().munmap(v);
        }
        slots.clear();
        vmas.clear();
        nextSlot = -1;
    }
}
