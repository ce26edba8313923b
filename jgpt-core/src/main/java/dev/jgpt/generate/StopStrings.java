package dev.jgpt.generate;

import java.util.List;

/**
 * Watches generated text for stop strings. Text is released only once it can no longer be the
 * start of a stop string, so a stop string is never shown, not even in part.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    /** Adds new text; returns the text that became safe to show. */
    String append(String more) {
        if (stopped) {
            return "";
        }
        text.append(more);
        int stopAt = firstStop();
        if (stopAt >= 0) {
            stopped = true;
            text.setLength(stopAt);
            return release(stopAt);
        }
        return release(text.length() - longestPendingPrefix());
    }

    /** Releases whatever is still held back (at the end of generation). */
    String flush() {
        return release(text.length());
    }

    boolean stopped() {
        return stopped;
    }

    /** All the text, cut before the stop string if one appeared. */
    String text() {
        return text.toString();
    }

    private String release(int upTo) {
        if (upTo <= released) {
            return "";
        }
        String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }

    private int firstStop() {
        int best = -1;
        for (String stop : stops) {
            // a stop string can only begin where it could not have been seen before
            int from = Math.max(0, released - stop.length() + 1);
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest tail of the text that is the beginning of some stop string. */
    private int longestPendingPrefix() {
        int longest = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length() - released); n > longest; n--) {
                if (endsWith(stop, n)) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether the text ends with the first {@code n} characters of {@code stop}. */
    private boolean endsWith(String stop, int n) {
        int offset = text.length() - n;
        for (int i = 0; i < n; i++) {
            if (text.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
