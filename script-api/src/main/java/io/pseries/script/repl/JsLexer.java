package io.pseries.script.repl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * A small JavaScript tokenizer for the REPL: enough to find top-level declarations, the
 * expression before the cursor (completion), and input that ends inside a template literal,
 * a block comment or a string continued with a backslash. It is not a parser: GraalJS decides
 * whether input is valid; this only supplies what the polyglot API does not expose.
 *
 * <p>Brackets are tracked with a stack, template substitutions ({@code ${ ... }}) included, so
 * every token knows its nesting depth. A {@code /} starts a regular expression unless the
 * previous token ends an operand (an identifier other than an operator keyword, a literal,
 * {@code )} or {@code ]}), the usual heuristic.
 */
final class JsLexer {
    enum Kind { IDENT, NUMBER, STRING, TEMPLATE, REGEX, PUNCT }

    /** How the text ends. */
    enum End {
        /** Outside any literal or comment. */
        CLEAN,
        /** Inside a template literal (incomplete: the user goes on typing). */
        TEMPLATE,
        /** Inside a block comment (incomplete). */
        COMMENT,
        /** Inside a string whose last line ends with a backslash (incomplete). */
        STRING_CONTINUED,
        /** Inside a string or regular expression cut by a line end (a syntax error, not incomplete). */
        BROKEN_LITERAL,
    }

    /**
     * A token. {@code depth} is the bracket depth at its start (0 = top level); for a template
     * chunk, {@code closed} tells whether it ends the literal (a closing backtick).
     */
    record Token(Kind kind, int start, int end, String text, int depth, boolean newlineBefore, boolean closed) {
        boolean is(String s) {
            return text.equals(s) && kind != Kind.STRING && kind != Kind.TEMPLATE && kind != Kind.REGEX;
        }
    }

    /** Keywords after which a {@code /} starts a regular expression. */
    private static final Set<String> REGEX_AFTER = Set.of("return", "typeof", "instanceof", "in", "of", "new", "delete",
        "void", "throw", "case", "do", "else", "yield", "await");

    private final String s;
    private final List<Token> tokens = new ArrayList<>();
    /** Open brackets: ( [ { and T for a template substitution. */
    private final Deque<Character> stack = new ArrayDeque<>();
    private End end = End.CLEAN;
    private int pos;
    private boolean newline;

    private JsLexer(String s) {
        this.s = s;
    }

    /** Tokenizes {@code text}. */
    static JsLexer lex(String text) {
        JsLexer l = new JsLexer(text);
        l.run();
        return l;
    }

    List<Token> tokens() {
        return tokens;
    }

    End end() {
        return end;
    }

    /** Brackets still open at the end. */
    int openDepth() {
        return stack.size();
    }

