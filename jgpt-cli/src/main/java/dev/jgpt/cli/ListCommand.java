package dev.jgpt.cli;

import dev.jgpt.hub.HubCache;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List the models in the Hugging Face cache (HF_HUB_CACHE, else HF_HOME/hub): name, file, size.")
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        HubCache cache = HubModels.hub().cache();
        List<HubCache.Entry> entries = cache.list().stream().filter(e -> e.file().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (entries.isEmpty()) {
            spec.commandLine().getErr().println("jgpt: no GGUF models in " + cache.root() + " (get one with: jgpt pull OWNER/REPO)");
            return 0;
        }
        int nameWidth = entries.stream().mapToInt(e -> e.repo().length()).max().orElse(0);
        int fileWidth = entries.stream().mapToInt(e -> e.file().length()).max().orElse(0);
        String row = "%-" + Math.max(4, nameWidth) + "s  %-" + Math.max(4, fileWidth) + "s  %10s%n";
        out.printf(row, "NAME", "FILE", "SIZE");
        for (HubCache.Entry e : entries) {
            out.printf(row, e.repo(), e.file(), Units.bytes(e.size()));
        }
        out.flush();
        return 0;
    }
}
