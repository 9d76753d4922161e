package io.pseries.script.host;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import io.pseries.core.Machine;
import io.pseries.core.cas.CasException;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestTiming;
import io.pseries.core.guest.IrqDesc;
import io.pseries.core.parallel.ParallelIpis;
import io.pseries.core.util.Json;
import io.pseries.core.util.Suggest;

/**
 * The Java half of the guest model's API: {@code m.boot(options)} and {@code m.guest}
 * ({@code ipi}, {@code requestIrq}, {@code setAffinity}, {@code stats}, {@code booted},
 * {@code mode}). Like {@link MachineHost} it takes and returns primitives and JSON strings only,
 * and it always acts on the host's current machine (a checkpoint may have replaced it).
 *
 * <p>Threading: the script's thread; a listener's exception is rethrown once the call is done.
 */
public final class GuestBinding {
    private final MachineHost h;

    GuestBinding(MachineHost h) {
        this.h = h;
    }

    /** Boots the guest model; {@code options} is {@code { xive, timing }} or null. */
    @HostAccess.Export
    public String boot(Value options) {
        StackHeadroom.require("m.boot()");
        Object o = Values.toJava(options, "boot options");
        Map<?, ?> opts = o instanceof Map<?, ?> mm ? mm : Map.of();
        if (o != null && !(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("boot options must be an object such as { xive: 'both' }, got " + options);
        }
        List<String> keys = List.of("xive", "timing");
        for (Object k : opts.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException("unknown boot option '" + k + "'" + Suggest.didYouMean((String) k, keys)
                    + "; valid options: " + String.join(", ", keys));
            }
        }
        Object x = opts.get("xive");
        if (x != null && !(x instanceof String)) {
            throw new IllegalArgumentException("boot option xive must be 'exploitation', 'legacy' or 'both', got " + x);
        }
        GuestTiming t = timing(opts.get("timing"));
        try {
            GuestOs.BootReport r = h.machine().boot(new GuestOs.BootOptions(GuestOv5.Offer.parse(x == null ? "both" : (String) x), t));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("mode", r.mode());
            out.put("cpus", r.cpus());
            out.put("irqs", r.irqs());
            out.put("steps", r.steps());
            h.boundary("after m.boot()");
            return Json.write(out);
        } catch (CasException e) {
            throw new IllegalStateException("boot failed at CAS: " + e.getMessage(), e);
        } finally {
            h.rethrowListenerError();
        }
    }

    private static GuestTiming timing(Object o) {
        GuestTiming d = GuestTiming.DEFAULT;
        if (o == null) {
            return d;
        }
        if (!(o instanceof Map<?, ?> v)) {
            throw new IllegalArgumentException("boot option timing must be an object of nanosecond costs, got " + o);
        }
        List<String> keys = List.of("exceptionEntryNs", "mmioNs", "hcallNs", "rtasNs", "handlerNs");
        long[] vals = {d.exceptionEntryNs(), d.mmioNs(), d.hcallNs(), d.rtasNs(), d.handlerNs()};
        for (Map.Entry<?, ?> e : v.entrySet()) {
            int i = keys.indexOf(e.getKey());
            if (i < 0) {
                throw new IllegalArgumentException("unknown boot timing option '" + e.getKey() + "'"
                    + Suggest.didYouMean((String) e.getKey(), keys) + "; valid: " + String.join(", ", keys));
            }
            vals[i] = io.pseries.core.MachineConfig.integerValue("boot option timing." + e.getKey(), e.getValue(), 0, 1_000_000_000L);
        }
        return new GuestTiming(vals[0], vals[1], vals[2], vals[3], vals[4]);
    }

    private GuestOs guest() {
        GuestOs g = h.machine().guest();
        if (g == null) {
            throw new IllegalStateException("the guest is not booted: call m.boot() first");
        }
        return g;
    }

    /**
     * The guest, for what its kernel would do ({@code what}: an IPI, a request_irq, an affinity
     * change): a stopped machine's kernel does not run (pseries.migrate moved it away), so this is
     * refused as the machine's own calls are.
     */
    private GuestOs runningGuest(String what) {
        GuestOs g = guest();
        h.machine().requireRunning(what);
        return g;
    }

    @HostAccess.Export
    public boolean guestBooted() {
        return h.machine().guest() != null;
    }

