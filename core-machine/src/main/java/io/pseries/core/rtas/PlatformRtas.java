package io.pseries.core.rtas;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.IntConsumer;
import java.util.function.LongFunction;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.sched.Scheduler;

/**
 * The RTAS calls of the platform itself, as QEMU's spapr_rtas.c and spapr_rtc.c serve them:
 * {@code display-character} (the console), {@code get-time-of-day}/{@code set-time-of-day},
 * {@code power-off}, {@code system-reboot}, {@code query-cpu-stopped-state}, {@code start-cpu},
 * {@code stop-self}, {@code ibm,os-term}, {@code event-scan} and {@code check-exception}.
 * Each checks its argument and result counts and answers status -3 when they are wrong.
 *
 * <p>Flow: {@link #register} once at machine creation; the guest's calls then arrive through
 * {@link RtasDispatch}. The state they leave (powered off, os-term, the clock
 * offset) is read by the machine; {@link #reset} clears what a machine reset clears (the console
 * and the clock offset survive, as QEMU's do). Threading: confined to the machine's thread.
 */
public final class PlatformRtas {
    /** get-time-of-day counts from 2026-01-01T00:00:00Z plus virtual time: deterministic. */
    private static final long EPOCH_BASE_S = 1_767_225_600L;

    private final Scheduler scheduler;
    private final LongFunction<VCpu> cpuByVcpuId;
    private final Runnable machineReset;
    private final IntConsumer console;
    private boolean poweredOff;
    private String osTerm;
    private long todOffsetNs;
    private CpuStarter cpuStarter;

    /** What start-cpu does beyond marking the vCPU running: set its entry state (the interpreter). */
    @FunctionalInterface
    public interface CpuStarter {
        /** {@code target} starts at {@code entry} with R3 = {@code r3}, on behalf of {@code caller}. */
        void start(VCpu caller, VCpu target, long entry, long r3);
    }

    /** Installs the start-cpu entry-state hook (null: only the running flag changes). */
    public void setCpuStarter(CpuStarter s) {
        cpuStarter = s;
    }

    /**
     * @param cpuByVcpuId  the vCPU of a guest-visible id, or null
     * @param machineReset what {@code system-reboot} runs once the call has returned
     * @param console      where display-character writes (QEMU: the default vty)
     */
    public PlatformRtas(Scheduler scheduler, LongFunction<VCpu> cpuByVcpuId, Runnable machineReset, IntConsumer console) {
        this.scheduler = scheduler;
        this.console = console;
        this.cpuByVcpuId = cpuByVcpuId;
        this.machineReset = machineReset;
    }

    public boolean poweredOff() {
        return poweredOff;
    }

    /** The message of the guest's ibm,os-term call, or null. */
    public String osTerm() {
        return osTerm;
    }

    /** The time-of-day offset set by the guest (snapshot state). */
    public long todOffsetNs() {
        return todOffsetNs;
    }

    /** Restores a snapshot's platform state (the console text is the console device's, restored there). */
    public void restore(boolean off, String osTermMessage, long todOffset) {
        poweredOff = off;
        osTerm = osTermMessage;
        todOffsetNs = todOffset;
    }

    /** Machine reset: powered on again, no os-term. */
    public void reset() {
        poweredOff = false;
        osTerm = null;
    }

    /** Registers every platform call under QEMU's token. */
    public void register(RtasTable rtas) {
        rtas.register("display-character", 1, this::displayCharacter);
        rtas.register("get-time-of-day", 8, this::getTimeOfDay);
        rtas.register("set-time-of-day", 1, this::setTimeOfDay);
        rtas.register("power-off", 1, c -> {
            if (counts(c, 2, 1)) {
                poweredOff = true;
                c.status(RtasStatus.SUCCESS);
            }
        });
        rtas.register("system-reboot", 1, c -> {
            if (counts(c, 0, 1)) {
                c.status(RtasStatus.SUCCESS);
                // the reset happens once the call has returned
                scheduler.after(0, now -> machineReset.run());
            }
        });
        rtas.register("query-cpu-stopped-state", 2, this::queryCpuStoppedState);
        rtas.register("start-cpu", 1, this::startCpu);
        rtas.register("stop-self", 1, c -> {
            c.cpu().setRunning(false);
            c.status(RtasStatus.SUCCESS);
        });
        rtas.register("ibm,os-term", 1, c -> {
            if (counts(c, 1, 1)) {
                osTerm = "os-term";
                c.status(RtasStatus.SUCCESS);
            }
        });
        rtas.register("event-scan", 1, c -> {
            if (counts(c, 4, 1)) {
                c.status(RtasStatus.NO_ERRORS_FOUND);
            }
        });
        rtas.register("check-exception", 1, c -> {
            if ((c.nargs() != 6 && c.nargs() != 7) || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            c.status(RtasStatus.NO_ERRORS_FOUND);
        });
    }

    /** Whether the call has exactly these counts; answers a parameter error when not. */
    private static boolean counts(RtasCall c, int nargs, int nret) {
        if (c.nargs() != nargs || c.nret() != nret) {
            c.status(RtasStatus.PARAM_ERROR);
            return false;
        }
        return true;
    }

    private void displayCharacter(RtasCall c) {
        if (counts(c, 1, 1)) {
            console.accept((int) (c.arg(0) & 0xff));
            c.status(RtasStatus.SUCCESS);
        }
    }

    private void getTimeOfDay(RtasCall c) {
        if (!counts(c, 0, 8)) {
            return;
        }
        long ns = scheduler.now() + todOffsetNs;
        LocalDateTime t = LocalDateTime.ofEpochSecond(EPOCH_BASE_S + Math.floorDiv(ns, 1_000_000_000L),
            (int) Math.floorMod(ns, 1_000_000_000L), ZoneOffset.UTC);
        c.status(RtasStatus.SUCCESS);
        c.ret(1, t.getYear());
        c.ret(2, t.getMonthValue());
        c.ret(3, t.getDayOfMonth());
        c.ret(4, t.getHour());
        c.ret(5, t.getMinute());
        c.ret(6, t.getSecond());
        c.ret(7, t.getNano());
    }

    private void setTimeOfDay(RtasCall c) {
        if (!counts(c, 7, 1)) {
            return;
        }
        try {
            LocalDateTime t = LocalDateTime.of((int) c.arg(0), (int) c.arg(1), (int) c.arg(2), (int) c.arg(3),
                (int) c.arg(4), (int) c.arg(5), (int) c.arg(6));
            long target = (t.toEpochSecond(ZoneOffset.UTC) - EPOCH_BASE_S) * 1_000_000_000L + t.getNano();
            todOffsetNs = target - scheduler.now();
            c.status(RtasStatus.SUCCESS);
        } catch (DateTimeException ex) {
            c.status(RtasStatus.PARAM_ERROR);
        }
    }

    private void queryCpuStoppedState(RtasCall c) {
        if (!counts(c, 1, 2)) {
            return;
        }
        VCpu t = cpuByVcpuId.apply(c.arg(0));
        if (t == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        c.status(RtasStatus.SUCCESS);
        c.ret(1, t.running() ? 2 : 0);
    }

    private void startCpu(RtasCall c) {
        if (!counts(c, 3, 1)) {
            return;
        }
        VCpu t = cpuByVcpuId.apply(c.arg(0));
        if (t == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        if (t.running()) {
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        t.setRunning(true);
        if (cpuStarter != null) {
            cpuStarter.start(c.cpu(), t, c.arg(1), c.arg(2));
        }
        c.status(RtasStatus.SUCCESS);
    }
}
