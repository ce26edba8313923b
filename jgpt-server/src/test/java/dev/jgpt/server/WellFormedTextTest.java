package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class WellFormedTextTest {
    @Test
    void loneSurrogatesBecomeTheReplacementCharacterAndPairsStay() {
        String pair = "\ud83d\ude00"; // 😀
        assertThat(WellFormedText.mend("a" + pair + "b")).isEqualTo("a" + pair + "b");
        assertThat(WellFormedText.mend("\ud800")).isEqualTo("\ufffd");
        assertThat(WellFormedText.mend("x\udc00y\ud800")).isEqualTo("x\ufffdy\ufffd");
        assertThat(WellFormedText.mend("\ude00\ud83d")).isEqualTo("\ufffd\ufffd"); // a pair the wrong way round
        assertThat(WellFormedText.mend("\ud83d\ud83d\ude00")).isEqualTo("\ufffd" + pair);
    }

    @Test
    void everyStringOfABodyIsMendedAtAnyDepth() {
        JsonNode body = TestServer.json("{\"prompt\": \"\\ud800\", \"stop\": [\"ok\", \"\\udc00\"], "
                + "\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"a\\ud800\"}]}], \"n\": 1}");
        WellFormedText.mend(body);
        assertThat(body.toString()).isEqualTo("{\"prompt\":\"\ufffd\",\"stop\":[\"ok\",\"\ufffd\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\ufffd\"}]}],\"n\":1}");
    }
}
