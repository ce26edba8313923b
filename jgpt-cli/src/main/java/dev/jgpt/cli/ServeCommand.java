package dev.jgpt.cli;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.server.ApiServer;
import dev.jgpt.server.ChatRun;
import dev.jgpt.server.LoadRun;
import dev.jgpt.server.ServerSettings;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the model over HTTP with an OpenAI-compatible API and a playground page.",
            "",
            "The endpoints are /v1/completions, /v1/chat/completions, /v1/embeddings, /v1/models, /health, /metrics, "
                + "/tokenize and /detokenize. Runs until stopped (Ctrl-C); each request is logged on stderr.",
            "Binds to 127.0.0.1 unless --host says otherwise. With --api-key every request but /health and the playground "
                + "page must carry 'Authorization: Bearer KEY'; another host without a key is allowed, with a warning.",
            "A request field the server does not accept is a 400 naming it; the playground is at http://HOST:PORT/."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = ServerSettings.LOOPBACK,
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the network).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on every request but /health.")
    String apiKey;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "2",
            description = "Requests decoded together, each with its own KV cache (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "16",
            description = "Requests that may wait for a slot; more are answered 429 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1048576",
            description = "Largest request body; larger is answered 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Mixin
    ContextSizeOption contextSize = new ContextSizeOption();

    @Option(names = "--no-prompt-cache",
            description = "Run every prompt from its first token, instead of keeping the start a slot's cache already holds "
                    + "(a chat's earlier turns).")
    boolean noPromptCache;

    @Option(names = "--load-run", paramLabel = "CLIENTS",
            description = "Instead of serving until stopped: start, warm up, send CLIENTS streamed requests at once (then the "
                    + "same requests one at a time), print throughput and latencies, and stop.")
    Integer loadClients;

    @Option(names = "--chat-run", paramLabel = "TURNS",
            description = "Instead of serving until stopped: start, warm up, hold a chat of TURNS turns (each sending the "
                    + "whole conversation so far), print each turn's prompt and cached tokens and time to the first token, and stop.")
    Integer chatTurns;

    @Option(names = "--load-tokens", paramLabel = "N", defaultValue = "32",
            description = "New tokens per request of --load-run or answer of --chat-run (default: ${DEFAULT-VALUE}).")
    int loadTokens;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel lm = contextSize.applyTo(model.open())) {
            int window = lm.contextSize(); // each slot's KV cache
            String id = model.model != null ? modelName(model.path()) : "jgpt-default";
            ServerSettings settings = new ServerSettings(host, port, apiKey, slots, queue, maxBody, window, id, !noPromptCache);
            if (!settings.loopbackOnly() && apiKey == null) {
                err.println("jgpt: warning: listening on " + host + " without --api-key: anyone who reaches this address can use the model");
            }
            CountDownLatch stopped = new CountDownLatch(1);
            // one line per request on stderr, beside the server's other messages
            try (ApiServer server = ApiServer.start(lm, settings, line -> {
                synchronized (err) {
                    err.println("jgpt: " + line);
                    err.flush();
                }
            })) {
                err.printf("jgpt: serving %s on http://%s:%d (%d slots of %d positions, queue %d); Ctrl-C stops%n",
                        id, host, server.port(), slots, window, queue);
                err.flush();
                if (loadClients != null) {
                    loadRun(server);
                    return 0;
                }
                if (chatTurns != null) {
                    chatRun(server);
                    return 0;
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    server.close();
                    stopped.countDown();
                }));
                stopped.await();
            }
        }
        return 0;
    }

    private URI base(ApiServer server) {
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port());
    }

    /** A chat of --chat-run turns on the running server, after a shorter one that shares none of its messages. */
    private void chatRun(ApiServer server) {
        PrintWriter out = spec.commandLine().getOut();
        // the first turns run while the JIT compiles the kernels: a warm-up, not reported
        ChatRun.run(base(server), apiKey, "Warm up.", Math.min(3, chatTurns), loadTokens);
        List<ChatRun.Turn> turns = ChatRun.run(base(server), apiKey, "You are a storyteller.", chatTurns, loadTokens);
        out.printf("%-5s %7s %7s %11s %12s %9s%n", "turn", "prompt", "cached", "completion", "first ms", "total ms");
        for (int t = 0; t < turns.size(); t++) {
            ChatRun.Turn turn = turns.get(t);
            out.printf("%-5d %7d %7d %11d %12.1f %9.1f%n", t + 1, turn.promptTokens(), turn.cachedTokens(),
                    turn.completionTokens(), 1000 * turn.firstToken(), 1000 * turn.seconds());
        }
        out.flush();
    }

    /** A bounded load run on the running server: all clients at once, then one at a time. */
    private void loadRun(ApiServer server) {
        PrintWriter out = spec.commandLine().getOut();
        URI base = base(server);
        String prompt = "Once upon a time";
        // the first requests run while the JIT compiles the kernels: a warm-up, not reported
        LoadRun.run(base, apiKey, prompt, loadTokens, Math.min(4, loadClients), 2 * loadClients);
        out.printf("%-8s %9s %7s %10s %11s %11s %11s %11s%n", "clients", "requests", "failed", "tokens/s",
                "ttft p50 s", "ttft p95 s", "total p50 s", "total p95 s");
        for (int clients : new int[] {loadClients, 1}) {
            LoadRun.Report r = LoadRun.run(base, apiKey, prompt, loadTokens, clients, loadClients);
            out.printf("%-8d %9d %7d %10.1f %11.3f %11.3f %11.3f %11.3f%n", clients, r.completed(), r.failed(),
                    r.tokensPerSecond(), r.firstTokenP50(), r.firstTokenP95(), r.latencyP50(), r.latencyP95());
            out.flush();
        }
    }

    private static String modelName(Path path) {
        Path name = path.toAbsolutePath().normalize().getFileName();
        return name == null ? path.toString() : name.toString();
    }
}
