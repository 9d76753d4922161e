package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.trace.Trace;

/**
 * The ICS walks only its resend candidates; QEMU walks all 0x1000 sources. Random sequences of
 * every ICS and ICP operation, on a few CPUs and a handful of sources spread over the range,
 * must leave both in the same state after every step (XIRR, pending, MFRR, owner, output; each
 * source's server, priorities, status and kind).
 */
class ResendEquivalenceTest {
    static final int CPUS = 3;
    static final int[] SOURCES = {0, 1, 2, 3, 63, 64, 65, 0x100, 0x7ff, 0xffe, 0xfff};
    static final int[] PRIOS = {0, 3, 4, 5, 5, 6, 0xff};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 42, 2024, 777})
    void randomOperations_candidateWalkEqualsQemusFullWalk(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean[] out = new boolean[CPUS];
        Ics ics = new Ics(new Trace(() -> 0));
        Icp icp = new Icp(CPUS, ics, (c, l) -> out[c] = l, new Trace(() -> 0));
        for (int c = 0; c < CPUS; c++) {
            icp.addServer(c, c);
        }
        QemuXicsReference ref = new QemuXicsReference(CPUS);
        ics.reset();
        for (int s : SOURCES) {
            boolean lsi = r.nextInt(3) == 0;
            ics.claim(s, lsi);
            ref.claim(s, lsi);
        }
        List<String> log = new ArrayList<>();
        for (int step = 0; step < 4000; step++) {
            int s = SOURCES[r.nextInt(SOURCES.length)];
            int c = r.nextInt(CPUS);
            int p = PRIOS[r.nextInt(PRIOS.length)];
            String op;
            switch (r.nextInt(10)) {
                case 0, 1 -> {
                    boolean level = r.nextBoolean();
                    op = "setIrq " + s + " " + level;
                    ics.setIrq(s, level);
                    ref.setIrq(s, level);
                }
                case 2 -> {
                    int saved = PRIOS[r.nextInt(PRIOS.length)];
                    op = "writeXive " + s + " " + c + " " + p + " " + saved;
                    ics.writeXive(s, c, p, saved);
                    ref.writeXive(s, c, p, saved);
                }
                case 3 -> {
                    op = "setCppr " + c + " " + p;
                    icp.setCppr(c, p);
                    ref.setCppr(c, p);
                }
                case 4 -> {
                    op = "setMfrr " + c + " " + p;
                    icp.setMfrr(c, p);
                    ref.setMfrr(c, p);
                }
                case 5, 6 -> {
                    op = "accept " + c;
                    assertEquals(ref.accept(c), icp.accept(c), op);
                }
                case 7, 8 -> {
                    // EOI of what was last presented (or of a random source, or of the IPI)
                    int nr = switch (r.nextInt(3)) {
                        case 0 -> s + Ics.OFFSET;
                        case 1 -> 2;
                        default -> icp.xisr(c);
                    };
                    int x = (PRIOS[r.nextInt(PRIOS.length)] << 24) | nr;
                    op = "eoi " + c + " " + Integer.toHexString(x);
                    icp.eoi(c, x);
                    ref.eoi(c, x);
                }
                default -> {
                    if (r.nextInt(4) == 0) {
                        boolean lsi = r.nextBoolean();
                        op = "free+claim " + s + " " + lsi;
                        ics.free(s);
                        ref.free(s);
                        ics.claim(s, lsi);
                        ref.claim(s, lsi);
                    } else {
                        op = "resend " + c;
                        icp.resend(c);
                        ref.resend(c);
                    }
                }
            }
            log.add(op);
            String where = "seed " + seed + " step " + step + " after " + op;
            for (int k = 0; k < CPUS; k++) {
                assertEquals(ref.xirr[k], icp.xirr(k), where + ": xirr of cpu " + k);
                assertEquals(ref.pending[k], icp.pending(k), where + ": pending of cpu " + k);
                assertEquals(ref.mfrr[k], icp.mfrr(k), where + ": mfrr of cpu " + k);
                assertEquals(ref.owner[k], icp.icsOwned(k), where + ": owner of cpu " + k);
                assertEquals(ref.output[k], out[k], where + ": output of cpu " + k);
                assertEquals(ref.output[k], icp.outputLevel(k), where + ": outputLevel of cpu " + k);
            }
            for (int src : SOURCES) {
                assertEquals(ref.server[src], ics.server(src), where + ": server of " + src);
                assertEquals(ref.priority[src], ics.priority(src), where + ": priority of " + src);
                assertEquals(ref.saved[src], ics.savedPriority(src), where + ": saved of " + src);
                assertEquals(ref.status[src], ics.status(src), where + ": status of " + src);
                assertEquals(ref.flags[src], ics.flags(src), where + ": flags of " + src);
                assertEquals(XicsRules.resendCandidate(ics.flags(src), ics.status(src), ics.priority(src)),
                    ics.isResendCandidate(src), where + ": candidate bit of " + src);
            }
        }
    }
}
