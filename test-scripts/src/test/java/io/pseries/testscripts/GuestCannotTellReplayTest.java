package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.rtas.RtasResult;
import io.pseries.testscripts.host.KernelIrqchipDifferences;

/**
 * "Guests cannot tell": the same long random sequence of guest operations (hcalls with good and
 * bad arguments, ESB and TIMA loads and stores, device line pulses, event-queue reads, RTAS calls)
 * replayed against two machines, one with the emulated controller ({@code kernelIrqchip 'off'})
 * and one served by the simulated in-kernel device ({@code 'on'}); every result must be the same,
 * and so must {@code pic()} at the end, but for what QEMU/KVM themselves show differently, checked
 * against its rule and then left out ({@link KernelIrqchipDifferences}: the OS ring's LSMFB and
 * AGE, an LSI's Q bit). Accesses a guest cannot make on QEMU/KVM either way are left out: ESB
 * pages of numbers never claimed and the TIMA's HW/HV pages (KVM raises SIGBUS where QEMU's
 * emulation answers), a source routed to a queue without a page and a queue without
 * ALWAYS_NOTIFY (KVM refuses both, QEMU then answers H_HARDWARE: Linux guests never do either).
 * Where QEMU/KVM differ on what a guest does, the replay does it as Linux does (each difference
 * has its own test in KernelIrqchipGuestViewTest):
 * <ul>
 *   <li>LSIs only through H_INT_ESB (QEMU gives no ESB page addresses for them), their EOI only
 *       after a GET shows P, never SET_PQ_11 or stores ({@link #lsiEsb});</li>
 *   <li>H_INT_SET_SOURCE_CONFIG without the MASK flag, and priority 0xFF only after masking the
 *       ESB, which then stays masked until the source is routed again ({@link #xiveOp}).</li>
 *   <li>XICS CPPRs and source priorities 0-5 or 0xFF, as Linux uses them: KVM's XICS-on-XIVE
 *       acts on 6-0xFE as 6 where QEMU's emulation takes them as given
 *       (XicsOnXivePriorityLimitTest); MFRRs take every value.</li>
 * </ul>
 * After H_INT_RESET the sources are turned off again without comparing (see {@link #offAll}).
 */
class GuestCannotTellReplayTest {
    static final long ESB = 0x0006_0100_0000_0000L;
    static final long TIMA_OS = 0x0006_0302_0318_0000L + 0x20000;
    static final int CPUS = 4;
    static final int STEPS = 4000;
    /** Claimed by the machine: IPIs 0..3, EPOW, hot-plug, the console, the PHB's LSIs. */
    static final int[] SOURCES = {0, 1, 2, 3, 0x1000, 0x1001, 0x1100, 0x1200, 0x1201, 0x1202, 0x1203};
    static final int[] DEVICE_LINES = {0x1000, 0x1001, 0x1100, 0x1200, 0x1201};
    /** The MSIs among them: the only sources whose ESB pages a guest is given (LSIs: H_INT_ESB). */
    static final int[] MSIS = {0, 1, 2, 3, 0x1000, 0x1001, 0x1100};
    /** Event-queue pages in guest RAM (64K aligned): one per (vCPU, priority 0..6). */
    static final long[] QPAGES = new long[CPUS * 7];

    static {
        for (int i = 0; i < QPAGES.length; i++) {
            QPAGES[i] = 0x0100_0000L + 0x10000L * i;
        }
    }

    /**
     * Every vCPU's queues at priorities 0-6, always notify, as Linux configures them before routing
     * a source: the kernel refuses (and QEMU answers H_HARDWARE) a queue without ALWAYS_NOTIFY and
     * a source routed to a queue it has no page for, where the emulation accepts both; such a
     * guest is not a Linux guest, and QEMU/KVM show the same difference.
     */
    static String queues(Machine m) {
        StringBuilder sb = new StringBuilder("queues");
        for (int c = 0; c < CPUS; c++) {
            for (int p = 0; p < 7; p++) {
                sb.append(' ').append(m.hcall(c, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, c, p, QPAGES[c * 7 + p], 16).rc());
            }
        }
        return sb.toString();
    }

