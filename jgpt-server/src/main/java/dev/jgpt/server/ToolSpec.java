package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;

/** A function the request offers the model: its name and the JSON schema of its arguments. */
record ToolSpec(String name, JsonNode parameters) {
}
