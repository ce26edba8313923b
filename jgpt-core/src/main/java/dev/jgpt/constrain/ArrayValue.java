package dev.jgpt.constrain;

/** A JSON array of {@code items}, with {@code minItems..maxItems} of them; its progress is the count of items. */
final class ArrayValue extends Container {
    private final ValueType items;
    private final int minItems;
    private final int maxItems;

    ArrayValue(ValueType items, int minItems, int maxItems) {
        super('[', ']');
        this.items = items;
        this.minItems = minItems;
        this.maxItems = maxItems;
    }

    @Override
    boolean mayClose(long count) {
        return count >= minItems;
    }

    @Override
    boolean mayAdd(long count) {
        return count < maxItems;
    }

    @Override
    State member(int c, long count, State after) {
        return items.start(new Reading(Phase.AFTER, count + 1, after)).next(c);
    }

    @Override
    int rest(Phase phase, long count) {
        long missing = Math.max(minItems - count, phase == Phase.BEFORE ? 1 : 0);
        long itemAndComma = items.minLength + 1L; // each item but the first after '[' comes with a comma
        return switch (phase) {
            case OPEN -> TextState.add(1, rest(Phase.FIRST, 0));
            case FIRST, BEFORE -> missing == 0 ? 1 : clamp(missing * itemAndComma); // the last item's "comma" is ']'
            case AFTER -> clamp(missing * itemAndComma + 1);
        };
    }
}
