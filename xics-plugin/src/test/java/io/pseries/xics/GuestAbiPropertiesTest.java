package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import io.pseries.core.Machine;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.xive.SpaprXive;

/**
 * Random guest ABI traffic (hcalls, RTAS calls, MMIO loads and stores on the ESB, TIMA and
 * anywhere else) against every machine mode: XICS, XIVE, dual before CAS, and dual after CAS
 * chose either controller. Whatever the sequence:
 * <ul>
 *   <li>every hcall answers a PAPR return code ({@link PaprRc}'s hvcall.h list), every RTAS
 *       call a PAPR RTAS status;</li>
 *   <li>every XIVE source's PQ is one of 00, 01, 10, 11, every XICS source's status uses only
 *       the four architected bits and its priorities are bytes;</li>
 *   <li>the same sequence on a fresh machine gives the same answers (the model is
 *       deterministic);</li>
 *   <li>after a machine reset the Linux-like guest boots and an IPI is delivered once.</li>
 * </ul>
 * Nothing here may throw: a guest cannot make the model fail.
 */
class GuestAbiPropertiesTest {

    enum Mode { XICS, XIVE, DUAL_BEFORE_CAS, DUAL_CAS_XIVE, DUAL_CAS_XICS }

    /** One guest action: kind 0 hcall, 1 RTAS by token, 2 load, 3 store. */
    record Op(int kind, int cpu, long code, long[] args, int size) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> String.format("hcall(%d, 0x%x, %s)", cpu, code, Arrays.toString(args));
                case 1 -> String.format("rtas(%d, token 0x%x, %s, nret %d)", cpu, code, Arrays.toString(args), size);
                case 2 -> String.format("load(%d, 0x%x, %d)", cpu, code, size);
                default -> String.format("store(%d, 0x%x, %d, 0x%x)", cpu, code, size, args[0]);
            };
        }
    }

    static final int CPUS = 2;
    static final long ESB = 0x0006_0100_0000_0000L;
    static final long TIMA = 0x0006_0302_0318_0000L;
    static final Set<Long> HCALL_RCS = paprReturnCodes();
    static final Set<Integer> RTAS_STATUSES = Set.of(RtasStatus.SUCCESS, RtasStatus.NO_ERRORS_FOUND,
        RtasStatus.HW_ERROR, RtasStatus.BUSY, RtasStatus.PARAM_ERROR, RtasStatus.NOT_AUTHORIZED,
        RtasStatus.SYSPARM_PARAM_ERROR, 9900, 9901, 9902, 9903, 9904, 9905,
        // ibm,suspend-me while another vCPU runs (PAPR's multiple-threads-active status, as QEMU's)
        io.pseries.core.rtas.PlatformRtas.MULTI_THREADS_ACTIVE);

    private static Set<Long> paprReturnCodes() {
        Set<Long> s = new TreeSet<>();
        for (Field f : PaprRc.class.getFields()) {
            if (f.getType() == long.class && Modifier.isStatic(f.getModifiers()) && f.getName().startsWith("H_")) {
                try {
                    s.add(f.getLong(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return s;
    }

    static Machine machine(Mode mode) {
        String ic = switch (mode) {
            case XICS -> "xics";
            case XIVE -> "xive";
            default -> "dual";
        };
        Machine m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode(ic).build());
        switch (mode) {
            case DUAL_CAS_XIVE, XIVE -> m.cas(GuestOv5.linuxVector(0x40));
            case DUAL_CAS_XICS -> m.cas(GuestOv5.linuxVector(0x00));
            default -> { }
        }
        return m;
    }

    // ------------------------------------------------------------------ generators

    /** Argument values a careless or hostile guest passes: edges, small numbers, real LISNs and IRQs. */
    static Arbitrary<Long> argument() {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 16)),
            net.jqwik.api.Tuple.of(3, Arbitraries.of(0x1000L, 0x1001L, 0x1100L, 0x1200L, 0x1FFFL, 0x2000L, 0xFFL, 0x400L,
                0x0100_0000L, 12L, 16L, 21L, 24L, 0xC00L, 0x800L, 0x20000L)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFF_FFFFL, 1L << 32)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
    }

    static Arbitrary<Long> hcallOpcode() {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.of((long) Hcalls.H_EOI, (long) Hcalls.H_CPPR, (long) Hcalls.H_IPI,
                (long) Hcalls.H_IPOLL, (long) Hcalls.H_XIRR, (long) Hcalls.H_XIRR_X,
                (long) Hcalls.H_INT_GET_SOURCE_INFO, (long) Hcalls.H_INT_SET_SOURCE_CONFIG,
                (long) Hcalls.H_INT_GET_SOURCE_CONFIG, (long) Hcalls.H_INT_GET_QUEUE_INFO,
                (long) Hcalls.H_INT_SET_QUEUE_CONFIG, (long) Hcalls.H_INT_GET_QUEUE_CONFIG,
                (long) Hcalls.H_INT_SET_OS_REPORTING_LINE, (long) Hcalls.H_INT_GET_OS_REPORTING_LINE,
                (long) Hcalls.H_INT_ESB, (long) Hcalls.H_INT_SYNC, (long) Hcalls.H_INT_RESET)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 0x500).map(x -> x & ~3L)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
    }

    static Arbitrary<Long> mmioAddress() {
        Arbitrary<Long> esb = Arbitraries.longs().between(0, 0x2000).flatMap(lisn ->
            Arbitraries.longs().between(0, 0x1FFFF).map(off -> ESB + lisn * 0x20000 + off));
        Arbitrary<Long> tima = Arbitraries.longs().between(0, 0x3FFFF).map(off -> TIMA + off);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, esb),
            net.jqwik.api.Tuple.of(4, tima),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> cpu = Arbitraries.integers().between(0, CPUS);          // CPUS itself: no such vCPU
        Arbitrary<long[]> args = argument().list().ofMaxSize(8).map(l -> l.stream().mapToLong(Long::longValue).toArray());
        Arbitrary<Integer> size = Arbitraries.of(1, 2, 4, 8);
        Arbitrary<Op> hcall = Combinators.combine(cpu, hcallOpcode(), args).as((c, o, a) -> new Op(0, c, o, a, 0));
        Arbitrary<Op> rtas = Combinators.combine(cpu, Arbitraries.integers().between(0x2000, 0x2030), args,
            Arbitraries.integers().between(-1, 9)).as((c, t, a, n) -> new Op(1, c, t, a, n));
        Arbitrary<Op> load = Combinators.combine(cpu, mmioAddress(), size).as((c, a, s) -> new Op(2, c, a, new long[0], s));
        Arbitrary<Op> store = Combinators.combine(cpu, mmioAddress(), size, argument())
            .as((c, a, s, v) -> new Op(3, c, a, new long[] {v}, s));
        return Arbitraries.oneOf(hcall, rtas, load, store).list().ofMinSize(1).ofMaxSize(60);
    }

    // ------------------------------------------------------------------ running and checking

    /** Runs the sequence; returns one line per answer, asserting each answer is architected. */
    static List<String> run(Machine m, List<Op> ops) {
        List<String> answers = new ArrayList<>();
        for (Op op : ops) {
            if (op.cpu() >= CPUS) {
                continue;                                  // no such vCPU: nothing can issue it
            }
            switch (op.kind()) {
                case 0 -> {
                    HcallResult r = m.hcall(op.cpu(), op.code(), op.args());
                    assertTrue(HCALL_RCS.contains(r.rc()), () -> op + " returned " + r.rc() + ", not a PAPR code");
                    answers.add(r.rc() + " " + Arrays.toString(r.rets()));
                }
                case 1 -> {
                    int[] a = Arrays.stream(op.args()).mapToInt(x -> (int) x).toArray();
                    RtasResult r = m.rtasByToken(m.cpu(op.cpu()), (int) op.code(), a, Math.max(0, op.size()));
                    assertTrue(RTAS_STATUSES.contains(r.status()), () -> op + " returned RTAS status " + r.status());
                    answers.add(r.status() + " " + Arrays.toString(r.rets()));
                }
                case 2 -> {
                    int size = op.size();
                    answers.add(Long.toHexString(m.load(op.cpu(), op.code(), size)));
                }
                default -> m.store(op.cpu(), op.code(), op.size(), op.args()[0]);
            }
        }
        return answers;
    }

    static void assertControllerStateValid(Machine m) {
        if (m.controller("xive") instanceof SpaprXive x) {
            for (int lisn = 0; lisn < x.nrIrqs(); lisn++) {
                int pq = x.source().pq(lisn);
                assertTrue(pq >= 0 && pq <= 3, "LISN " + lisn + " PQ " + pq);
            }
        }
        if (m.controller("xics") instanceof SpaprXics x) {
            Ics ics = x.ics();
            for (int s = 0; s < Ics.NR_IRQS; s++) {
                assertEquals(0, ics.status(s) & ~0xF, "ICS source " + s + " status bits");
                assertTrue(ics.priority(s) >= 0 && ics.priority(s) <= 0xFF);
                assertTrue(ics.savedPriority(s) >= 0 && ics.savedPriority(s) <= 0xFF);
            }
        }
    }

    static void assertStillDeliversAnIpi(Machine m) {
        m.reset();
        m.boot(GuestOs.BootOptions.defaults());
        long before = m.guest().ipisTaken(1);
        m.guest().ipi(0, 1);
        m.runUntilIdle();
        assertEquals(before + 1, m.guest().ipisTaken(1), "an IPI after the random traffic and a reset");
    }

    @Property(tries = 60)
    void randomGuestTraffic_getsOnlyArchitectedAnswers_leavesValidState_isDeterministic_machineStillDelivers(
            @ForAll Mode mode, @ForAll("ops") @Size(max = 60) List<Op> ops) {
        Machine m = machine(mode);
        List<String> first = run(m, ops);
        assertControllerStateValid(m);
        List<String> second = run(machine(mode), ops);
        assertEquals(first, second, "the same sequence on a fresh machine gives the same answers");
        assertStillDeliversAnIpi(m);
    }
}
