package dev.jgpt.cli;

import dev.jgpt.hub.Hub;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a GGUF model from the Hugging Face Hub into its cache (shared with huggingface_hub and llama.cpp).",
            "",
            "Prints the file's path. A broken-off download resumes where it stopped; the bytes are checked against the hub's SHA-256.",
            "Environment: HF_TOKEN (gated or private repositories), HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE=1 (the cache only)."})
final class PullCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME",
            description = "OWNER/REPO (its Q4_K_M file, else its smallest), OWNER/REPO:QUANT (the file of that quantization, "
                    + "as Q8_0; any case) or OWNER/REPO/FILE.gguf.")
    String name;

    @Override
    public Integer call() {
        Hub hub = HubModels.hub();
        Path file;
        try (HubModels.Progress progress = new HubModels.Progress(spec.commandLine().getErr())) {
            file = hub.pull(HubModels.name(name), progress);
        }
        spec.commandLine().getOut().println(file);
        return 0;
    }
}