    private static Machine machine(String icMode, String kernelIrqchip) {
        Machine m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode(icMode).kernelIrqchip(kernelIrqchip)
            .seed(3).build());
        return m;
    }

    /** One guest operation: what it returned, as text, for comparison. */
    interface Op extends Function<Machine, String> {
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"xive, 1", "xive, 2", "xics, 1", "xics, 2", "dual, 1"})
    void everyResultIsTheSameWithTheEmulatedAndTheInKernelController(String icMode, long seed) {
        Machine off = machine(icMode, "off");
        Machine on = machine(icMode, "on");
        assertTrue(on.host().devices().size() == 1, "the 'on' machine is served by a KVM device");
        boolean xive = !"xics".equals(icMode);
        if ("dual".equals(icMode)) {
            // CAS picks XIVE on both: the 'on' machine swaps its XICS device for the XIVE one
            assertEquals(off.cas(GuestOv5.linuxVector(0x40)).mode(), on.cas(GuestOv5.linuxVector(0x40)).mode());
        } else if (xive) {
            off.cas(GuestOv5.linuxVector(0x40));
            on.cas(GuestOv5.linuxVector(0x40));
        }
        if (xive) {
            assertEquals(queues(off), queues(on));
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        Set<Integer> shutDown = new HashSet<>();
        List<String> log = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            Op op = xive ? xiveOp(rnd, shutDown) : xicsOp(rnd);
            String a = op.apply(off);
            String b = op.apply(on);
            log.add(a);
            if (!a.equals(b)) {
                int from = Math.max(0, log.size() - 8);
                throw new AssertionError("step " + i + " differs:\n  off: " + a + "\n  on:  " + b
                    + "\n  last steps:\n    " + String.join("\n    ", log.subList(from, log.size())));
            }
        }
        assertEquals(KernelIrqchipDifferences.comparablePic(off), KernelIrqchipDifferences.comparablePic(on),
            "pic() after the replay");
        for (long q : QPAGES) {
            for (int w = 0; w < 64; w++) {
                assertEquals(off.memory().read32(q + 4L * w), on.memory().read32(q + 4L * w), "EQ word " + w + " at 0x"
                    + Long.toHexString(q));
            }
        }
        assertTrue(!xive || on.host().stats().directAccesses() > 0, "the in-kernel XIVE served accesses through its mappings");
    }

    private static int pick(SplittableRandom r, int[] a) {
        return a[r.nextInt(a.length)];
    }

    private static long pickL(SplittableRandom r, long[] a) {
        return a[r.nextInt(a.length)];
    }

    private static String hcall(Machine m, int cpu, int opcode, long... args) {
        HcallResult r = m.hcall(cpu, opcode, args);
        return "hcall 0x" + Integer.toHexString(opcode) + Arrays.toString(args) + " -> " + r.rc() + " " + Arrays.toString(r.rets());
    }

    /**
     * One XIVE operation. {@code shutDown} holds the sources the replay set to priority 0xFF and
     * has not routed again since: as Linux, it masked their ESB first and does not unmask it
     * (SET_PQ_00/10/11, nor injects) until it routes them again, since QEMU 7.2 leaves such a source routed in
     * the kernel where the emulated EAS is masked (KernelIrqchipGuestViewTest).
     */
    private static Op xiveOp(SplittableRandom r, Set<Integer> shutDown) {
        int cpu = r.nextInt(CPUS);
        int lisn = r.nextInt(10) == 0 ? r.nextInt(0x2100) : pick(r, SOURCES);
        int target = r.nextInt(8) == 0 ? 7 : r.nextInt(CPUS);
        int prio = r.nextInt(6) == 0 ? 0xff : r.nextInt(8);
        int kind = r.nextInt(12);
        long eisn = r.nextInt(0x100);
        long qpage = r.nextInt(6) == 0 ? 0x1234 : QPAGES[target % CPUS * 7 + Math.min(prio, 6)];
        // a queue is moved or refused, never left without a page (see queues()); 64K queues, as
        // Linux allocates them: the kernel takes no other size, the emulation also takes 4K
        long qsize = new long[] {16, 16, 13}[r.nextInt(3)];
        long esbOff = new long[] {0x000, 0x400, 0x800, 0xc00, 0xd00, 0xe00, 0xf00}[r.nextInt(7)];
        int src = pick(r, MSIS);
        boolean mgmt = r.nextBoolean();
        int line = pick(r, DEVICE_LINES);
        // naturally aligned accesses of the sizes Linux uses: CPPR and IPB bytes, word 2, the ACK
        // halfword, and word 0 whole, its LSMFB byte checked against its rule (timaWord0)
        int[][] timaAcc = {{0x11, 1}, {0x12, 1}, {0x18, 4}, {0x810, 2}, {0x10, 1}, {0x10, 4}};
        int[] ta = timaAcc[r.nextInt(timaAcc.length)];
        long cppr = r.nextInt(4) == 0 ? 0xff : r.nextInt(8);
        boolean reset = r.nextInt(40) == 0;
        boolean claimed = java.util.Arrays.stream(SOURCES).anyMatch(x -> x == lisn);
        if (kind == 1 && prio == 0xff && claimed) {
            shutDown.add(lisn);
        } else if (kind == 1 && prio <= 6 && target < CPUS) {
            shutDown.remove(lisn);
        } else if (kind == 11 && reset) {
            shutDown.clear();
        }
        // what could set P of a masked (PQ 01) source or forward an event whatever PQ is: SET_PQ_00/10/11
        // and the store at 0x800 (inject)
        boolean unmasks = esbOff == 0x800 || esbOff == 0xc00 || esbOff == 0xe00 || esbOff == 0xf00;
        long lisnOff = unmasks && shutDown.contains(lisn) ? 0xd00 : esbOff;
        long srcOff = unmasks && shutDown.contains(src) ? 0xd00 : esbOff;
        long eqWord = pickL(r, QPAGES) + 4L * (eisn & 15);
        return switch (kind) {
            case 0 -> m -> hcall(m, cpu, Hcalls.H_INT_GET_SOURCE_INFO, 0, lisn);
            // flags SET_EISN or none, never MASK; priority 0xFF after masking the ESB (see the class comment)
            case 1 -> m -> (prio == 0xff ? mask(m, cpu, lisn) : "")
                + hcall(m, cpu, Hcalls.H_INT_SET_SOURCE_CONFIG, (eisn & 1) * 2, lisn, target, prio, eisn);
            case 2 -> m -> hcall(m, cpu, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, lisn);
            case 3 -> m -> hcall(m, cpu, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, target, prio, qpage, qsize);
            case 4 -> m -> hcall(m, cpu, Hcalls.H_INT_GET_QUEUE_CONFIG, 0, target, prio);
            case 5 -> m -> isLsi(lisn) ? lsiEsb(m, cpu, lisn, lisnOff) : hcall(m, cpu, Hcalls.H_INT_ESB, eisn & 1, lisn, lisnOff, 0);
            case 6 -> m -> hcall(m, cpu, Hcalls.H_INT_SYNC, 0, lisn);
            case 7 -> m -> "esb load 0x" + Integer.toHexString(src) + (mgmt ? " mgmt +" : " trig +") + srcOff + " -> "
                + m.load(cpu, ESB + src * 0x20000L + (mgmt ? 0x10000 : 0) + srcOff, 8);
            case 8 -> m -> {
                m.store(cpu, ESB + src * 0x20000L + (mgmt ? 0x10000 + srcOff : 0), 8, 0);
                m.runUntilIdle();
                return "esb store 0x" + Integer.toHexString(src);
            };
            case 9 -> m -> {
                m.irq(line).pulse();
                m.runUntilIdle();
                return "pulse 0x" + Integer.toHexString(line);
            };
            case 10 -> m -> ta[0] == 0x11 && eisn < 0x80 ? tima(m, cpu, 0x11, 1, cppr)
                : ta[0] == 0x10 && ta[1] == 4 ? timaWord0(m, cpu)
                : "tima load cpu " + cpu + " +0x" + Integer.toHexString(ta[0]) + "/" + ta[1] + " -> "
                    + m.load(cpu, TIMA_OS + ta[0], ta[1]);
            default -> m -> reset ? hcall(m, cpu, Hcalls.H_INT_RESET, 0) + " " + queues(m) + offAll(m)
                : "eq read " + m.memory().read32(eqWord);
        };
    }

    private static boolean isLsi(long lisn) {
        return lisn >= 0x1200 && lisn <= 0x1203;
    }

    /**
     * H_INT_ESB on an LSI as Linux uses it (SET_PQ_00/01/10 loads; the EOI only after a GET shows
     * P, i.e. of a delivered interrupt), the answer's P bit compared: the hardware IPI behind an
     * in-kernel LSI has MSI rules and may show Q, and QEMU's KVM path answers 0 to an LSI's
     * LOAD_EOI and sets PQ 00 from any state (KernelIrqchipGuestViewTest).
     */
    private static String lsiEsb(Machine m, int cpu, int lisn, long offset) {
        if (offset == 0x000) {
            HcallResult get = m.hcall(cpu, Hcalls.H_INT_ESB, 0, lisn, 0x800, 0);
            boolean p = (get.rets()[0] & 2) != 0;
            String eoi = p ? " eoi rc " + m.hcall(cpu, Hcalls.H_INT_ESB, 0, lisn, 0x000, 0).rc() : "";
            m.runUntilIdle();
            return "lsi 0x" + Integer.toHexString(lisn) + " P " + p + eoi;
        }
        long off = offset >= 0xc00 && offset <= 0xe00 ? offset : 0x800;
        HcallResult r = m.hcall(cpu, Hcalls.H_INT_ESB, 0, lisn, off, 0);
        return "lsi 0x" + Integer.toHexString(lisn) + " esb +0x" + Long.toHexString(off) + " -> " + r.rc() + " P "
            + ((r.rets()[0] & 2) != 0);
    }

    /** What Linux does before priority 0xFF: the source's ESB to PQ 01 (through H_INT_ESB for an LSI). */
    private static String mask(Machine m, int cpu, int lisn) {
        if (isLsi(lisn)) {
            return lsiEsb(m, cpu, lisn, 0xd00) + "; ";
        }
        boolean claimed = java.util.Arrays.stream(MSIS).anyMatch(x -> x == lisn);
        return claimed ? "mask 0x" + Integer.toHexString(lisn) + " -> " + m.load(cpu, ESB + lisn * 0x20000L + 0x10000 + 0xd00, 8) + "; " : "";
    }

    /**
     * After H_INT_RESET, every source to PQ 01 (what a guest does as it sets its sources up
     * again), results not compared: KVM_DEV_XIVE_RESET leaves an already masked source's PQ
     * alone where QEMU's emulated reset turns every PQ off.
     */
    private static String offAll(Machine m) {
        for (int s : SOURCES) {
            if (isLsi(s)) {
                m.hcall(0, Hcalls.H_INT_ESB, 0, s, 0xd00, 0);
            } else {
                m.load(0, ESB + s * 0x20000L + 0x10000 + 0xd00, 8);
            }
        }
        return " (all PQ 01)";
    }

    /**
     * A 4-byte load of OS word 0 (NSR, CPPR, IPB, LSMFB): NSR, CPPR and IPB compared, LSMFB
     * checked against its rule in the machine's mode (KernelIrqchipDifferences).
     */
    private static String timaWord0(Machine m, int cpu) {
        long v = m.load(cpu, TIMA_OS + 0x10, 4);
        long lsmfb = v & 0xff;
        return "tima load cpu " + cpu + " +0x10/4 -> NSR CPPR IPB 0x" + Long.toHexString(v >>> 8) + ", LSMFB "
            + (lsmfb == KernelIrqchipDifferences.lsmfb(m) ? "as its mode has it" : "0x" + Long.toHexString(lsmfb));
    }

    private static String tima(Machine m, int cpu, int off, int size, long v) {
        m.store(cpu, TIMA_OS + off, size, v);
        m.runUntilIdle();
        return "tima store cpu " + cpu + " +0x" + Integer.toHexString(off) + " = " + v;
    }

    private static Op xicsOp(SplittableRandom r) {
        int cpu = r.nextInt(CPUS);
        int server = r.nextInt(8) == 0 ? 9 : r.nextInt(CPUS);
        int irq = r.nextInt(10) == 0 ? 0x1000 + r.nextInt(0x1100) : pick(r, DEVICE_LINES);
        int prio = r.nextInt(5) == 0 ? 0xff : r.nextInt(6);
        int kind = r.nextInt(10);
        long mfrr = r.nextInt(3) == 0 ? 0xff : r.nextInt(8);
        long xirr = (r.nextInt(4) == 0 ? 0xffL : r.nextInt(6)) << 24 | pick(r, new int[] {0, 2, 0x1000, 0x1001, 0x1100, 0x1200});
        int line = pick(r, DEVICE_LINES);
        String onOff = r.nextBoolean() ? "ibm,int-on" : "ibm,int-off";
        return switch (kind) {
            case 0 -> m -> hcall(m, cpu, Hcalls.H_CPPR, prio);
            case 1 -> m -> hcall(m, cpu, Hcalls.H_XIRR, 0);
            case 2 -> m -> hcall(m, cpu, Hcalls.H_EOI, xirr);
            case 3 -> m -> {
                String s = hcall(m, cpu, Hcalls.H_IPI, server, mfrr);
                m.runUntilIdle();
                return s;
            };
            case 4 -> m -> hcall(m, cpu, Hcalls.H_IPOLL, server);
            case 5 -> m -> rtas(m, cpu, "ibm,set-xive", irq, server, prio);
            case 6 -> m -> rtas(m, cpu, "ibm,get-xive", irq);
            case 7 -> m -> rtas(m, cpu, onOff, irq);
            case 8 -> m -> hcall(m, cpu, Hcalls.H_XIRR_X, 0);
            default -> m -> {
                m.irq(line).pulse();
                m.runUntilIdle();
                return "pulse 0x" + Integer.toHexString(line);
            };
        };
    }

    private static String rtas(Machine m, int cpu, String name, int... args) {
        RtasResult r = m.rtas(cpu, name, args, -1);
        return name + Arrays.toString(args) + " -> " + r.status() + " " + Arrays.toString(r.rets());
    }
}
