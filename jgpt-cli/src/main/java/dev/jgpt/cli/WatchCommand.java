package dev.jgpt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show a run trained with --watch again, finished or interrupted, in the page it was watched in.",
            "Reads OUT/watch.jsonl and serves the page on 127.0.0.1 until Ctrl-C."})
final class WatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OUT", description = "The --out folder of the run.")
    Path out;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "The port (default: a free one).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        WatchState state = new WatchState(false);
        WatchLog.read(out.resolve(WatchLog.FILE)).forEach(state::add);
        try (WatchServer server = WatchServer.start(state, port)) {
            err.printf("jgpt: the run in %s is at %s; Ctrl-C stops%n", out, server.uri());
            err.flush();
            server.serveUntilStopped();
        }
        return 0;
    }
}
