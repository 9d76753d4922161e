package io.pseries.script.timeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.Machine;
import io.pseries.core.hcall.PaprHcallNames;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;
import io.pseries.core.util.Json;

/**
 * The interrupt history of machines as a Chrome trace-event file (JSON), which the Perfetto UI
 * and {@code chrome://tracing} open as is. The clock is the machines' virtual time.
 *
 * <p>Per machine (a process): a track per vCPU with each interrupt taken (the exception) as a
 * slice, inside it the guest's steps on the vCPU's own clock (ACK, the handler, EOI, CPPR
 * writes, other hcalls and MMIO) as nested slices, the CPPR as a counter, and a delivery
 * ("present") as a short slice; a track per interrupt source whose PQ state is a counter
 * (XIVE) and whose triggers are short slices; a flow arrow from each trigger to the delivery
 * it caused. Events of other kinds (an hcall or MMIO access made by a script rather than the
 * guest model, CAS, guest errors) are instants on the vCPU's track.
 *
 * <p>The input is the machine's trace with every category on (see {@link Recorder}); building it
 * changes nothing in the machine. Threading: a recorder is fed on the machine's thread; writing
 * happens after the run, on any one thread.
 */
public final class Timeline {
    /** Perfetto orders tracks by thread id: vCPUs first, then sources. */
    private static final int SOURCE_TID_BASE = 100_000;

    private final List<Object> out = new ArrayList<>();
    private int pid;
    private long flowIds;

    /** Collects a machine's trace events for a timeline (every category, up to a bound). */
    public static final class Recorder {
        private final Machine machine;
        private final List<TraceEvent> events = new ArrayList<>();
        private final int limit;
        private long dropped;

        private Recorder(Machine machine, int limit) {
            this.machine = machine;
            this.limit = limit;
        }

        /** Starts recording every trace category of {@code m}, keeping at most {@code limit} events. */
        public static Recorder attach(Machine m, int limit) {
            Recorder r = new Recorder(m, limit);
            for (TraceCategory c : TraceCategory.values()) {
                m.trace().subscribe(c, r::add);
            }
            return r;
        }

        private void add(TraceEvent e) {
            if (events.size() < limit) {
                events.add(e);
            } else {
                dropped++;
            }
        }

        public Machine machine() {
            return machine;
        }

        public List<TraceEvent> events() {
            return events;
        }

        /** Events past the bound, not recorded. */
        public long dropped() {
            return dropped;
        }
    }

    /** Writes the timeline of the recorded machines to {@code file}. */
    public static void write(Path file, List<Recorder> machines) throws IOException {
        Timeline t = new Timeline();
        for (Recorder r : machines) {
            t.add(r.machine(), r.events(), r.dropped());
        }
        Files.writeString(file, t.json());
    }

    /** The trace-event JSON of one machine's events (what a failing test's artifacts keep). */
    public static String of(Machine m, List<TraceEvent> events) {
        Timeline t = new Timeline();
        t.add(m, events, 0);
        return t.json();
    }

