package io.pseries.core.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * Linux 6.1's interrupt-controller control operations as QEMU 7.2 traced them
 * ({@code reference/linux-boot/*.ops.txt}), and the same operations read off the model's
 * hcall, RTAS, CAS and unimplemented-hcall trace, both written in one canonical text per
 * operation so that the two sequences can be aligned in order ({@link #align}).
 *
 * <p>What is normalised, and why:
 * <ul>
 *   <li>QEMU's {@code spapr_xive_claim_irq} and {@code spapr_pci_msi_setup} lines are QEMU's own
 *       work (claims at machine creation, and the per-vector effect of {@code ibm,change-msi}),
 *       not guest calls; {@code spapr_cas_continue}'s byte count measures QEMU's FDT. They are
 *       left out.</li>
 *   <li>The queue page of {@code H_INT_SET_QUEUE_CONFIG} is wherever the guest allocated it (it
 *       differs between QEMU runs); it is left out, the size is kept.</li>
 *   <li>{@code ibm,change-msi}'s "first irq" is QEMU's allocator talking, not the guest; the
 *       number the guest learns is compared through the {@code ibm,query-interrupt-source-number}
 *       lines that follow.</li>
 *   <li>QEMU traces {@code ics_write_xive} for {@code ibm,set-xive}, {@code ibm,int-on}
 *       (current server, saved priority) and {@code ibm,int-off} (priority 0xff) alike; the
 *       model's RTAS calls are turned into those writes from the source's state as the calls
 *       leave it. {@code ibm,get-xive} writes nothing and is not traced by QEMU.</li>
 *   <li>Everything QEMU folds into {@code [hot ...]} lines (deliveries, IPIs, EOIs, ESB MMIO,
 *       every other RTAS call) is left out on both sides.</li>
 * </ul>
 */
public final class LinuxBootOps {
    private LinuxBootOps() {
    }

    private static final Pattern LINE = Pattern.compile("^\\s*\\d+\\s+(\\S+)(?:\\s+(.*))?$");

    /** {@code reference/linux-boot/<file>}, found above the working directory. */
    public static Path file(String file) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("reference/linux-boot").resolve(file);
            if (Files.isRegularFile(d)) {
                return d;
            }
        }
        throw new AssertionError("reference/linux-boot/" + file + " not found above " + Path.of("").toAbsolutePath());
    }

    /** The canonical operations of one reference list, in guest order. */
    public static List<String> reference(String file) {
        try {
            return parse(Files.readAllLines(file(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> parse(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("---") && !out.isEmpty()) {
                break;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                continue;
            }
            String ev = m.group(1);
            String rest = m.group(2) == null ? "" : m.group(2).trim();
            switch (ev) {
                case "spapr_xive_claim_irq", "spapr_pci_msi_setup", "spapr_cas_continue" -> {
                }
                case "spapr_cas_pvr" -> out.add("cas " + rest.replaceAll("current=\\S+\\s*", "").replace(",", ""));
                case "spapr_xive_set_queue_config" -> out.add("set_queue_config " + rest.replaceAll(" qpage=\\S+", ""));
                case "spapr_pci_rtas_ibm_change_msi" -> out.add("change_msi " + rest.replaceAll(", first irq \\d+", ""));
                case "spapr_pci_rtas_ibm_query_interrupt_source_number" -> out.add("query_isn " + rest);
                case "spapr_pci_msi" -> out.add("pci_msi " + rest);
                case "LOG" -> {
                    Matcher u = Pattern.compile("Unimplemented SPAPR hcall 0x([0-9a-f]+)").matcher(rest);
                    if (u.find()) {
                        out.add("unimplemented hcall 0x" + Long.toHexString(Long.parseUnsignedLong(u.group(1), 16)));
                    }
                }
                case "xics_ics_write_xive" -> out.add("write_xive " + rest.replaceAll("ics_write_xive: ", "")
                    .replaceAll(" \\[src \\d+\\]", ""));
                default -> {
                    if (ev.startsWith("spapr_xive_")) {
                        out.add(ev.substring("spapr_xive_".length()) + " " + rest);
                    } else if (ev.startsWith("H_")) {
                        out.add(ev + (rest.isEmpty() ? "" : " " + rest));
                    } else {
                        throw new AssertionError("unknown reference operation: " + l);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The model's operations in the same canonical form, from events of the categories HCALL,
     * RTAS, CAS and UNIMPLEMENTED in the order they were emitted.
     */
    public static List<String> model(List<TraceEvent> events) {
        List<String> out = new ArrayList<>();
        Map<Long, long[]> xics = new HashMap<>();   // irq -> {server, priority, saved priority}
        for (TraceEvent e : events) {
            Map<String, Object> f = e.fields();
            if (e.category() == TraceCategory.UNIMPLEMENTED && e.name().equals("hcall")) {
                out.add("unimplemented hcall 0x" + Long.toHexString(num(f.get("opcode"))));
            } else if (e.category() == TraceCategory.CAS && e.name().equals("cas")) {
                out.add(String.format("cas explicit_match=%d new=0x%x",
                    Boolean.TRUE.equals(f.get("explicit_match")) ? 1 : 0, num(f.get("compat_pvr"))));
            } else if (e.category() == TraceCategory.HCALL) {
                String op = hcall(e.name(), longs(f.get("args")));
                if (op != null) {
                    out.add(op);
                }
            } else if (e.category() == TraceCategory.RTAS) {
                String op = rtas(e.name(), longs(f.get("args")), num(f.get("status")), longs(f.get("rets")), xics);
                if (op != null) {
                    out.add(op);
                }
            }
        }
        return out;
    }

    private static String hcall(String name, List<Long> a) {
        return switch (name) {
            case "H_INT_GET_QUEUE_INFO" -> String.format("get_queue_info flags=0x%x target=0x%x priority=0x%x", a.get(0), a.get(1), a.get(2));
            case "H_INT_SET_QUEUE_CONFIG" -> String.format("set_queue_config flags=0x%x target=0x%x priority=0x%x qsize=0x%x",
                a.get(0), a.get(1), a.get(2), a.get(4));
            case "H_INT_GET_SOURCE_INFO" -> String.format("get_source_info flags=0x%x lisn=0x%x", a.get(0), a.get(1));
            case "H_INT_GET_SOURCE_CONFIG" -> String.format("get_source_config flags=0x%x lisn=0x%x", a.get(0), a.get(1));
            case "H_INT_SET_SOURCE_CONFIG" -> String.format("set_source_config flags=0x%x lisn=0x%x target=0x%x priority=0x%x eisn=0x%x",
                a.get(0), a.get(1), a.get(2), a.get(3), a.get(4));
            case "H_INT_ESB" -> String.format("esb flags=0x%x lisn=0x%x offset=0x%x data=0x%x", a.get(0), a.get(1), a.get(2), a.get(3));
            case "H_CPPR" -> String.format("H_CPPR(0x%x)", a.get(0));
            default -> null;
        };
    }

    private static String rtas(String name, List<Long> a, long status, List<Long> rets, Map<Long, long[]> xics) {
        switch (name) {
            case "ibm,change-msi" -> {
                if (a.get(4) == 0) {
                    return status == -1 ? String.format("pci_msi Releasing wrong config (cfg=0x%x)", a.get(0)) : null;
                }
                return status == 0 ? String.format("change_msi cfgaddr 0x%x func %d, requested %d", a.get(0), a.get(3), a.get(4)) : null;
            }
            case "ibm,query-interrupt-source-number" -> {
                return status == 0 ? String.format("query_isn queries for #%d, IRQ%d", a.get(3), rets.get(0)) : null;
            }
            case "ibm,set-xive" -> {
                if (status != 0) {
                    return null;
                }
                xics.put(a.get(0), new long[] {a.get(1), a.get(2), a.get(2)});
                return writeXive(a.get(0), a.get(1), a.get(2));
            }
            case "ibm,int-on", "ibm,int-off" -> {
                long[] s = xics.computeIfAbsent(a.get(0), k -> new long[] {0, 0xff, 0xff});
                if (status != 0) {
                    return null;
                }
                s[1] = name.equals("ibm,int-on") ? s[2] : 0xff;
                return writeXive(a.get(0), s[0], s[1]);
            }
            default -> {
                return null;
            }
        }
    }

    private static String writeXive(long irq, long server, long prio) {
        return String.format("write_xive irq 0x%x server 0x%x prio 0x%x", irq, server, prio);
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static List<Long> longs(Object o) {
        List<Long> l = new ArrayList<>();
        if (o instanceof List<?> list) {
            for (Object x : list) {
                l.add(num(x));
            }
        }
        return l;
    }

    /** An in-order alignment: the longest common subsequence and what each side has left over. */
    public record Alignment(int matched, int reference, int model, List<String> missing, List<String> extra) {
        /** Matched operations as a share of the reference list. */
        public double ofReference() {
            return reference == 0 ? 1 : (double) matched / reference;
        }

        /** Matched operations as a share of the model's list. */
        public double ofModel() {
            return model == 0 ? 1 : (double) matched / model;
        }

        @Override
        public String toString() {
            return String.format("%d of %d reference operations matched in order (%.1f %%), %d of the model's %d (%.1f %%)",
                matched, reference, 100 * ofReference(), matched, model, 100 * ofModel());
        }
    }

    /** The LCS of two operation lists (operations equal only with all their arguments). */
    public static Alignment align(List<String> ref, List<String> model) {
        int n = ref.size();
        int m = model.size();
        int[][] t = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                t[i][j] = ref.get(i).equals(model.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n && j < m) {
            if (ref.get(i).equals(model.get(j))) {
                i++;
                j++;
            } else if (t[i + 1][j] >= t[i][j + 1]) {
                missing.add("#" + (i + 1) + " " + ref.get(i++));
            } else {
                extra.add("#" + (j + 1) + " " + model.get(j++));
            }
        }
        while (i < n) {
            missing.add("#" + (i + 1) + " " + ref.get(i++));
        }
        while (j < m) {
            extra.add("#" + (j + 1) + " " + model.get(j++));
        }
        return new Alignment(t[0][0], n, m, missing, extra);
    }
}
