package io.pseries.core.boot;

import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestPlatform;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.sched.Scheduler;

/**
 * How a guest comes to run on the machine, in one of two ways: the Linux-like guest model
 * ({@link GuestOs}) booted through CAS, at most one per reset; or guest code, an ELF payload
 * loaded as QEMU's pseries with {@code x-vof=on -kernel} loads it ({@link VofBoot}), then run by
 * the interpreting vCPUs. A machine reset or a restore drops the guest model; RAM, and so a
 * loaded payload, survives a reset. (The guest model's own boot sequence, firmware to SMP
 * bring-up, is {@link io.pseries.core.guest.GuestBoot}.)
 *
 * <p>Threading: the machine's thread only.
 */
public final class GuestLoader {
    private final GuestPlatform platform;
    private final CpuThreads threads;
    private final GuestMemory memory;
    private final Scheduler scheduler;
    private GuestOs guest;

    public GuestLoader(GuestPlatform platform, CpuThreads threads, GuestMemory memory, Scheduler scheduler) {
        this.platform = platform;
        this.threads = threads;
        this.memory = memory;
        this.scheduler = scheduler;
    }

    /** The guest model once booted, or null. */
    public GuestOs guest() {
        return guest;
    }

    /** Boots the guest model; refused while one is booted. A boot that throws leaves none. */
    public GuestOs.BootReport boot(GuestOs.BootOptions options) {
        if (guest != null) {
            throw new IllegalStateException("the guest is already booted; reset the machine (m.reset()) to boot again");
        }
        GuestOs g = new GuestOs(platform, options);
        guest = g;
        try {
            return g.boot();
        } catch (RuntimeException e) {
            guest = null;
            g.detach();
            throw e;
        }
    }

    /** Installs the guest model a snapshot restored, replacing (detaching) the current one. */
    public void restore(GuestOs g) {
        if (guest != null) {
            guest.detach();
        }
        guest = g;
    }

    /** Detaches and forgets the guest model, if any (a reset, a restore beginning). */
    public void drop() {
        if (guest != null) {
            guest.detach();
            guest = null;
        }
    }

    /** Loads an ELF payload, puts the boot CPU in VOF's entry state and lets the vCPUs run guest code. */
    public VofBoot.Loaded loadElf(byte[] elf) {
        VofBoot.Loaded l = VofBoot.load(memory, ElfImage.parse(elf));
        VofBoot.enter(threads.cpu(0), l);
        threads.enable();
        return l;
    }

    /** Runs guest code until power-off, a fatal error, every vCPU stopped, or {@code timeoutNs} more virtual time. */
    public CpuThreads.Outcome runGuest(long timeoutNs) {
        return threads.runUntil(Math.addExact(scheduler.now(), timeoutNs), () -> false);
    }
}
