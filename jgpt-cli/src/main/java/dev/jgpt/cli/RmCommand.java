package dev.jgpt.cli;

import dev.jgpt.hub.HubCache;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove a model from the Hugging Face cache: its snapshot entry, and its blob when nothing else links to it.")
final class RmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "OWNER/REPO, OWNER/REPO:QUANT or OWNER/REPO/FILE.gguf, as jgpt list shows.")
    String name;

    @Override
    public Integer call() {
        for (HubCache.Entry e : HubModels.hub().cache().remove(HubModels.name(name))) {
            spec.commandLine().getErr().printf("jgpt: removed %s/%s (%s)%n", e.repo(), e.file(), Units.bytes(e.size()));
        }
        return 0;
    }
}
