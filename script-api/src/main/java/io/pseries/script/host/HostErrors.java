package io.pseries.script.host;

import org.graalvm.polyglot.Value;

/**
 * What a Java exception thrown by the model becomes in a script: the JS error type and a message
 * without Java class names. The API prelude catches host exceptions at its boundary and throws
 * the JS error this class describes, so {@code e.name}, {@code String(e)} and every report show
 * {@code Error}, {@code TypeError} or {@code RangeError}.
 *
 * <p>Mapping: argument and state checks ({@link IllegalArgumentException},
 * {@link IllegalStateException}, {@link UnsupportedOperationException}) keep their message as an
 * {@code Error}; index, size and arithmetic failures are {@code RangeError}s; a Java stack
 * overflow is the {@code RangeError} JS itself throws; running out of heap is a
 * {@code RangeError} with the hint to raise {@code -Xmx}; anything else is a bug of the model
 * and says so, with the details behind {@code -v}.
 *
 * <p>Threading: stateless; called on the script's thread.
 */
public final class HostErrors {
    /** The message JS engines use for a stack overflow. */
    public static final String STACK_OVERFLOW = "Maximum call stack size exceeded";
    /** The message of an out-of-heap error. */
    public static final String OUT_OF_HEAP = "out of Java heap memory; give the JVM more with"
        + " PSERIES_JAVA_OPTS=-Xmx4g (or more), or make the script keep less";

    private HostErrors() {
    }

    /** The Java exception behind a script value, or null when the value is not one. */
    public static Throwable hostThrowable(Value v) {
        if (v != null && v.isHostObject() && v.asHostObject() instanceof Throwable t) {
            return t;
        }
        return null;
    }

    /** {type, message} for a Java exception. */
    public static String[] describe(Throwable t) {
        if (t instanceof StackOverflowError) {
            return new String[] {"RangeError", STACK_OVERFLOW};
        }
        if (t instanceof OutOfMemoryError) {
            return new String[] {"RangeError", OUT_OF_HEAP};
        }
        String msg = t.getMessage();
        if (t instanceof RunawayRecursion || t instanceof OutOfRange) {
            return new String[] {"RangeError", msg};
        }
        if (t instanceof IndexOutOfBoundsException || t instanceof ArithmeticException
            || t instanceof NegativeArraySizeException) {
            return new String[] {"RangeError", msg == null ? "a size or index is out of range" : msg};
        }
        if ((t instanceof IllegalArgumentException || t instanceof IllegalStateException
            || t instanceof UnsupportedOperationException) && msg != null) {
            return new String[] {"Error", msg};
        }
        return new String[] {"Error", "internal error in the pseries model (a bug; run with -v for the Java stack trace)"};
    }

    /** The script-facing message of a Java exception, with its JS type: {@code RangeError: ...}. */
    public static String message(Throwable t) {
        String[] d = describe(t);
        return d[0] + ": " + d[1];
    }

    /**
     * Holds the Java exception a JS error was made from, for {@code -v}; scripts see an opaque
     * value without members whose text names no class.
     */
    public static final class Cause {
        private final Throwable t;

        Cause(Throwable t) {
            this.t = t;
        }

        public Throwable throwable() {
            return t;
        }

        @Override
        public String toString() {
            return "[host exception: run with -v to see it]";
        }
    }

    /** A recursion the host stopped before the Java stack ran out (a JS RangeError for scripts). */
    public static final class RunawayRecursion extends RuntimeException {
        public RunawayRecursion(String message) {
            super(message, null, false, false);
        }
    }

    /** A size or count beyond what the API allows (a JS RangeError for scripts). */
    public static final class OutOfRange extends IllegalArgumentException {
        public OutOfRange(String message) {
            super(message);
        }
    }
}
