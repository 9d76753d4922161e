package io.pseries.script;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

import io.pseries.script.host.HostErrors;

/**
 * Turns a script failure into what a user needs: {@code file:line:column: message}, the
 * source line with a caret under the column, and the script's own call stack. Java stack
 * traces only with {@code verbose}.
 */
public final class ScriptErrors {
    private static final int MAX_FRAMES = 8;

    private ScriptErrors() {
    }

    /**
     * How to show positions of a source that was rewritten before it ran (the REPL evaluates
     * {@code const x} as {@code var   x}): the text the user typed, columns in it, and the message.
     */
    public interface SourceView {
        /** The line to print for a 1-based line of {@code s}. */
        CharSequence line(Source s, int line);

        /** The 1-based column users see for a column of {@code s}. */
        default int column(Source s, int line, int column) {
            return column;
        }

        /** The message line (without the location). */
        default String message(PolyglotException e) {
            return ScriptErrors.message(e);
        }
    }

    /** Sources shown as they are. */
    public static final SourceView AS_IS = (s, line) -> s.getCharacters(line);

    /** The first frame in the user's script (frames of the API's internal sources are skipped). */
    public static SourceSection userLocation(PolyglotException e) {
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            SourceSection s = f.getSourceLocation();
            if (f.isGuestFrame() && s != null && !s.getSource().isInternal()) {
                return s;
            }
        }
        SourceSection s = e.getSourceLocation();
        return s != null && !s.getSource().isInternal() ? s : null;
    }

    /** The message alone, with the JS error type ({@code TypeError: ...}). */
    public static String message(PolyglotException e) {
        String msg = e.getMessage();
        if (msg == null) {
            msg = "(no message)";
        }
        if (e.isHostException()) {
            return HostErrors.message(e.asHostException());
        }
        if (isOutOfMemory(e)) {
            return "RangeError: " + HostErrors.OUT_OF_HEAP;
        }
        if (e.isResourceExhausted() && !e.isGuestException()) {
            return "RangeError: " + HostErrors.STACK_OVERFLOW;
        }
        if (e.isSyntaxError()) {
            return syntaxMessage(msg);
        }
        return msg;
    }

    /**
     * GraalJS's syntax-error message repeats the position (with a 0-based column) and the source
     * line with a caret, both of which the report prints itself from the source section: keep
     * the type and the reason only.
     */
    static String syntaxMessage(String msg) {
        String first = msg.lines().findFirst().orElse(msg);
        return first.replaceFirst("^(SyntaxError: )?\\S+:\\d+:\\d+ ", "SyntaxError: ");
    }

    /** The full report. */
    public static String describe(PolyglotException e, boolean verbose) {
        return describe(e, verbose, AS_IS);
    }

    /** The full report, with source lines and columns as {@code view} shows them. */
    public static String describe(PolyglotException e, boolean verbose, SourceView view) {
        StringBuilder sb = new StringBuilder();
        SourceSection at = userLocation(e);
        if (at != null) {
            sb.append(name(at)).append(':').append(at.getStartLine()).append(':').append(column(view, at)).append(": ");
        }
        String message = view.message(e);
        if (at == null && e.isGuestException() && !e.isSyntaxError() && !e.isResourceExhausted() && !isOutOfMemory(e)
            && !message.startsWith("Uncaught ") && !hasStack(e)) {
            // a thrown string or plain object carries no stack, and GraalJS keeps no location for it
            // when a module's top level fails: say so instead of printing a bare value
            message = "Uncaught " + message + " (the thrown value is not an Error, so it carries no location; throw new Error(...) to get one)";
        }
        sb.append(message).append('\n');
        if (at != null && at.getSource().hasCharacters()) {
            int line = at.getStartLine();
            if (line >= 1 && line <= at.getSource().getLineCount()) {
                CharSequence text = view.line(at.getSource(), line);
                sb.append("    ").append(text.toString().replace('\t', ' ')).append('\n');
                sb.append("    ").append(" ".repeat(Math.max(0, column(view, at) - 1))).append("^\n");
            }
        }
        int frames = 0;
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            SourceSection s = f.getSourceLocation();
            if (!f.isGuestFrame() || s == null || s.getSource().isInternal()) {
                continue;
            }
            if (frames++ >= MAX_FRAMES) {
                sb.append("    ...\n");
                break;
            }
            String fn = f.getRootName();
            sb.append("    at ").append(fn == null || fn.isEmpty() || fn.startsWith(":") ? "<top level>" : fn)
              .append(" (").append(name(s)).append(':').append(s.getStartLine()).append(':').append(column(view, s)).append(")\n");
        }
        Throwable cause = verbose ? javaCause(e) : null;
        if (cause != null) {
            StringWriter w = new StringWriter();
            cause.printStackTrace(new PrintWriter(w));
            sb.append("Java stack trace:\n").append(w);
        }
        return sb.toString();
    }

    /**
     * Whether the JVM ran out of heap: GraalJS reports it as a resource-exhausted exception
     * JS cannot catch (its message is the JVM's, e.g. "Java heap space"); the model's own
     * allocations fail with a Java OutOfMemoryError.
     */
    public static boolean isOutOfMemory(PolyglotException e) {
        if (e.isResourceExhausted()) {
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("heap") || m.contains("memory") || m.contains("gc overhead") || m.contains("array size")) {
                return true;
            }
        }
        return javaCause(e) instanceof OutOfMemoryError;
    }

    /** The Java exception behind a failure: thrown by the host, or kept by the JS error the API made of it. */
    public static Throwable javaCause(PolyglotException e) {
        if (e.isHostException()) {
            return e.asHostException();
        }
        try {
            Value g = e.getGuestObject();
            Value c = g == null || !g.hasMembers() ? null : g.getMember("hostCause");
            if (c != null && c.isHostObject() && c.asHostObject() instanceof HostErrors.Cause hc) {
                return hc.throwable();
            }
        } catch (RuntimeException ignored) {
            // a closed context or a hostile object: no cause to show
        }
        return null;

    }

    private static boolean hasStack(PolyglotException e) {
        try {
            org.graalvm.polyglot.Value v = e.getGuestObject();
            return v != null && v.hasMembers() && v.hasMember("stack");
        } catch (RuntimeException x) {
            return false;
        }
    }

    private static int column(SourceView view, SourceSection s) {
        return view.column(s.getSource(), s.getStartLine(), s.getStartColumn());
    }

    private static String name(SourceSection s) {
        String p = s.getSource().getPath();
        return p != null ? relative(p) : s.getSource().getName();
    }

    /** A file as reports name it: relative to the working directory when inside it. */
    public static String displayPath(java.nio.file.Path file) {
        return relative(file.toAbsolutePath().toString());
    }

    private static String relative(String path) {
        try {
            java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
            java.nio.file.Path p = java.nio.file.Path.of(path).toAbsolutePath();
            return p.startsWith(cwd) ? cwd.relativize(p).toString() : path;
        } catch (RuntimeException ex) {
            return path;
        }
    }
}