    private void run() {
        int n = s.length();
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029') {
                newline = true;
                pos++;
            } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                pos++;
            } else if (c == '/' && at(pos + 1) == '/') {
                while (pos < n && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
                    pos++;
                }
            } else if (c == '/' && at(pos + 1) == '*') {
                int close = s.indexOf("*/", pos + 2);
                if (close < 0) {
                    end = End.COMMENT;
                    return;
                }
                if (s.substring(pos, close).indexOf('\n') >= 0) {
                    newline = true;
                }
                pos = close + 2;
            } else if (c == '\'' || c == '"') {
                if (!string(c)) {
                    return;
                }
            } else if (c == '`') {
                pos++;
                if (!templateChunk(pos - 1)) {
                    return;
                }
            } else if (c == '}' && !stack.isEmpty() && stack.peek() == 'T') {
                stack.pop();
                pos++;
                if (!templateChunk(pos - 1)) {
                    return;
                }
            } else if (identStart(c)) {
                int st = pos;
                pos++;
                while (pos < n && identPart(s.charAt(pos))) {
                    pos++;
                }
                add(Kind.IDENT, st, pos, true);
            } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(at(pos + 1)))) {
                number();
            } else if (c == '/' && regexAllowed()) {
                if (!regex()) {
                    return;
                }
            } else {
                punct(c);
            }
        }
    }

    private char at(int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    static boolean identStart(char c) {
        return Character.isJavaIdentifierStart(c) || c == '#' || c == '\\';
    }

    static boolean identPart(char c) {
        return (Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c)) || c == '\u200C' || c == '\u200D';
    }

    private void add(Kind k, int st, int en, boolean closed) {
        tokens.add(new Token(k, st, en, s.substring(st, en), stack.size(), newline, closed));
        newline = false;
    }

    private boolean string(char q) {
        int st = pos++;
        int n = s.length();
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '\\') {
                if (pos + 1 >= n) {
                    end = End.STRING_CONTINUED;
                    return false;
                }
                pos += s.charAt(pos + 1) == '\r' && at(pos + 2) == '\n' ? 3 : 2;
            } else if (c == q) {
                pos++;
                add(Kind.STRING, st, pos, true);
                return true;
            } else if (c == '\n' || c == '\r') {
                end = End.BROKEN_LITERAL;
                return false;
            } else {
                pos++;
            }
        }
        end = End.BROKEN_LITERAL;
        return false;
    }

    /** From just after a backtick or a substitution's closing brace to the next backtick or ${. */
    private boolean templateChunk(int st) {
        int n = s.length();
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '\\') {
                pos += 2;
            } else if (c == '`') {
                pos++;
                add(Kind.TEMPLATE, st, pos, true);
                return true;
            } else if (c == '$' && at(pos + 1) == '{') {
                pos += 2;
                add(Kind.TEMPLATE, st, pos, false);
                stack.push('T');
                return true;
            } else {
                pos++;
            }
        }
        pos = n;
        end = End.TEMPLATE;
        return false;
    }

    private void number() {
        int st = pos;
        int n = s.length();
        boolean hex = s.charAt(pos) == '0' && pos + 1 < n && "xXbBoO".indexOf(s.charAt(pos + 1)) >= 0;
        boolean dot = false;
        while (pos < n) {
            char c = s.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_') {
                boolean exp = !hex && (c == 'e' || c == 'E');
                pos++;
                if (exp && (at(pos) == '+' || at(pos) == '-')) {
                    pos++;
                }
            } else if (c == '.' && !dot && !hex && (pos == st || Character.isDigit(at(pos + 1)))) {
                dot = true;
                pos++;
            } else {
                break;
            }
        }
        add(Kind.NUMBER, st, pos, true);
    }

    private boolean regexAllowed() {
        if (tokens.isEmpty()) {
            return true;
        }
        Token t = tokens.get(tokens.size() - 1);
        return switch (t.kind()) {
            case NUMBER, STRING, REGEX -> false;
            case TEMPLATE -> !t.closed();
            case IDENT -> REGEX_AFTER.contains(t.text());
            case PUNCT -> !t.text().equals(")") && !t.text().equals("]") && !t.text().equals("}");
        };
    }

    private boolean regex() {
        int st = pos++;
        int n = s.length();
        boolean cls = false;
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '\n' || c == '\r') {
                end = End.BROKEN_LITERAL;
                return false;
            }
            if (c == '\\') {
                pos += 2;
                continue;
            }
            pos++;
            if (c == '[') {
                cls = true;
            } else if (c == ']') {
                cls = false;
            } else if (c == '/' && !cls) {
                while (pos < n && identPart(s.charAt(pos))) {
                    pos++;
                }
                add(Kind.REGEX, st, pos, true);
                return true;
            }
        }
        end = End.BROKEN_LITERAL;
        return false;
    }

    private void punct(char c) {
        int st = pos;
        if (c == '?' && at(pos + 1) == '.' && !Character.isDigit(at(pos + 2))) {
            pos += 2;
        } else if (c == '.' && at(pos + 1) == '.' && at(pos + 2) == '.') {
            pos += 3;
        } else if (c == '=' && at(pos + 1) == '>') {
            pos += 2;
        } else {
            pos++;
        }
        // the depth of a closing bracket is that of its opening one
        if (c == ')' || c == ']' || c == '}') {
            if (!stack.isEmpty()) {
                stack.pop();
            }
            add(Kind.PUNCT, st, pos, true);
            return;
        }
        add(Kind.PUNCT, st, pos, true);
        if (c == '(' || c == '[' || c == '{') {
            stack.push(c);
        }
    }
}
