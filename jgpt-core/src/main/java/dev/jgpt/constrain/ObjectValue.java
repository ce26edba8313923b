package dev.jgpt.constrain;

import java.util.List;

/**
 * A JSON object: the named properties each at most once (their keys written plainly, without
 * escapes), the {@code required} ones all, in any order; other keys only when
 * {@code additionalProperties} allows them ({@code additional} not null). Sets of properties are
 * bit masks, so an object has at most 64 named properties.
 */
final class ObjectValue extends Container {
    static final int MAX_PROPERTIES = 64;
    private final int[][] names;
    private final List<ValueType> values;
    private final long required;
    private final ValueType additional;

    ObjectValue(List<String> names, List<ValueType> values, long required, ValueType additional) {
        super('{', '}');
        this.names = names.stream().map(n -> n.codePoints().toArray()).toArray(int[][]::new);
        this.values = values;
        this.required = required;
        this.additional = additional;
    }

    /** {@code "name":value} at its shortest. */
    private long member(int property) {
        return names[property].length + 3L + values.get(property).minLength;
    }

    /** A member with a key no property has: the empty key, or one character when a property is named "". */
    private long freeMember() {
        boolean emptyTaken = false;
        for (int[] name : names) {
            emptyTaken |= name.length == 0;
        }
        return additional == null ? TextState.NEVER : (emptyTaken ? 4L : 3L) + additional.minLength;
    }

    @Override
    int rest(Phase phase, long seen) {
        long missing = 0;
        int count = 0;
        for (int p = 0; p < names.length; p++) {
            if ((required & ~seen & (1L << p)) != 0) {
                missing += member(p);
                count++;
            }
        }
        return switch (phase) {
            case OPEN -> TextState.add(1, rest(Phase.FIRST, seen));
            case FIRST -> clamp(missing + Math.max(count - 1, 0) + 1);
            case AFTER -> clamp(missing + count + 1);
            case BEFORE -> count > 0 ? clamp(missing + count) : clamp(cheapestMember(seen) + 1);
        };
    }

    private long cheapestMember(long seen) {
        long best = freeMember();
        for (int p = 0; p < names.length; p++) {
            if ((seen & (1L << p)) == 0) {
                best = Math.min(best, member(p));
            }
        }
        return best;
    }

    private long all() {
        return names.length == 64 ? -1L : (1L << names.length) - 1;
    }

    @Override
    boolean mayClose(long seen) {
        return (required & ~seen) == 0;
    }

    @Override
    boolean mayAdd(long seen) {
        return additional != null || (seen & all()) != all();
    }

    @Override
    State member(int c, long seen, State after) {
        return c == '"' ? new Key(all(), 0, seen, after) : null;
    }

    /** Inside a key: {@code matching} are the properties whose names begin with the {@code at} characters read. */
    private final class Key extends State {
        private final long matching;
        private final int at;
        private final long seen;

        Key(long matching, int at, long seen, State after) {
            super(after, distance(matching, at, seen));
            this.matching = matching;
            this.at = at;
            this.seen = seen;
        }

        @Override
        public State next(int c) {
            if (c == '"') {
                int exact = exact(matching, at);
                if (exact >= 0) {
                    return (seen & (1L << exact)) != 0 ? null : colon(values.get(exact), seen | (1L << exact));
                }
                return additional != null ? colon(additional, seen) : null;
            }
            if (c == '\\' || c < 0x20) {
                return null;
            }
            if (matching == 0) {
                return this; // a key no property has: any character keeps it one
            }
            long next = 0;
            for (int p = 0; p < names.length; p++) {
                if ((matching & (1L << p)) != 0 && names[p].length > at && names[p][at] == c) {
                    next |= 1L << p;
                }
            }
            return additional == null && (next & ~seen) == 0 ? null : new Key(next, at + 1, seen, after);
        }

        @Override
        public boolean inStringBody() {
            return matching == 0;
        }

        private State colon(ValueType value, long seenThen) {
            return new Colon(value.start(new Reading(Phase.AFTER, seenThen, after)), 0);
        }
    }

    /** The property whose name is exactly the {@code at} characters read, or -1. */
    private int exact(long matching, int at) {
        for (int p = 0; p < names.length; p++) {
            if ((matching & (1L << p)) != 0 && names[p].length == at) {
                return p;
            }
        }
        return -1;
    }

    /** From inside a key: the shortest way to close it, write its value and close the object. */
    private int distance(long matching, int at, long seen) {
        long best = TextState.NEVER;
        for (int p = 0; p < names.length; p++) {
            if ((matching & ~seen & (1L << p)) != 0) {
                best = Math.min(best, names[p].length - at + 2L + values.get(p).minLength + rest(Phase.AFTER, seen | (1L << p)));
            }
        }
        if (additional != null) {
            long close = exact(matching, at) >= 0 ? 2 : 1; // a key equal to a name must differ by one more character
            best = Math.min(best, close + 1 + additional.minLength + rest(Phase.AFTER, seen));
        }
        return clamp(best);
    }

    /** Between a key and its value: whitespace, ':', whitespace. */
    private static final class Colon extends State {
        private final State value;
        private final int spaces;

        Colon(State value, int spaces) {
            super(null, TextState.add(1, value.toComplete()));
            this.value = value;
            this.spaces = spaces;
        }

        @Override
        public State next(int c) {
            return c == ':' ? new Spaces(value, 0) : isSpace(c) && spaces < MAX_SPACES ? new Colon(value, spaces + 1) : null;
        }
    }
}