    private String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("traceEvents", out);
        root.put("displayTimeUnit", "ns");
        root.put("otherData", Map.of("clock", "virtual time of the pseries model (1 us = 1000 ns of guest time)"));
        return Json.write(root) + "\n";
    }

    private static double us(long ns) {
        return ns / 1000.0;
    }

    private Map<String, Object> event(String ph, String name, int tid, long ns) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("ph", ph);
        e.put("name", name);
        e.put("pid", pid);
        e.put("tid", tid);
        e.put("ts", us(ns));
        out.add(e);
        return e;
    }

    private void meta(String what, int tid, String name, int sort) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("ph", "M");
        e.put("name", what);
        e.put("pid", pid);
        e.put("tid", tid);
        e.put("args", Map.of("name", name));
        out.add(e);
        if (sort >= 0) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ph", "M");
            s.put("name", what.equals("thread_name") ? "thread_sort_index" : "process_sort_index");
            s.put("pid", pid);
            s.put("tid", tid);
            s.put("args", Map.of("sort_index", sort));
            out.add(s);
        }
    }

    private static int cpuTid(int cpu) {
        return cpu + 1;
    }

    private void add(Machine m, List<TraceEvent> events, long dropped) {
        pid++;
        meta("process_name", 0, "machine " + pid + " (" + m.cpus().size() + " vCPUs, " + m.activeController().name()
            + (dropped > 0 ? ", " + dropped + " later events not recorded" : "") + ")", pid);
        for (int c = 0; c < m.cpus().size(); c++) {
            meta("thread_name", cpuTid(c), "vCPU " + c, c);
        }
        Map<Integer, Boolean> sourceTracks = new TreeMap<>();
        // the interrupt a trigger raised, waiting for its delivery: number -> flow id
        Map<Long, Long> pendingFlow = new HashMap<>();
        // XICS: H_IPI presents the IPI (XISR 2) inside the call, so its trace event comes after the delivery
        Map<Integer, Long> ipiPresentedAt = new HashMap<>();
        Map<Integer, Integer> serverToIndex = new HashMap<>();   // H_IPI names a server (the vCPU id)
        for (io.pseries.core.cpu.VCpu c : m.cpus()) {
            serverToIndex.put(c.vcpuId(), c.index());
        }
        java.util.Set<Long> coveredByStep = coveredMachineEvents(events);
        for (TraceEvent e : events) {
            int tid = e.cpu() >= 0 ? cpuTid(e.cpu()) : 0;
            Map<String, Object> f = e.fields();
            switch (e.category()) {
                case GUEST -> guestEvent(m, e, tid);
                case IRQ -> {
                    long nr = num(f.getOrDefault("lisn", f.get("irq")));
                    Map<String, Object> s = event("X", "present 0x" + Long.toHexString(nr), tid, e.timeNs());
                    s.put("dur", 0.001);
                    s.put("cat", "irq");
                    s.put("args", args(f));
                    Long flow = pendingFlow.remove(nr);
                    if (flow != null) {
                        flowEnd(flow, tid, e.timeNs());
                    } else if (nr == 2 && f.containsKey("xirr")) {
                        ipiPresentedAt.put(e.cpu(), e.timeNs());
                    }
                }
                case INTC -> {
                    if (e.name().equals("pq")) {
                        int lisn = (int) num(f.get("lisn"));
                        int stid = sourceTid(lisn, sourceTracks);
                        Map<String, Object> c = event("C", "PQ 0x" + Integer.toHexString(lisn), stid, e.timeNs());
                        c.put("args", Map.of("pq", num(f.get("pq"))));
                        String op = String.valueOf(f.get("op"));
                        if (op.equals("trigger") || op.equals("eoi_trigger")) {
                            pendingFlow.put((long) lisn, flowStart(stid, e.timeNs(), op.replace('_', ' ') + " 0x" + Integer.toHexString(lisn)));
                        }
                    } else if (e.name().equals("line") && Boolean.TRUE.equals(f.get("level"))) {
                        long irq = num(f.get("irq"));
                        int stid = sourceTid((int) irq, sourceTracks);
                        pendingFlow.putIfAbsent(irq, flowStart(stid, e.timeNs(), "line up 0x" + Long.toHexString(irq)));
                    } else {
                        instant(e, tid);
                    }
                }
                case HCALL -> {
                    if (e.name().equals("H_IPI") && f.get("args") instanceof List<?> a && !a.isEmpty()) {
                        int target = serverToIndex.getOrDefault((int) num(a.get(0)), -1);
                        Long at = ipiPresentedAt.remove(target);
                        if (at != null && at == e.timeNs()) {
                            flowEnd(flowStart(tid, e.timeNs(), "H_IPI to vCPU " + target), cpuTid(target), at);
                        }
                    }
                    if (!coveredByStep.contains(e.seq())) {
                        instant(e, tid);
                    }
                }
                case MMIO -> {
                    if (!coveredByStep.contains(e.seq())) {
                        instant(e, tid);
                    }
                }
                default -> instant(e, tid);
            }
        }
    }

    /**
     * Hcall and MMIO events that a guest step ("op") right after them describes on the vCPU's
     * clock: they are drawn as that step's slice, not again as an instant.
     */
    private static java.util.Set<Long> coveredMachineEvents(List<TraceEvent> events) {
        java.util.Set<Long> covered = new java.util.HashSet<>();
        Map<Integer, TraceEvent> lastAccess = new HashMap<>();
        for (TraceEvent e : events) {
            if (e.category() == TraceCategory.HCALL || e.category() == TraceCategory.MMIO) {
                lastAccess.put(e.cpu(), e);
            } else if (e.category() == TraceCategory.GUEST && e.name().equals("op")) {
                TraceEvent a = lastAccess.remove(e.cpu());
                if (a != null) {
                    covered.add(a.seq());
                }
            }
        }
        return covered;
    }

    private int sourceTid(int nr, Map<Integer, Boolean> tracks) {
        int tid = SOURCE_TID_BASE + nr;
        if (tracks.putIfAbsent(nr, true) == null) {
            meta("thread_name", tid, "source 0x" + Integer.toHexString(nr), SOURCE_TID_BASE + nr);
        }
        return tid;
    }

    private long flowStart(int tid, long ns, String name) {
        long id = ++flowIds;
        Map<String, Object> s = event("X", name, tid, ns);
        s.put("dur", 0.001);
        s.put("cat", "trigger");
        Map<String, Object> f = event("s", "delivery", tid, ns);
        f.put("cat", "flow");
        f.put("id", id);
        return id;
    }

    private void flowEnd(long id, int tid, long ns) {
        Map<String, Object> f = event("f", "delivery", tid, ns);
        f.put("cat", "flow");
        f.put("id", id);
        f.put("bp", "e");
    }

    private void instant(TraceEvent e, int tid) {
        Map<String, Object> i = event("i", e.category().jsName() + " " + e.name(), tid, e.timeNs());
        i.put("s", tid == 0 ? "p" : "t");
        i.put("cat", e.category().jsName());
        i.put("args", args(e.fields()));
    }

    /** The guest model's steps: the exception, handlers and accesses as slices on the vCPU's own clock. */
    private void guestEvent(Machine m, TraceEvent e, int tid) {
        Map<String, Object> f = e.fields();
        if (!f.containsKey("start")) {
            instant(e, tid);
            return;
        }
        long start = num(f.get("start"));
        long end = num(f.get("end"));
        String name = switch (e.name()) {
            case "exception" -> "interrupt";
            case "handle" -> Boolean.TRUE.equals(f.get("ipi")) ? "handler (IPI)" : "handler 0x" + Long.toHexString(num(f.get("hwirq")));
            case "op" -> stepName(m, f);
            default -> e.name();
        };
        Map<String, Object> x = event("X", name, tid, start);
        x.put("dur", us(Math.max(end - start, 1)));
        x.put("cat", "guest");
        x.put("args", args(f));
        Long cppr = cpprAfter(m, f);
        if (cppr != null) {
            Map<String, Object> c = event("C", "CPPR vCPU " + e.cpu(), tid, end);
            c.put("args", Map.of("cppr", cppr));
        }
    }

    /** What a guest access is, in the driver's words (Linux's xive/xics code names them so). */
    static String stepName(Machine m, Map<String, Object> f) {
        String op = String.valueOf(f.get("op"));
        if (op.equals("hcall")) {
            long opcode = num(f.get("opcode"));
            String hc = hcallName(opcode);
            return switch (hc) {
                case "H_XIRR", "H_XIRR_X" -> "ACK (" + hc + ")";
                case "H_EOI" -> "EOI (H_EOI)";
                case "H_CPPR" -> "CPPR (H_CPPR)";
                default -> hc;
            };
        }
        long addr = num(f.get("addr"));
        MmioRegion r = m.mmio().find(addr);
        if (r == null) {
            return op + " 0x" + Long.toHexString(addr);
        }
        long off = addr - r.base();
        if (r.name().equals("xive.tima")) {
            long inPage = off & 0xFFFF;
            if (op.equals("load") && inPage == 0x810) {
                return "ACK (TIMA)";
            }
            if (op.equals("store") && inPage == 0x11) {
                return "CPPR (TIMA)";
            }
            return "TIMA " + op + " 0x" + Long.toHexString(inPage);
        }
        if (r.name().equals("xive.esb")) {
            long inPage = off & 0xFFFF;
            boolean mgmt = (off & 0x10000) != 0;
            if (op.equals("store") && !mgmt) {
                return "trigger (ESB)";
            }
            if (op.equals("load") && inPage >= 0xC00 && inPage < 0xD00) {
                return "EOI (ESB PQ=00)";
            }
            if (op.equals("load") && inPage < 0x400) {
                return "EOI (ESB LOAD_EOI)";
            }
            if (op.equals("store") && inPage < 0x400) {
                return "EOI (ESB store EOI)";
            }
            return "ESB " + op + " 0x" + Long.toHexString(inPage);
        }
        return r.name() + " " + op + " 0x" + Long.toHexString(off);
    }

    /** The CPPR a guest step leaves, when it sets one: TIMA CPPR stores and ACKs, H_CPPR, H_XIRR, H_EOI. */
    static Long cpprAfter(Machine m, Map<String, Object> f) {
        String name = stepName(m, f);
        return switch (name) {
            case "CPPR (TIMA)" -> num(f.get("value")) & 0xFF;
            case "ACK (TIMA)" -> num(f.get("value")) & 0xFF;     // ACK returns NSR << 8 | new CPPR
            case "CPPR (H_CPPR)" -> num(f.get("arg0")) & 0xFF;
            case "ACK (H_XIRR)", "ACK (H_XIRR_X)" -> (num(f.get("ret0")) >>> 24) & 0xFF; // XIRR = CPPR << 24 | XISR
            case "EOI (H_EOI)" -> (num(f.get("arg0")) >>> 24) & 0xFF;
            default -> null;
        };
    }

    private static String hcallName(long opcode) {
        for (Map.Entry<String, Integer> e : PaprHcallNames.all().entrySet()) {
            if (e.getValue() == opcode) {
                return e.getKey();
            }
        }
        return "hcall 0x" + Long.toHexString(opcode);
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : o instanceof Boolean b ? (b ? 1 : 0) : 0;
    }

    private static Map<String, Object> args(Map<String, Object> f) {
        Map<String, Object> a = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : f.entrySet()) {
            Object v = e.getValue();
            a.put(e.getKey(), v instanceof Long || v instanceof Integer ? "0x" + Long.toHexString(((Number) v).longValue()) : v);
        }
        return a;
    }
}
