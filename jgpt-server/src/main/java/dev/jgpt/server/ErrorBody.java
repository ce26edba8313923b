package dev.jgpt.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON of an error, as OpenAI writes it. */
final class ErrorBody {
    private ErrorBody() {
    }

    static ObjectNode of(ObjectMapper json, ApiException e) {
        ObjectNode root = json.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root;
    }
}
