package dev.jgpt.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.inspect.AttentionLimit;
import dev.jgpt.inspect.Explainer;
import dev.jgpt.inspect.Explanation;
import dev.jgpt.inspect.ExplanationJson;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tools.ToolCallStream;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The HTTP API over one model, in OpenAI's shapes: {@code /v1/completions},
 * {@code /v1/chat/completions} (both streaming as server-sent events, both with structured
 * output), {@code /v1/embeddings}, {@code /v1/models}; llama.cpp's {@code /health},
 * {@code /tokenize}, {@code /detokenize}; Prometheus's {@code /metrics}; and {@code /v1/explain},
 * the glass-box data of a text for the playground. Errors are OpenAI's {@code {"error": {...}}}
 * objects; no stack trace leaves the server.
 */
public final class ApiServer implements AutoCloseable {
    private static final String JSON = "application/json";
    private static final String STARTED = "jgpt.started";
    private static final String TOKENS = "jgpt.tokens";
    /** The most of an oversized body read before it is refused, so the client reads the 413. */
    private static final long DRAINED_BEFORE_413 = 1 << 20;

    private final LanguageModel lm;
    private final ServerSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final Scheduler scheduler;
    private final RequestParser parser;
    private final Javalin app;
    private final byte[] apiKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Metrics metrics = new Metrics();
    private final Consumer<String> log;

