package io.pseries.script.repl;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pseries.core.Machine;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Dts;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.util.Suggest;

/**
 * The REPL's monitor: QEMU-monitor-style dot-commands on the session's current machine (the
 * last one created, or the one {@code .machine N} picked): {@code .pic} (QEMU's {@code info pic}),
 * {@code .irq} (interrupts taken per vCPU, as {@code /proc/interrupts}), {@code .trace on|off
 * EVENT} (print trace events as they happen; names, {@code all} or globs, as {@code --trace}),
 * {@code .dt [PATH]} (the device tree as dts) and {@code .machines}. They read the machine and
 * never change its state ({@code .trace} only adds or removes a listener), except
 * {@code .restore}: as QEMU's {@code savevm}/{@code loadvm}/{@code info snapshots},
 * {@code .snapshot [TAG]} keeps the current machine's snapshot under a tag (in memory, for this
 * session), {@code .restore [TAG]} puts it back into the current machine (a stream of another
 * configuration is refused whole, naming the section, and the machine is left as it was), and
 * {@code .snapshots} lists them.
 *
 * <p>Threading: the REPL's thread, which is also the thread that drives the machines.
 */
final class ReplMonitor {
    private final PrintStream out;
    private final PrintStream err;
    private final List<Machine> machines = new ArrayList<>();
    private Machine current;
    /** Per machine, the listeners {@code .trace on} added, to remove on {@code .trace off}. */
    private final Map<Machine, Map<TraceCategory, Runnable>> tracing = new java.util.IdentityHashMap<>();
    /** What {@code .snapshot} kept, by tag, in the order taken. */
    private final Map<String, Kept> snapshots = new LinkedHashMap<>();
    private String lastTag;

    /** A kept snapshot: its bytes, the machine it came from (1-based), its virtual time. */
    private record Kept(byte[] bytes, int machine, long virtualNs) {
    }

    ReplMonitor(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The commands with their one-line help. */
    static Map<String, String> commands() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(".pic", "the current machine's interrupt controller state, as QEMU's 'info pic'");
        m.put(".irq", "interrupts taken per vCPU (IPIs, device interrupts, exceptions), as /proc/interrupts");
        m.put(".trace", ".trace on|off EVENT: print trace events as they happen (hcall, irq, ..., all, guest*)");
        m.put(".dt", ".dt [PATH]: the current machine's device tree (or the node at PATH) as dts");
        m.put(".machines", "the machines of this session; .machine N makes machine N current");
        m.put(".machine", ".machine N: make machine N (from .machines) the current one");
        m.put(".snapshot", ".snapshot [TAG]: keep the current machine's state under TAG (savevm; default s1, s2, ...)");
        m.put(".restore", ".restore [TAG]: put the state kept under TAG back into the current machine (loadvm; default the last)");
        m.put(".snapshots", "the snapshots kept in this session (info snapshots)");
        return m;
    }

    /** A machine the session created becomes the current one. */
    void created(Machine m) {
        machines.add(m);
        current = m;
    }

    /** The session's context was replaced: its machines are gone. */
    void clear() {
        for (Map<TraceCategory, Runnable> subs : tracing.values()) {
            subs.values().forEach(Runnable::run);
        }
        tracing.clear();
        machines.clear();
        snapshots.clear();
        lastTag = null;
        current = null;
    }

    boolean handles(String cmd) {
        return commands().containsKey(cmd);
    }

