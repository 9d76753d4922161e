package io.pseries.script.repl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The read-eval-print loops around a {@link ReplSession}: {@link #interactive} with JLine (line
 * editing, history, Tab completion, {@code ...} continuation lines), and {@link #batch} for
 * input that is not a terminal.
 */
public final class Repl {
    /** The prompt, and the one of continuation lines. */
    public static final String PROMPT = "> ";
    public static final String CONTINUATION = "... ";

    private Repl() {
    }

    /**
     * Reads lines until end of input, evaluating each complete input (lines are joined while the
     * input is unfinished) and printing results; no prompts. {@code .break} drops an unfinished
     * input; an input still unfinished at the end is evaluated (and reports its syntax error).
     * Returns the exit code: 0 if every input succeeded, 1 if any failed.
     */
    public static int batch(ReplSession session, BufferedReader in) throws IOException {
        StringBuilder pending = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (pending.isEmpty()) {
                if (line.isBlank()) {
                    continue;
                }
                if (ReplSession.isCommand(line)) {
                    if (session.submit(line) == ReplSession.Status.EXIT) {
                        return code(session);
                    }
                    continue;
                }
            } else if (line.strip().equals(".break")) {
                pending.setLength(0);
                continue;
            }
            if (!pending.isEmpty()) {
                pending.append('\n');
            }
            pending.append(line);
            if (session.isComplete(pending.toString())) {
                ReplSession.Status s = session.submit(pending.toString());
                pending.setLength(0);
                if (s == ReplSession.Status.EXIT) {
                    return code(session);
                }
            }
        }
        if (!pending.isEmpty()) {
            session.submit(pending.toString());
        }
        return code(session);
    }

    private static int code(ReplSession session) {
        return session.anyFailed() ? 1 : 0;
    }

    /**
     * The interactive loop on {@code terminal}: a banner, then prompts until {@code .exit},
     * Ctrl+D, or Ctrl+C twice on an empty line. {@code history} is the history file (null: none).
     */
    public static int interactive(ReplSession session, Terminal terminal, Path history, String banner) {
        LineReaderBuilder b = LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("pseries")
            .parser(new JsParser(session))
            .completer((reader, line, candidates) -> {
                if (line instanceof JsLine l) {
                    for (String c : l.candidates) {
                        // no space after a JS name or a directory; one after a command or a file name
                        candidates.add(new Candidate(c, c, null, null, null, null, !l.js && !c.endsWith("/")));
                    }
                }
            })
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION)
            .variable(LineReader.HISTORY_SIZE, 1000)
            .variable(LineReader.HISTORY_FILE_SIZE, 10000)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)   // ! is JavaScript's not
            .option(LineReader.Option.INSERT_TAB, true)
            .option(LineReader.Option.AUTO_FRESH_LINE, true);
        if (history != null) {
            b.variable(LineReader.HISTORY_FILE, history);
        }
        LineReader reader = b.build();
        PrintWriter w = terminal.writer();
        if (banner != null) {
            w.println(banner);
            w.flush();
        }
        terminal.handle(Terminal.Signal.INT, s -> {
            Thread t = new Thread(session::interrupt, "pseries-repl-interrupt");
            t.setDaemon(true);
            t.start();
        });
        boolean interrupted = false;
        try {
            while (true) {
                String input;
                try {
                    input = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    if (e.getPartialLine() == null || e.getPartialLine().isEmpty()) {
                        if (interrupted) {
                            break;
                        }
                        interrupted = true;
                        w.println("(To exit, press Ctrl+C again or Ctrl+D or type .exit)");
                        w.flush();
                    } else {
                        interrupted = false;
                    }
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                interrupted = false;
                if (session.submit(input) == ReplSession.Status.EXIT) {
                    break;
                }
            }
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException | RuntimeException e) {
                w.println("pseries: could not save the history: " + e.getMessage());
            }
            w.flush();
        }
        return 0;
    }

    /**
     * JLine's view of the input: when Enter is pressed, an unfinished input is an
     * {@link EOFError} (JLine then adds a continuation line); for completion, the word is the
     * identifier (or .load file name) before the cursor and the candidates come along.
     */
    static final class JsParser implements Parser {
        private final ReplSession session;

        JsParser(ReplSession session) {
            this.session = session;
        }

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE) {
                if (!session.isComplete(line)) {
                    throw new EOFError(-1, -1, "unfinished input", "");
                }
                return new JsLine(line, cursor, cursor, List.of(), true);
            }
            if (context == ParseContext.COMPLETE) {
                ReplCompletion.Result r = session.complete(line, cursor);
                boolean js = !line.substring(0, Math.min(cursor, line.length())).stripLeading().startsWith(".");
                return new JsLine(line, cursor, Math.min(r.start(), cursor), r.candidates(), js);
            }
            return new JsLine(line, cursor, cursor, List.of(), true);
        }
    }

    /** A parsed line whose only word is the text being completed. */
    static final class JsLine implements CompletingParsedLine {
        final String line;
        final int cursor;
        final int wordStart;
        final List<String> candidates;
        final boolean js;

        JsLine(String line, int cursor, int wordStart, List<String> candidates, boolean js) {
            this.line = line;
            this.cursor = cursor;
            this.wordStart = wordStart;
            this.candidates = candidates;
            this.js = js;
        }

        @Override
        public String word() {
            return line.substring(wordStart, cursor);
        }

        @Override
        public int wordCursor() {
            return cursor - wordStart;
        }

        @Override
        public int wordIndex() {
            return 0;
        }

        @Override
        public List<String> words() {
            return List.of(word());
        }

        @Override
        public String line() {
            return line;
        }

        @Override
        public int cursor() {
            return cursor;
        }

        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }

        @Override
        public int rawWordCursor() {
            return wordCursor();
        }

        @Override
        public int rawWordLength() {
            return cursor - wordStart;
        }
    }
}
