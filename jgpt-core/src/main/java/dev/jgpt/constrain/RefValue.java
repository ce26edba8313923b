package dev.jgpt.constrain;

/** A {@code $ref} to a definition, resolved once every definition is compiled (definitions may refer to each other). */
final class RefValue extends ValueType {
    final String target;
    ValueType resolved;

    RefValue(String target) {
        this.target = target;
    }

    @Override
    State start(State after) {
        return resolved.start(after);
    }

    @Override
    int shortest() {
        return resolved.minLength;
    }
}
