package io.pseries.core.rtas;

/**
 * The outcome of one RTAS call: the status word (output 0) and the other output words, as
 * many as the caller reserved minus the status.
 *
 * <p>An immutable value; any thread may read it.
 */
public record RtasResult(int status, int[] rets) {
}