    /** Runs a monitor command; false when it failed (the message is on err). */
    boolean run(String cmd, String arg) {
        if (cmd.equals(".machines")) {
            if (machines.isEmpty()) {
                out.println("no machines yet: const m = pseries.machine({ cpus: 2 })");
            }
            for (int i = 0; i < machines.size(); i++) {
                Machine m = machines.get(i);
                out.println((m == current ? "* " : "  ") + (i + 1) + ": " + m.cpus().size() + " vCPUs, "
                    + m.activeController().name() + (m.guest() != null ? ", booted" : ""));
            }
            return true;
        }
        if (cmd.equals(".snapshots")) {
            if (snapshots.isEmpty()) {
                out.println("no snapshots yet: .snapshot [TAG]");
            }
            for (Map.Entry<String, Kept> e : snapshots.entrySet()) {
                Kept k = e.getValue();
                out.println(String.format("%-12s machine %d, %d bytes, at %d ns virtual", e.getKey(), k.machine(),
                    k.bytes().length, k.virtualNs()));
            }
            return true;
        }
        if (current == null) {
            err.println(cmd + ": no machine yet; create one: const m = pseries.machine({ cpus: 2 })");
            return false;
        }
        switch (cmd) {
            case ".machine" -> {
                try {
                    int n = Integer.parseInt(arg.strip());
                    if (n < 1 || n > machines.size()) {
                        throw new NumberFormatException();
                    }
                    current = machines.get(n - 1);
                    return true;
                } catch (NumberFormatException e) {
                    err.println(".machine: which one? .machine N with N from 1 to " + machines.size() + " (see .machines)");
                    return false;
                }
            }
            case ".pic" -> out.print(current.activeController().picText());
            case ".irq" -> irq();
            case ".dt" -> {
                DtNode root = current.deviceTree();
                DtNode n = arg.isEmpty() || arg.equals("/") ? root : root.find(arg);
                if (n == null) {
                    err.println(".dt: no node at " + arg);
                    return false;
                }
                out.print(Dts.render(n));
            }
            case ".trace" -> {
                return trace(arg);
            }
            case ".snapshot" -> {
                return snapshot(arg.strip());
            }
            case ".restore" -> {
                return restore(arg.strip());
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean snapshot(String tag) {
        if (!tag.isEmpty() && !tag.matches("[A-Za-z0-9_.-]{1,32}")) {
            err.println(".snapshot: a tag is 1 to 32 letters, digits, '_', '.' or '-', got '" + tag + "'");
            return false;
        }
        String t = tag;
        for (int n = snapshots.size() + 1; t.isEmpty(); n++) {
            t = snapshots.containsKey("s" + n) ? "" : "s" + n;
        }
        byte[] b;
        try {
            b = current.snapshot();
        } catch (RuntimeException e) {
            err.println(".snapshot: " + e.getMessage());
            return false;
        }
        snapshots.remove(t);
        snapshots.put(t, new Kept(b, machines.indexOf(current) + 1, current.now()));
        lastTag = t;
        out.println("snapshot '" + t + "' of machine " + (machines.indexOf(current) + 1) + ": " + b.length + " bytes");
        return true;
    }

    private boolean restore(String tag) {
        String t = tag.isEmpty() ? lastTag : tag;
        if (t == null) {
            err.println(".restore: no snapshot yet; take one with .snapshot [TAG]");
            return false;
        }
        Kept k = snapshots.get(t);
        if (k == null) {
            err.println(".restore: no snapshot '" + t + "'" + Suggest.didYouMean(t, snapshots.keySet())
                + "; kept: " + String.join(", ", snapshots.keySet()));
            return false;
        }
        boolean hadGuest = current.guest() != null;
        try {
            current.restore(k.bytes());
        } catch (RuntimeException e) {
            err.println(".restore: " + e.getMessage());
            return false;
        }
        out.println("machine " + (machines.indexOf(current) + 1) + " restored to '" + t + "' (" + k.virtualNs()
            + " ns virtual)" + (hadGuest ? "; the guest model is not in snapshots yet: drive the machine through its ABI from here" : ""));
        return true;
    }

    private void irq() {
        if (current.guest() == null) {
            out.println("the guest model has not booted (m.boot()): no interrupts taken yet");
            return;
        }
        List<Map<String, Object>> stats = current.guest().stats();
        java.util.SortedSet<String> numbers = new java.util.TreeSet<>(java.util.Comparator.comparingInt(Integer::parseInt));
        for (Map<String, Object> s : stats) {
            numbers.addAll(((Map<?, ?>) s.get("irqs")).keySet().stream().map(String::valueOf).toList());
        }
        StringBuilder sb = new StringBuilder(String.format("%10s", ""));
        for (int c = 0; c < stats.size(); c++) {
            sb.append(String.format("%10s", "CPU" + c));
        }
        out.println(sb);
        row("IPI", stats, s -> s.get("ipis"));
        for (String n : numbers) {
            row("0x" + Integer.toHexString(Integer.parseInt(n)), stats, s -> {
                Object v = ((Map<?, ?>) s.get("irqs")).get(n);
                return v == null ? 0L : v;
            });
        }
        row("exc", stats, s -> s.get("exceptions"));
    }

    private void row(String label, List<Map<String, Object>> stats, java.util.function.Function<Map<String, Object>, Object> f) {
        StringBuilder sb = new StringBuilder(String.format("%9s:", label));
        for (Map<String, Object> s : stats) {
            sb.append(String.format("%10s", f.apply(s)));
        }
        out.println(sb);
    }

    private boolean trace(String arg) {
        String[] w = arg.strip().split("\\s+");
        if (w.length != 2 || !(w[0].equals("on") || w[0].equals("off"))) {
            err.println(".trace: .trace on EVENT or .trace off EVENT; events: " + String.join(", ", TraceCategory.jsNames()) + ", all, or a glob");
            return false;
        }
        Set<TraceCategory> cats = TraceCategory.select(w[1]);
        if (cats.isEmpty()) {
            err.println(".trace: unknown event '" + w[1] + "'" + Suggest.didYouMean(w[1], TraceCategory.jsNames())
                + "; events: " + String.join(", ", TraceCategory.jsNames()) + ", all, or a glob");
            return false;
        }
        Map<TraceCategory, Runnable> subs = tracing.computeIfAbsent(current, k -> new EnumMap<>(TraceCategory.class));
        for (TraceCategory c : cats) {
            if (w[0].equals("on") && !subs.containsKey(c)) {
                subs.put(c, current.trace().subscribe(c, ev -> out.println("[trace] " + ev)));
            } else if (w[0].equals("off") && subs.containsKey(c)) {
                subs.remove(c).run();
            }
        }
        out.println("tracing " + (subs.isEmpty() ? "nothing" : String.join(", ", subs.keySet().stream().map(TraceCategory::jsName).toList())));
        return true;
    }
}
