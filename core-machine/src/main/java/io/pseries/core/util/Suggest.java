package io.pseries.core.util;

import java.util.Collection;

/** "Did you mean" help for misspelled names: the closest candidate by edit distance. */
public final class Suggest {
    private Suggest() {
    }

    /**
     * The candidate closest to {@code bad}, or {@code null} when none is reasonably close. Ties
     * go to the alphabetically first candidate, so the answer never depends on collection order.
     */
    public static String closest(String bad, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(bad.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestD || (d == bestD && best != null && c.compareTo(best) < 0)) {
                bestD = d;
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        int limit = Math.max(2, Math.min(bad.length(), best.length()) / 2);
        return bestD <= limit ? best : null;
    }

    /** " (did you mean 'x'?)" or the empty string. */
    public static String didYouMean(String bad, Collection<String> candidates) {
        String c = closest(bad, candidates);
        return c == null ? "" : " (did you mean '" + c + "'?)";
    }

    /**
     * The {@code n} candidates that contain something closest to {@code bad} (a name filter is
     * matched as a substring, so "IPIs > cpu" should find "XIVE IPIs > cpu 1 takes..."), best
     * first, ties in alphabetical order; only those within half the length of {@code bad}.
     */
    public static java.util.List<String> closestSubstring(String bad, Collection<String> candidates, int n) {
        String b = bad.toLowerCase(java.util.Locale.ROOT);
        int limit = Math.max(2, b.length() / 2);
        java.util.List<String> sorted = new java.util.ArrayList<>(candidates);
        java.util.Map<String, Integer> d = new java.util.HashMap<>();
        for (String c : sorted) {
            d.put(c, substringDistance(b, c.toLowerCase(java.util.Locale.ROOT)));
        }
        sorted.removeIf(c -> d.get(c) > limit);
        sorted.sort(java.util.Comparator.<String>comparingInt(d::get).thenComparing(java.util.Comparator.naturalOrder()));
        return java.util.List.copyOf(sorted.subList(0, Math.min(n, sorted.size())));
    }

    /**
     * The fewest edits that turn {@code pattern} into some substring of {@code text} (Sellers'
     * approximate substring matching: the Levenshtein table with a free start and end in text).
     */
    public static int substringDistance(String pattern, String text) {
        int[] prev = new int[text.length() + 1];
        int[] cur = new int[text.length() + 1];
        for (int i = 1; i <= pattern.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= text.length(); j++) {
                int cost = pattern.charAt(i - 1) == text.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        int best = pattern.length();
        for (int v : prev) {
            best = Math.min(best, v);
        }
        return best;
    }

    /** Levenshtein distance with adjacent transpositions counted as one edit. */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
