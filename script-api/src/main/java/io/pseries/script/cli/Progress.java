package io.pseries.script.cli;

import java.io.PrintStream;

/**
 * A one-line progress display for long work ({@code --repeat}, {@code -j} runs): rewritten in
 * place with a carriage return while the output is a terminal, silent otherwise (so logs and CI
 * output never get it). Cleared when the work is done.
 *
 * <p>Threading: the thread that reports results (the runner's reporting thread).
 */
final class Progress {
    private final PrintStream out;
    private final boolean on;
    private int width;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.on = terminal;
    }

    /** A progress line on {@code out} when the process's console is a terminal. */
    static Progress forConsole(PrintStream out) {
        return new Progress(out, isTerminal());
    }

    /** Whether stdin/stdout are a terminal: Console.isTerminal() (JDK 22+), else whether there is a console. */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22 a console exists only on a terminal
        }
    }

    void update(String text) {
        if (!on) {
            return;
        }
        String t = text.length() > 100 ? text.substring(0, 97) + "..." : text;
        out.print("\r" + t + " ".repeat(Math.max(0, width - t.length())));
        out.flush();
        width = t.length();
    }

    void done() {
        if (on && width > 0) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
            width = 0;
        }
    }
}
