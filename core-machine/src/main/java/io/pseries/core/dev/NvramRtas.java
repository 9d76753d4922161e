package io.pseries.core.dev;

import io.pseries.core.mem.GuestMemory;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * {@code nvram-fetch} and {@code nvram-store}, the RTAS calls the machine's NVRAM device
 * (QEMU's spapr-nvram, always present) serves from its 64 KiB, as QEMU 7.2's spapr_nvram.c does:
 * three arguments (offset, buffer, length) and two results (status, bytes moved); a range past
 * the end answers -3 with 0 bytes. The contents start zeroed (QEMU without a drive or
 * {@code -prom-env}) and survive a machine reset, as a real NVRAM does.
 *
 * <p>A buffer outside guest RAM answers -1 (hardware error) with 0 bytes; QEMU would map
 * nothing there. Confined to the machine's thread.
 */
public final class NvramRtas {
    /** DEFAULT_NVRAM_SIZE. */
    public static final int SIZE = 0x10000;

    private final byte[] contents = new byte[SIZE];
    private final GuestMemory memory;

    public NvramRtas(GuestMemory memory) {
        this.memory = memory;
    }

    /** A copy of the NVRAM's bytes. */
    public byte[] contents() {
        return contents.clone();
    }

    public void register(RtasTable t) {
        t.register("nvram-fetch", 2, c -> transfer(c, true));
        t.register("nvram-store", 2, c -> transfer(c, false));
    }

    private void transfer(RtasCall c, boolean fetch) {
        if (c.nargs() != 3 || c.nret() != 2) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        long offset = c.arg(0);
        long buffer = c.arg(1);
        long len = c.arg(2);
        if (offset + len > SIZE) {
            c.status(RtasStatus.PARAM_ERROR);
            c.ret(1, 0);
            return;
        }
        if (len > 0 && !memory.contains(buffer, (int) len)) {
            c.status(RtasStatus.HW_ERROR);
            c.ret(1, 0);
            return;
        }
        if (fetch) {
            byte[] part = new byte[(int) len];
            System.arraycopy(contents, (int) offset, part, 0, (int) len);
            memory.writeBytes(buffer, part);
        } else {
            System.arraycopy(memory.readBytes(buffer, (int) len), 0, contents, (int) offset, (int) len);
        }
        c.status(RtasStatus.SUCCESS);
        c.ret(1, len);
    }
}
