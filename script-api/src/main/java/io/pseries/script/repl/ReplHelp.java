package io.pseries.script.repl;

import java.util.ArrayList;
import java.util.List;

import io.pseries.script.repl.ApiTypes.Member;
import io.pseries.script.repl.ApiTypes.Obj;

/** The API part of {@code .help}, written from {@code pseries.d.ts}. */
final class ReplHelp {
    /** The API's declarations, read once. */
    static final ApiTypes API = ApiTypes.load();

    /** Which interfaces the overview shows, and how a script reaches them. */
    private static final String[][] OVERVIEW = {
        {"Pseries", "pseries"},
        {"Machine", "m = pseries.machine({ cpus, icMode, devices })"},
        {"GuestMemory", "m.mem"},
        {"Guest", "m.guest"},
        {"IrqLine", "m.irq(n)"},
        {"XiveInternals", "m.xive"},
    };

    private ReplHelp() {
    }

    static String overview() {
        StringBuilder sb = new StringBuilder("The API (every member, with doc comments: script-api/pseries.d.ts):\n");
        for (String[] o : OVERVIEW) {
            Obj i = API.get(o[0]);
            if (i == null) {
                continue;
            }
            sb.append("  ").append(o[1]).append('\n');
            sb.append(wrap(memberList(i), "      ", 96));
        }
        sb.append("""

            Example:
              > const m = pseries.machine({ cpus: 2, icMode: 'xive' })
              > m.boot().mode
              "xive"
              > m.guest.ipi(0, 1); m.runUntilIdle(); m.guest.stats()[1].ipis
              1
            """);
        return sb.toString();
    }

    private static List<String> memberList(Obj i) {
        List<String> names = new ArrayList<>();
        for (Member m : i.members().values()) {
            names.add(m.name() + (m.method() ? "()" : ""));
        }
        return names;
    }

    private static String wrap(List<String> words, String indent, int width) {
        StringBuilder sb = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String w : words) {
            if (line.length() > indent.length() && line.length() + 1 + w.length() > width) {
                sb.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(w);
        }
        if (line.length() > indent.length()) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** {@code .help NAME}: every API member called NAME (or the last part of a.b.NAME). */
    static String member(String query) {
        String q = query.strip();
        int dot = q.lastIndexOf('.');
        String name = q.substring(dot + 1).replaceAll("\\(.*$", "");
        StringBuilder sb = new StringBuilder();
        for (Obj i : API.interfaces()) {
            if (i.name().equals(name)) {
                sb.append("interface ").append(name).append(":\n").append(wrap(memberList(i), "    ", 96));
            }
            Member m = i.members().get(name);
            if (m != null) {
                sb.append(i.name()).append('.').append(m.name()).append(m.optional() ? "?" : "")
                    .append(m.method() ? "(" + m.params().replaceAll("\\s+", " ").strip() + ")" : "")
                    .append(": ").append(m.type().replaceAll("\\s+", " ")).append('\n');
                if (m.doc() != null && !m.doc().isEmpty()) {
                    sb.append(wrap(List.of(m.doc().split(" ")), "    ", 96));
                }
            }
        }
        return sb.length() == 0 ? "No API member or interface called '" + name + "'; .help lists them.\n" : sb.toString();
    }
}
