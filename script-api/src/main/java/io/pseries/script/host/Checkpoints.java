package io.pseries.script.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import io.pseries.core.Machine;
import io.pseries.core.snapshot.MachineSnapshot;
import io.pseries.core.snapshot.SnapshotSection;
import io.pseries.core.trace.TraceEvent;
import io.pseries.core.util.Json;

/**
 * The observation log of one run of a script for checkpoint invariance
 * ({@code ./pseries test --checkpoint-invariance}), and the points where that run replaces a
 * machine by a fresh one restored from its snapshot.
 *
 * <pre>
 *  MachineHost ── every trace event ──────────────► the current segment (count, hash, first lines)
 *              ── boundary (run, runUntilIdle, boot, cas, hcall, IPI, line) ──► the segment closes
 *                 (its machine, what, virtual time); at a chosen boundary: checkpoint, then go on
 *  finish()    ── per machine: now, console, pic(), guest stats, the RAM section ──► the last lines
 * </pre>
 *
 * Two runs of the same file (straight: no points; then with points) must give the same log:
 * everything observable after a point is the same. Set for the thread that runs the file
 * ({@link #set}); machines made while it is set record into it.
 *
 * <p>Threading: the thread that runs the script.
 */
public final class Checkpoints {
    private static final ThreadLocal<Checkpoints> CURRENT = new ThreadLocal<>();
    /** Events kept per segment to name the first one that differs (the rest only count in the hash). */
    private static final int KEPT = 400;
    /**
     * The host's own resources, which a restored VMM on a fresh host allocates anew: file
     * descriptors, eventfd numbers and the host-physical address a faulted page maps. Not compared.
     */
    private static final java.util.regex.Pattern FD = java.util.regex.Pattern.compile("\\b(fd|eventfd|phys)=0x[0-9a-f]+");
    /** KVM_CREATE_DEVICE returns the new device's descriptor: the same host resource. */
    private static final java.util.regex.Pattern CREATED_FD = java.util.regex.Pattern.compile(
        "(\\bcreate_device\\b.*\\bret)=0x[0-9a-f]+");

    /** One closed segment: the boundary that closed it and the events before it (the first {@value #KEPT} kept). */
    public record Line(String where, String what, List<String> events) {
        public Line(String where, String what) {
            this(where, what, List.of());
        }

        /** Equal when the boundary, the counts and hashes agree (the kept events follow from them). */
        public boolean same(Line o) {
            return where.equals(o.where) && what.equals(o.what);
        }
    }

    private final Set<Integer> points;
    private final List<Line> log = new ArrayList<>();
    private final List<MachineHost> hosts = new ArrayList<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private int boundaries;
    private int taken;
    private String test = "(top level)";
    private int segCount;
    private long segHash = 1;
    private final List<String> segShown = new ArrayList<>();

    private Checkpoints(Set<Integer> points) {
        this.points = Set.copyOf(points);
    }

    /** A log that checkpoints at the given boundary numbers (empty: the straight run). */
    public static Checkpoints at(Set<Integer> points) {
        return new Checkpoints(points);
    }

    /** The log of this thread's run, or null when none is recorded. */
    public static Checkpoints current() {
        return CURRENT.get();
    }

    /** Makes {@code c} this thread's log (null: none). */
    public static void set(Checkpoints c) {
        if (c == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(c);
        }
    }

    /** The test that runs now (the runner says so; named in the log). */
    public void test(String name) {
        test = name;
    }

    /** A machine made by the script: its events are recorded from now on. */
    void register(MachineHost h) {
        int i = hosts.size();
        hosts.add(h);
        h.addRecorder(ev -> event(i, ev));
    }

    private void event(int machine, TraceEvent e) {
        String s = FD.matcher("m" + machine + " " + e).replaceAll("$1=(host)");
        if (s.contains("create_device")) {
            s = CREATED_FD.matcher(s).replaceAll("$1=(host)");
        }
        segHash = segHash * 1_000_003 + s.hashCode();
        if (segCount++ < KEPT) {
            segShown.add(s);
        }
    }

    /** A boundary the script caused on {@code h}: the segment closes; at a chosen one, the checkpoint. */
    void boundary(MachineHost h, String what) {
        int b = boundaries++;
        int i = hosts.indexOf(h);
        Machine m = h.machine();
        closeSegment("boundary " + b + " in " + test, "m" + i + " " + what + " at " + m.now() + " ns");
        if (points.contains(b)) {
            String why = h.checkpoint();
            if (why == null) {
                taken++;
            } else {
                skipped.merge("m" + i + " (" + m.config().icMode() + "): " + why, 1, Integer::sum);
            }
        }
    }

    private void closeSegment(String where, String what) {
        log.add(new Line(where, what + "; " + segCount + " events (hash " + Long.toHexString(segHash) + ")",
            List.copyOf(segShown)));
        segCount = 0;
        segHash = 1;
        segShown.clear();
    }

    /** After the file: the last events, then each machine's state as the script could read it. */
    public void finish() {
        closeSegment("the end of the file", "last events");
        for (int i = 0; i < hosts.size(); i++) {
            Machine m = hosts.get(i).machine();
            log.add(new Line("the end of the file", "m" + i + " virtual time " + m.now() + " ns"));
            log.add(new Line("the end of the file", "m" + i + " console " + Json.write(m.console())));
            log.add(new Line("the end of the file", "m" + i + " pic() " + Json.write(m.pic())));
            log.add(new Line("the end of the file", "m" + i + " guest.stats() "
                + (m.guest() == null ? "(not booted)" : Json.write(m.guest().stats()))));
            log.add(new Line("the end of the file", "m" + i + " RAM (event queues included) crc32c " + ramCrc(m)));
        }
    }

    private static String ramCrc(Machine m) {
        for (SnapshotSection s : m.snapshotSections()) {
            if (s.name().equals("ram")) {
                CRC32C c = new CRC32C();
                try {
                    c.update(MachineSnapshot.save(List.of(s)));
                } catch (RuntimeException e) {
                    return "(not readable: " + e.getMessage() + ")";
                }
                return Long.toHexString(c.getValue());
            }
        }
        return "?";
    }

    public List<Line> log() {
        return List.copyOf(log);
    }

    /** Boundaries the run passed (points are chosen among them). */
    public int boundaries() {
        return boundaries;
    }

    public int taken() {
        return taken;
    }

    /** Why chosen points were skipped (a machine a snapshot cannot cover yet), with how often. */
    public Map<String, Integer> skipped() {
        return Map.copyOf(skipped);
    }
}
