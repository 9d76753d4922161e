package io.pseries.core.rtas;

/** The behaviour of one RTAS call. */
@FunctionalInterface
public interface RtasHandler {
    void call(RtasCall call);
}
