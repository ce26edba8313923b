package dev.jgpt.constrain;

/**
 * A grammar between two fixed texts: {@code prefix}, then a sentence of {@code inner}, then
 * {@code suffix} (a tool call's markers around its JSON, say). The inner sentence ends at the
 * first character it cannot take once it is complete, so {@code inner} should be one whose
 * sentences close themselves (a JSON object does).
 */
public record Framed(String prefix, Grammar inner, String suffix) implements Grammar {
    @Override
    public TextState start() {
        return prefix.isEmpty() ? new Inner(inner.start()) : new Literal(true, 0);
    }

    /** Inside the prefix (which leads into the inner grammar) or the suffix (whose end closes the text), at {@code at}. */
    private final class Literal implements TextState {
        private final boolean isPrefix;
        private final int at;

        Literal(boolean isPrefix, int at) {
            this.isPrefix = isPrefix;
            this.at = at;
        }

        private String text() {
            return isPrefix ? prefix : suffix;
        }

        @Override
        public TextState next(int codePoint) {
            String text = text();
            if (at >= text.length() || text.codePointAt(at) != codePoint) {
                return null;
            }
            int after = at + Character.charCount(codePoint);
            return isPrefix && after == text.length() ? new Inner(inner.start()) : new Literal(isPrefix, after);
        }

        @Override
        public boolean complete() {
            return !isPrefix && at == suffix.length();
        }

        @Override
        public boolean closed() {
            return complete();
        }

        @Override
        public int toComplete() {
            int rest = text().length() - at;
            return isPrefix ? TextState.add(TextState.add(rest, inner.start().toComplete()), suffix.length()) : rest;
        }
    }

    private final class Inner implements TextState {
        private final TextState state;

        Inner(TextState state) {
            this.state = state;
        }

        @Override
        public TextState next(int codePoint) {
            TextState after = state.next(codePoint);
            if (after != null) {
                return new Inner(after);
            }
            return state.complete() && !suffix.isEmpty() ? new Literal(false, 0).next(codePoint) : null;
        }

        @Override
        public boolean complete() {
            return suffix.isEmpty() && state.complete();
        }

        @Override
        public boolean closed() {
            return suffix.isEmpty() && state.closed();
        }

        @Override
        public int toComplete() {
            return TextState.add(state.toComplete(), suffix.length());
        }

        @Override
        public boolean inStringBody() {
            return state.inStringBody();
        }
    }
}