    @HostAccess.Export
    public void guestIpi(long from, long to) {
        try {
            runningGuest("m.guest.ipi").ipi(from, to);
            if (h.checkpointing()) {
                h.boundary("after m.guest.ipi(" + from + ", " + to + ")");
            }
        } finally {
            h.rethrowListenerError();
        }
    }

    /**
     * {@code m.guest.ipis(pairs, { paced, repeat })}: the IPIs {@code pairs[0] -> pairs[1]},
     * {@code pairs[2] -> pairs[3]}... ({@code repeat} times over), each through the same path as
     * {@link #guestIpi}; paced, the machine runs until idle after each (every IPI taken before the
     * next is sent), otherwise once after the last. One call for a loop a script would make
     * IPI by IPI; the virtual time after. Stops at the first listener error, which is rethrown.
     * Unpaced on a machine with {@code hostThreads} above 1, the IPIs run on that many host threads
     * ({@link ParallelIpis}: refused, with the reason, where state is shared).
     */
    @HostAccess.Export
    public long guestIpis(int[] pairs, boolean paced, int repeat) {
        GuestOs g = runningGuest("m.guest.ipis");
        Machine m = h.machine();
        int n = m.cpus().size();
        if ((pairs.length & 1) != 0) {
            throw new IllegalArgumentException("m.guest.ipis: pairs must hold a from and a to for each IPI, got "
                + pairs.length + " numbers");
        }
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i] < 0 || pairs[i] >= n) {
                throw new HostErrors.OutOfRange(String.format("m.guest.ipis: pairs[%d] is cpu %d, which does not exist:"
                    + " the machine has %d vCPUs (0..%d)", i, pairs[i], n, n - 1));
            }
        }
        if (repeat < 0) {
            throw new HostErrors.OutOfRange("m.guest.ipis: repeat must be >= 0, got " + repeat);
        }
        if (!paced && m.config().hostThreads() > 1) {
            if (h.checkpointing()) {
                throw new IllegalStateException("m.guest.ipis on " + m.config().hostThreads() + " host threads is refused:"
                    + " a checkpoint-invariance run compares deterministic runs; hostThreads: 1 runs it in the"
                    + " deterministic mode");
            }
            return m.parallelIpis().run(pairs, repeat);
        }
        try {
            LongCalls.run(m, "m.guest.ipis", () -> {
                for (int r = 0; r < repeat && !h.holdsListenerError(); r++) {
                    for (int i = 0; i < pairs.length && !h.holdsListenerError(); i += 2) {
                        g.ipi(pairs[i], pairs[i + 1]);
                        if (paced) {
                            m.runUntilIdle();
                        }
                    }
                }
                return paced ? 0 : m.runUntilIdle();
            });
            if (h.checkpointing()) {
                h.boundary("after m.guest.ipis(" + pairs.length / 2 + " pairs x " + repeat + ")");
            }
            return h.machine().now();
        } finally {
            h.rethrowListenerError();
        }
    }

    /** {@code m.guest.requestIrq(irq, name)}: the guest maps and starts a hardware interrupt number; its virq and CPU. */
    @HostAccess.Export
    public String guestRequestIrq(long hwirq, String name) {
        Machine m = h.machine();
        if (hwirq < 0 || hwirq >= m.config().nrIrqs()) {
            throw new IllegalArgumentException(String.format("m.guest.requestIrq: interrupt 0x%x is outside the"
                + " machine's numbers (0 to 0x%x)", hwirq, m.config().nrIrqs() - 1));
        }
        if (!m.irqSpace().isClaimed((int) hwirq)) {
            throw new IllegalArgumentException(String.format("m.guest.requestIrq: interrupt 0x%x was not given to"
                + " the guest (no device or firmware call claimed it)", hwirq));
        }
        try {
            IrqDesc d = runningGuest("m.guest.requestIrq").requestIrq((int) hwirq, name);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("hwirq", d.hwirq());
            out.put("virq", d.virq());
            out.put("cpu", d.target());
            return Json.write(out);
        } finally {
            h.rethrowListenerError();
        }
    }

    @HostAccess.Export
    public void guestAffinity(long hwirq, long cpu) {
        try {
            runningGuest("m.guest.setAffinity").setAffinity(hwirq, cpu);
        } finally {
            h.rethrowListenerError();
        }
    }

    @HostAccess.Export
    public String guestStats() {
        StackHeadroom.require("m.guest.stats()");
        return Json.write(guest().stats());
    }

    @HostAccess.Export
    public String guestMode() {
        return guest().mode();
    }
}
