package io.pseries.script.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/** A --timeout value: milliseconds, or a number with a unit (500ms, 30s, 2m); 0 means no limit. */
final class Durations implements CommandLine.ITypeConverter<Long> {
    private static final Pattern TIME = Pattern.compile("(\\d{1,10})\\s*(ms|s|m)?");

    @Override
    public Long convert(String value) {
        Matcher m = TIME.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a time; write milliseconds or a number"
                + " with a unit: 500ms, 30s, 2m (0: no limit)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        long ms = switch (unit) {
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n;
        };
        if (ms > Integer.MAX_VALUE) {
            throw new CommandLine.TypeConversionException("'" + value + "' is longer than the longest limit, 24 days");
        }
        return ms;
    }
}
