package io.pseries.core.rtas;

/** RTAS status words (the first output of every RTAS call). */
public final class RtasStatus {
    public static final int SUCCESS = 0;
    public static final int NO_ERRORS_FOUND = 1;
    public static final int HW_ERROR = -1;
    public static final int BUSY = -2;
    public static final int PARAM_ERROR = -3;
    public static final int NOT_SUPPORTED = -3;
    public static final int NO_SUCH_INDICATOR = -3;
    public static final int NOT_AUTHORIZED = -9002;
    public static final int SYSPARM_PARAM_ERROR = -9999;

    private RtasStatus() {
    }
}
