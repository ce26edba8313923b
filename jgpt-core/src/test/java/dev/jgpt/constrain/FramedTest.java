package dev.jgpt.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A JSON schema between fixed texts: only the prefix, a document of the schema and the suffix, in that order. */
class FramedTest {
    private static final Grammar FRAMED;

    static {
        try {
            FRAMED = new Framed("<a>", JsonSchema.compile(new ObjectMapper().readTree("{\"type\": \"object\", \"properties\": {\"n\":"
                    + " {\"type\": \"integer\"}}, \"required\": [\"n\"], \"additionalProperties\": false}")), "</a>");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Test
    void takesThePrefixADocumentAndTheSuffix() {
        assertThat(walk("<a>{\"n\": 12}</a>")).satisfies(s -> {
            assertThat(s.complete()).isTrue();
            assertThat(s.closed()).isTrue();
        });
        assertThat(walk("<a>{\"n\": 12}</a")).satisfies(s -> assertThat(s.complete()).isFalse());
    }

    @Test
    void refusesAnythingElse() {
        assertThat(walk("<b>")).isNull();
        assertThat(walk("<a>{\"m\"")).isNull();
        assertThat(walk("<a>{\"n\": 12}x")).isNull();
        assertThat(walk("<a>{\"n\": 12}</a> ")).isNull();
    }

    @Test
    void countsTheCharactersStillNeeded() {
        TextState start = FRAMED.start();
        assertThat(start.toComplete()).isEqualTo("<a>{\"n\":0}</a>".length());
        assertThat(walk("<a>{\"n\": 1}").toComplete()).isEqualTo("</a>".length());
        assertThat(walk("<a").toComplete()).isEqualTo(">{\"n\":0}</a>".length());
    }

    private static TextState walk(String text) {
        TextState state = FRAMED.start();
        for (int cp : text.codePoints().toArray()) {
            state = state.next(cp);
            if (state == null) {
                return null;
            }
        }
        return state;
    }
}
