package dev.jgpt.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals, made before any route runs (a path that climbs above the root, say), in
 * OpenAI's error shape instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    private final ObjectMapper json;

    JsonErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) throws JsonProcessingException {
        String reason = HttpStatus.getMessage(status);
        ApiException error = new ApiException(status, status < 500 ? "invalid_request_error" : "server_error", null,
                status == 404 ? "not_found" : null,
                message == null || message.isBlank() || message.equals(reason) ? reason : reason + ": " + message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json.writeValueAsBytes(ErrorBody.of(json, error))), callback);
    }
}
