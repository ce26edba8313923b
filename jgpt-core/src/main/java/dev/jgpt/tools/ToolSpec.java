package dev.jgpt.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** A function the request offers the model: its name and the JSON schema of its arguments. */
public record ToolSpec(String name, JsonNode parameters) {
}