    private ApiServer(LanguageModel lm, ServerSettings settings, ThreadFactory schedulerThreads, Consumer<String> log) {
        this.lm = lm;
        this.log = log;
        this.settings = settings;
        this.apiKey = settings.apiKey() == null ? null : ("Bearer " + settings.apiKey()).getBytes(StandardCharsets.UTF_8);
        this.scheduler = new Scheduler(lm.transformer(), lm.tokenizer(), settings.slots(), settings.queue(), settings.window(),
                settings.promptCache(), schedulerThreads);
        this.parser = new RequestParser(lm.tokenizer(), settings.window(), lm.template());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(json)));
            config.routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            config.routes.before(this::authorize);
            config.routes.after(this::account);
            config.routes.get("/", this::playground);
            config.routes.get("/health", this::health);
            config.routes.get("/v1/models", this::models);
            config.routes.get("/metrics", this::metrics);
            config.routes.post("/v1/completions", ctx -> generate(ctx, false));
            config.routes.post("/v1/chat/completions", ctx -> generate(ctx, true));
            config.routes.post("/v1/explain", this::explain);
            config.routes.post("/v1/embeddings", this::embeddings);
            config.routes.post("/tokenize", this::tokenize);
            config.routes.post("/detokenize", this::detokenize);
            config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e, ctx)));
            // the core's errors while reading a request (text the tokenizer cannot spell, say) are the request's fault
            config.routes.exception(JgptException.class, (e, ctx) -> error(ctx, ApiException.invalid(null, e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx,
                    new ApiException(500, "server_error", null, null, "internal error")));
        });
    }

    /** Starts serving {@code lm}; the model stays the caller's to close after {@link #close}. */
    public static ApiServer start(LanguageModel lm, ServerSettings settings) {
        return start(lm, settings, line -> { });
    }

    /** {@link #start}, writing one line per request to {@code log}: method, path, status, prompt and completion tokens, milliseconds. */
    public static ApiServer start(LanguageModel lm, ServerSettings settings, Consumer<String> log) {
        return start(lm, settings, Scheduler.WORKER_THREADS, log);
    }

    /** {@link #start}, with the scheduler's worker threads made by {@code schedulerThreads}. */
    static ApiServer start(LanguageModel lm, ServerSettings settings, ThreadFactory schedulerThreads, Consumer<String> log) {
        ApiServer server = new ApiServer(lm, settings, schedulerThreads, log);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.scheduler.close();
            throw new JgptException("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        return server;
    }

    /** The port listened on (the chosen one when the settings said 0). */
    public int port() {
        return app.port();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** Stops listening and ends every request; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            scheduler.close();
            app.stop();
        }
    }

    private void authorize(Context ctx) {
        if (apiKey == null || ctx.path().equals("/health") || ctx.path().equals("/")) {
            return;
        }
        String given = ctx.header("Authorization");
        if (given == null || !MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    given == null ? "missing API key: send the header 'Authorization: Bearer <key>'" : "incorrect API key");
        }
    }

    /** Counts the request and writes its log line, once its answer is written (an error's too). */
    private void account(Context ctx) {
        int status = ctx.statusCode();
        metrics.request(ctx.path(), status);
        Long started = ctx.attribute(STARTED);
        int[] tokens = ctx.attribute(TOKENS);
        long ms = started == null ? 0 : (System.nanoTime() - started) / 1_000_000;
        log.accept(ctx.method() + " " + Quoted.escape(ctx.path(), Quoted.MAX_CHARS) + " " + status
                + " prompt=" + (tokens == null ? 0 : tokens[0]) + " cached=" + (tokens == null ? 0 : tokens[1])
                + " completion=" + (tokens == null ? 0 : tokens[2]) + " ms=" + ms);
    }

    /** The tokens a request read (of which {@code cached} came from a slot's cache) and wrote, for its log line and the counters. */
    private void countTokens(Context ctx, int prompt, int cached, int completion) {
        ctx.attribute(TOKENS, new int[] {prompt, cached, completion});
        metrics.tokens(prompt, cached, completion);
    }

    /** Prometheus's text exposition of {@link Metrics}. */
    private void metrics(Context ctx) {
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.write(scheduler));
    }

    /** The playground: one self-contained page from the jar (no other file is served, so no path can escape). */
    private void playground(Context ctx) throws IOException {
        try (InputStream page = ApiServer.class.getResourceAsStream("playground.html")) {
            if (page == null) {
                throw new ApiException(404, "invalid_request_error", null, "not_found", "this build has no playground page");
            }
            ctx.contentType("text/html; charset=utf-8").result(page.readAllBytes());
        }
    }

    /** llama.cpp's health object; an error (503) saying why when the scheduler cannot take requests. */
    private void health(Context ctx) {
        scheduler.problem().ifPresent(message -> {
            throw new ApiException(503, "server_error", null, null, message);
        });
        ObjectNode body = json.createObjectNode();
        body.put("status", "ok");
        body.put("slots_idle", scheduler.slotCount() - scheduler.busySlots());
        body.put("slots_processing", scheduler.busySlots());
        body.put("requests_waiting", Math.max(0, scheduler.inFlight() - scheduler.busySlots()));
        body.put("tokens_generated", scheduler.tokensGenerated());
        body.put("scheduler_restarts", scheduler.restarts());
        send(ctx, 200, body);
    }

    private void models(Context ctx) {
        ObjectNode body = json.createObjectNode();
        body.put("object", "list");
        ObjectNode model = body.putArray("data").addObject();
        model.put("id", settings.modelId());
        model.put("object", "model");
        model.put("created", 0);
        model.put("owned_by", "jgpt");
        ObjectNode meta = model.putObject("meta");
        meta.put("n_ctx", settings.window());
        meta.put("n_vocab", lm.config().vocabSize());
        meta.put("n_params", lm.config().parameterCount());
        send(ctx, 200, body);
    }

    /** llama.cpp's {@code {"content": text, "add_special": false}} → {@code {"tokens": [ids]}}. */
    private void tokenize(Context ctx) {
        Fields f = Fields.of(body(ctx), RequestShape.TOKENIZE);
        String content = f.string("content").orElseThrow(() -> ApiException.invalid("content", "'content' is required"));
        Tokenizer tokenizer = lm.tokenizer();
        int[] ids = f.bool("add_special").orElse(false) ? tokenizer.encodeSequence(content) : tokenizer.encode(content);
        ObjectNode out = json.createObjectNode();
        ArrayNode tokens = out.putArray("tokens");
        for (int id : ids) {
            tokens.add(id);
        }
        send(ctx, 200, out);
    }

    /**
     * {@code {"prompt": text}} or {@code {"tokens": [ids]}}, optional {@code top_k} → the
     * document {@code jgpt explain --json} prints: tokens, next-token top-k, logprobs,
     * attention [layer][head][query][key], logit lens, per-position top-k.
     */
    private void explain(Context ctx) throws InterruptedException {
        ExplainRequest request = parser.explain(body(ctx));
        try {
            AttentionLimit.check(lm.config(), request.tokens().length);
        } catch (JgptException e) {
            throw ApiException.invalid(request.param(), e.getMessage());
        }
        Explanation explanation = onModel(request.param(), model -> Explainer.explain(model, lm.tokenizer(), settings.modelId(),
                request.tokens(), request.topK()));
        ctx.status(200).contentType(JSON).result(ExplanationJson.write(explanation));
    }

    /** OpenAI's embeddings: one vector per input, the model's final-norm hidden states pooled and L2-normalised. */
    private void embeddings(Context ctx) throws InterruptedException {
        EmbeddingRequest request = parser.embeddings(body(ctx));
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < request.inputs().size(); i++) {
            int[] ids = request.inputs().get(i);
            float[] vector = onModel("input", model -> Embeddings.of(model, ids, request.pooling()));
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (request.base64()) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(vector);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vector) {
                    values.add(v);
                }
            }
        }
        out.put("model", settings.modelId());
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", request.promptTokens());
        usage.put("total_tokens", request.promptTokens());
        countTokens(ctx, request.promptTokens(), 0, 0);
        send(ctx, 200, out);
    }

    /**
     * Runs {@code work} on the scheduler's thread (the Transformer runs one pass at a time, and the
     * slots own it) and waits for it; the core's refusal of the request is a 400 naming {@code param}.
     */
    private <T> T onModel(String param, Function<Transformer, T> work) throws InterruptedException {
        try {
            return scheduler.call(work).get();
        } catch (ExecutionException e) {
            throw switch (e.getCause()) {
                case ApiException api -> api;
                case JgptException core -> ApiException.invalid(param, core.getMessage());
                default -> new ApiException(500, "server_error", null, null, "internal error on the model");
            };
        }
    }

    /** llama.cpp's {@code {"tokens": [ids]}} → {@code {"content": text}}. */
    private void detokenize(Context ctx) {
        Fields f = Fields.of(body(ctx), RequestShape.DETOKENIZE);
        JsonNode node = f.node("tokens").orElseThrow(() -> ApiException.invalid("tokens", "'tokens' is required"));
        if (!node.isArray()) {
            throw Fields.wrongType("tokens", "an array of token ids", node);
        }
        int vocab = lm.tokenizer().vocabSize();
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = node.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() >= vocab) {
                throw ApiException.invalid("tokens", "token " + i + " is " + id + ": token ids are integers in 0.." + (vocab - 1));
            }
            ids[i] = id.intValue();
        }
        ObjectNode out = json.createObjectNode();
        out.put("content", lm.tokenizer().decode(ids));
        send(ctx, 200, out);
    }

    private void generate(Context ctx, boolean chat) throws InterruptedException {
        ObjectNode body = body(ctx);
        GenerationRequest request = chat ? parser.chat(body) : parser.completion(body);
        Job job = new Job(request, metrics);
        scheduler.submit(job);
        Reply reply = new Reply(json, lm.tokenizer(), request, settings.modelId());
        try {
            if (request.stream()) {
                stream(ctx, job, reply);
            } else {
                answer(ctx, job, reply);
            }
        } finally {
            job.cancel(); // a no-op once done; frees the slot if this thread leaves early
        }
    }

    /**
     * One JSON answer when generation ends, with a space written ahead of it per token. Jetty does
     * not read a connection while its request is handled, so a client that hangs up quietly shows
     * only when a write fails: the spaces make that happen within a token or two, as the events of
     * a stream do, and the slot is freed. Errors before the first token keep their status; a
     * failure after it (an internal error, the server closing) can only be the body of the 200.
     */
    private void answer(Context ctx, Job job, Reply reply) throws InterruptedException {
        SpacedJson answer = new SpacedJson(ctx, json);
        List<Job.Token> tokens = new ArrayList<>();
        try {
            while (true) {
                switch (job.take()) {
                    case Job.Token t -> {
                        tokens.add(t);
                        answer.tick();
                    }
                    case Job.Failed f -> {
                        if (!answer.committed()) {
                            throw f.error();
                        }
                        answer.finish(f.error().status(), ErrorBody.of(json, f.error()));
                        return;
                    }
                    case Job.Done d -> {
                        countTokens(ctx, d.promptTokens(), d.cachedTokens(), d.completionTokens());
                        answer.finish(200, reply.complete(tokens, d));
                        return;
                    }
                }
            }
        } catch (UncheckedIOException e) {
            job.cancel(); // the client went away: its slot is freed at its next token
        }
    }

    /** Server-sent events: one chunk per token, then the finish chunk, the usage chunk if asked, and {@code [DONE]}. */
    private void stream(Context ctx, Job job, Reply reply) throws InterruptedException {
        EventStream events = new EventStream(ctx, json);
        try {
            if (job.request().chat()) {
                events.send(reply.roleChunk());
            }
            ToolCallStream calls = job.request().tools() == null ? null : new ToolCallStream(job.request().tools());
            List<Job.Token> unsent = new ArrayList<>(); // tokens whose text is held: their logprobs go with the next chunk
            while (true) {
                switch (job.take()) {
                    case Job.Token t -> {
                        unsent.add(t);
                        String text = calls == null ? t.text() : calls.add(t.text());
                        if (!text.isEmpty() || (calls == null && job.request().logprobs())) {
                            events.send(reply.tokenChunk(text, unsent));
                            unsent.clear();
                        }
                    }
                    case Job.Failed f -> {
                        events.send(ErrorBody.of(json, f.error()));
                        events.done();
                        return;
                    }
                    case Job.Done d -> {
                        countTokens(ctx, d.promptTokens(), d.cachedTokens(), d.completionTokens());
                        ToolCallStream.Ending ending = calls == null ? new ToolCallStream.Ending("", null) : calls.finish();
                        if (!ending.content().isEmpty() || !unsent.isEmpty() && job.request().logprobs()) {
                            events.send(reply.tokenChunk(ending.content(), unsent));
                        }
                        if (ending.calls() != null) {
                            reply.toolCallChunks(ending.calls().calls()).forEach(events::send);
                        }
                        events.send(reply.finishChunk(d, ending.calls() != null));
                        if (job.request().includeUsage()) {
                            events.send(reply.usageChunk(d));
                        }
                        events.done();
                        return;
                    }
                }
            }
        } catch (UncheckedIOException e) {
            job.cancel(); // the client went away: its slot is freed at its next token
        }
    }

    /** The request body as a JSON object: 413 past the limit, 400 when it is not JSON or not an object. */
    private ObjectNode body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > settings.maxBodyBytes()) {
            discardUpTo(ctx, DRAINED_BEFORE_413);
            throw tooLarge();
        }
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBodyBytes() + 1));
        } catch (IOException e) {
            throw ApiException.invalid(null, "could not read the request body: " + e.getMessage());
        }
        if (bytes.length > settings.maxBodyBytes()) {
            throw tooLarge();
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""));
        } catch (IOException e) {
            throw ApiException.invalid(null, "could not read the request body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(null, "the body must be a JSON object");
        }
        return (ObjectNode) WellFormedText.mend(node);
    }

    /**
     * Reads and drops what a client sends, up to a bound: a client still writing an oversized body
     * when the 413 and the close come would otherwise see a broken pipe instead of the answer.
     */
    private static void discardUpTo(Context ctx, long bound) {
        try (InputStream in = ctx.req().getInputStream()) {
            in.skipNBytes(Math.min(bound, Math.max(0, ctx.req().getContentLengthLong())));
        } catch (IOException e) {
            // the client is gone or sent less than it declared: the 413 goes out all the same
        }
    }

    /** Javalin's own refusals (no such route, body past its limit) in OpenAI's shape. */
    private ApiException fromJavalin(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> new ApiException(404, "invalid_request_error", null, "not_found", "no route " + ctx.method() + " " + ctx.path());
            case 413 -> tooLarge();
            default -> new ApiException(e.getStatus(), e.getStatus() < 500 ? "invalid_request_error" : "server_error", null, null,
                    e.getMessage());
        };
    }

    private ApiException tooLarge() {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the limit of " + settings.maxBodyBytes() + " bytes");
    }

    private void error(Context ctx, ApiException e) {
        send(ctx, e.status(), ErrorBody.of(json, e));
    }

    private void send(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType(JSON).result(json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
