package dev.jgpt.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from a stand-in hub on 127.0.0.1 into a cache in a temporary folder. */
class HubTest {
    private static final String REPO = "owner/tiny-GGUF";
    private static final byte[] Q4 = bytes(1, 300_000);
    private static final byte[] Q8 = bytes(2, 500_000);

    @TempDir
    Path cache;

    private final StandInHub standIn = newStandIn();

    @AfterEach
    void stop() {
        standIn.close();
    }

    @Test
    void pullsTheDefaultQuantizationThroughTheCdnIntoHuggingFaceCacheLayout() throws IOException {
        standIn.file(REPO, "tiny-Q8_0.gguf", Q8).file(REPO, "tiny-Q4_K_M.gguf", Q4).file(REPO, "README.md", new byte[10]);
        Path file = hub(Optional.of("secret")).pull(name(REPO), PullListener.NONE);

        Path repoDir = cache.resolve("models--owner--tiny-GGUF");
        assertThat(file).isEqualTo(repoDir.resolve("snapshots/" + StandInHub.COMMIT + "/tiny-Q4_K_M.gguf"));
        assertThat(Files.readAllBytes(file)).isEqualTo(Q4);
        assertThat(Files.isSymbolicLink(file)).isTrue();
        assertThat(Files.readSymbolicLink(file)).isEqualTo(Path.of("../../blobs/" + StandInHub.sha256(Q4)));
        assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(StandInHub.COMMIT);
        assertThat(standIn.requests()).extracting(StandInHub.Request::server).containsExactly("hub", "hub", "cdn");
        assertThat(standIn.requests()).filteredOn(r -> r.server().equals("hub")).allMatch(r -> "Bearer secret".equals(r.authorization()));
        assertThat(standIn.requests()).filteredOn(r -> r.server().equals("cdn")).allMatch(r -> r.authorization() == null);
    }

    @Test
    void choosesByQuantizationCaseInsensitivelyOrByFileAndNamesTheCandidatesWhenItCannot() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).file(REPO, "m-Q4_K_S.gguf", Q8).file(REPO, "sub/m-F16.gguf", Q8);
        Hub hub = hub(Optional.empty());
        assertThat(Files.readAllBytes(hub.pull(name(REPO + ":q4_k_s"), PullListener.NONE))).isEqualTo(Q8);
        assertThat(hub.pull(name(REPO + "/sub/m-F16.gguf"), PullListener.NONE).toString()).endsWith("/sub/m-F16.gguf");
        assertThatThrownBy(() -> hub.pull(name(REPO + ":Q4_K"), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageContaining("ambiguous").hasMessageContaining("m-Q4_K_M.gguf").hasMessageContaining("m-Q4_K_S.gguf");
        assertThatThrownBy(() -> hub.pull(name(REPO + ":Q2_K"), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageContaining("no GGUF file for 'Q2_K'").hasMessageContaining("m-Q4_K_M.gguf");
        assertThatThrownBy(() -> hub.pull(name(REPO + "/none.gguf"), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageContaining("has no file 'none.gguf'");
    }

    @Test
    void withoutQ4KMTakesTheSmallestFile() throws IOException {
        standIn.file(REPO, "m-Q8_0.gguf", Q8).file(REPO, "m-Q5_K_M.gguf", Q4);
        assertThat(hub(Optional.empty()).pull(name(REPO), PullListener.NONE).getFileName()).hasToString("m-Q5_K_M.gguf");
    }

    @Test
    void aConnectionThatBreaksOffIsResumedWithARangeRequest() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).breakAfter("m-Q4_K_M.gguf", 100_000);
        Path file = hub(Optional.empty()).pull(name(REPO), PullListener.NONE);

        assertThat(Files.readAllBytes(file)).isEqualTo(Q4);
        List<StandInHub.Request> cdn = standIn.requests().stream().filter(r -> r.server().equals("cdn")).toList();
        assertThat(cdn).hasSize(2);
        assertThat(cdn.get(0).range()).isNull();
        // the bytes still in flight when the connection breaks may be lost with it: the resume starts where the file ends
        Matcher resume = Pattern.compile("bytes=(\\d+)-").matcher(cdn.get(1).range());
        assertThat(resume.matches()).as(cdn.get(1).range()).isTrue();
        assertThat(Long.parseLong(resume.group(1))).isBetween(1L, 100_000L);
    }

    @Test
    @Timeout(30) // the stand-in stays silent for 120 s: only the stall guard ends the read in time
    void aConnectionThatGoesSilentIsDroppedAndResumed() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).stallAfter("m-Q4_K_M.gguf", 70_000);
        Hub hub = new Hub(new HubSettings(standIn.endpoint(), Optional.empty(), cache, false, Duration.ofMillis(500)));
        Path file = hub.pull(name(REPO), PullListener.NONE);

        assertThat(Files.readAllBytes(file)).isEqualTo(Q4);
        List<StandInHub.Request> cdn = standIn.requests().stream().filter(r -> r.server().equals("cdn")).toList();
        assertThat(cdn).extracting(StandInHub.Request::range).containsExactly(null, "bytes=70000-");
        assertThat(Thread.currentThread().isInterrupted()).as("the guard's interrupt is not left behind").isFalse();
    }

    @Test
    void anIncompleteFileFromAnEarlierPullIsContinued() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4);
        Path partial = cache.resolve("models--owner--tiny-GGUF/blobs/" + StandInHub.sha256(Q4) + ".incomplete");
        Files.createDirectories(partial.getParent());
        Files.write(partial, java.util.Arrays.copyOf(Q4, 12_345));
        long[] reported = new long[2];
        Path file = hub(Optional.empty()).pull(name(REPO), new PullListener() {
            @Override
            public void downloading(ModelName name, RepoFile f, long have) {
                reported[0] = have;
            }

            @Override
            public void progress(long done, long total) {
                reported[1] = done;
            }
        });
        assertThat(Files.readAllBytes(file)).isEqualTo(Q4);
        assertThat(reported).containsExactly(12_345, Q4.length);
        assertThat(standIn.requests()).filteredOn(r -> r.server().equals("cdn")).extracting(StandInHub.Request::range)
                .containsExactly("bytes=12345-");
        assertThat(partial).doesNotExist();
    }

    @Test
    void bytesThatDoNotMatchTheHubsHashAreRemoved() {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).wrongHash("m-Q4_K_M.gguf");
        assertThatThrownBy(() -> hub(Optional.empty()).pull(name(REPO), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageContaining("m-Q4_K_M.gguf of owner/tiny-GGUF arrived damaged: its SHA-256 is " + StandInHub.sha256(Q4));
        try (var files = Files.walk(cache)) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> !p.toString().contains(".locks"))).isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aGatedRepositoryAsksForAToken() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).gate(REPO, "right");
        assertThatThrownBy(() -> hub(Optional.empty()).pull(name(REPO), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageContaining("no access to owner/tiny-GGUF (the hub answered 401").hasMessageContaining("set HF_TOKEN")
                .hasMessageContaining("accepted its licence");
        assertThatThrownBy(() -> hub(Optional.of("wrong")).pull(name(REPO), PullListener.NONE)).hasMessageContaining("the token given was refused");
        assertThat(Files.readAllBytes(hub(Optional.of("right")).pull(name(REPO), PullListener.NONE))).isEqualTo(Q4);
    }

    @Test
    void aMissingRepositoryIsNamed() {
        assertThatThrownBy(() -> hub(Optional.empty()).pull(name("owner/none"), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageStartingWith("no owner/none on " + standIn.endpoint());
    }

    @Test
    void offlineUsesTheCacheOnlyAndSaysWhenTheModelIsNotThere() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).file(REPO, "m-Q8_0.gguf", Q8);
        Hub offline = new Hub(new HubSettings(standIn.endpoint(), Optional.empty(), cache, true));
        assertThatThrownBy(() -> offline.resolve(name(REPO), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessage("offline (HF_HUB_OFFLINE is set) and owner/tiny-GGUF is not in the cache " + cache);
        Path pulled = hub(Optional.empty()).pull(name(REPO), PullListener.NONE);
        int requests = standIn.requests().size();

        assertThat(offline.resolve(name(REPO), PullListener.NONE)).isEqualTo(pulled);
        assertThat(offline.pull(name(REPO + ":Q4_K_M"), PullListener.NONE)).isEqualTo(pulled);
        assertThatThrownBy(() -> offline.resolve(name(REPO + ":Q8_0"), PullListener.NONE)).isInstanceOf(JgptException.class)
                .hasMessageContaining("offline").hasMessageContaining("no GGUF file for 'Q8_0'");
        assertThat(hub(Optional.empty()).resolve(name(REPO), PullListener.NONE)).as("a cached model is used as it is").isEqualTo(pulled);
        assertThat(standIn.requests()).hasSize(requests);
    }

    @Test
    void listsAndRemovesCachedFilesAndTheirBlobs() throws IOException {
        standIn.file(REPO, "m-Q4_K_M.gguf", Q4).file(REPO, "m-Q8_0.gguf", Q8);
        Hub hub = hub(Optional.empty());
        hub.pull(name(REPO), PullListener.NONE);
        hub.pull(name(REPO + ":Q8_0"), PullListener.NONE);
        assertThat(hub.cache().list()).extracting(HubCache.Entry::repo, HubCache.Entry::file, HubCache.Entry::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(REPO, "m-Q4_K_M.gguf", (long) Q4.length),
                        org.assertj.core.groups.Tuple.tuple(REPO, "m-Q8_0.gguf", (long) Q8.length));

        assertThat(hub.cache().remove(name(REPO + ":Q8_0"))).extracting(HubCache.Entry::file).containsExactly("m-Q8_0.gguf");
        Path blobs = cache.resolve("models--owner--tiny-GGUF/blobs");
        assertThat(blobs.resolve(StandInHub.sha256(Q8))).doesNotExist();
        assertThat(blobs.resolve(StandInHub.sha256(Q4))).exists();
        hub.cache().remove(name(REPO));
        assertThat(cache.resolve("models--owner--tiny-GGUF")).doesNotExist();
        assertThat(hub.cache().list()).isEmpty();
        assertThatThrownBy(() -> hub.cache().remove(name(REPO))).isInstanceOf(JgptException.class).hasMessage(REPO + " is not in the cache " + cache);
    }

    @Test
    @Timeout(30)
    void twoThreadsPullingOneFileFetchItOnce() throws Exception {
        standIn.file(REPO, "tiny-Q4_K_M.gguf", Q4);
        CountDownLatch fetching = new CountDownLatch(1);
        PullListener slow = new PullListener() {
            @Override
            public void downloading(ModelName name, RepoFile file, long have) {
                fetching.countDown();
                sleep(300); // holding the file's lock while the other thread asks for it
            }

            @Override
            public void progress(long done, long total) {
            }
        };
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<Path> first = threads.submit(() -> hub(Optional.empty()).pull(name(REPO), slow));
            fetching.await();
            Future<Path> second = threads.submit(() -> hub(Optional.empty()).pull(name(REPO), PullListener.NONE));
            assertThat(second.get()).isEqualTo(first.get());
        }
        assertThat(Files.readAllBytes(snapshotFile(REPO))).isEqualTo(Q4);
        assertThat(standIn.requests()).filteredOn(r -> r.server().equals("cdn")).hasSize(1);
    }

    @Test
    @Timeout(60)
    void filesLinkedAtOnceByManyPullsAllLand() throws Exception {
        standIn.file(REPO, "tiny-Q4_K_M.gguf", Q4);
        hub(Optional.empty()).pull(name(REPO), PullListener.NONE);
        HubCache files = hub(Optional.empty()).cache();
        RepoFile file = files.snapshotFiles(REPO, StandInHub.COMMIT).getFirst();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<?>> linking = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                linking.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        files.link(REPO, StandInHub.COMMIT, file);
                    }
                }));
            }
            for (Future<?> f : linking) {
                f.get(); // a link that another pull's link took away fails here
            }
        }
        assertThat(Files.readAllBytes(snapshotFile(REPO))).isEqualTo(Q4);
    }

    private Path snapshotFile(String repo) throws IOException {
        try (var files = Files.list(cache.resolve("models--" + repo.replace("/", "--") + "/snapshots/" + StandInHub.COMMIT))) {
            return files.toList().getFirst();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void modelNamesAreOwnerRepoWithAQuantizationOrAFile() {
        assertThat(ModelName.parse("Qwen/Qwen2.5-0.5B-Instruct-GGUF")).hasValue(new ModelName("Qwen/Qwen2.5-0.5B-Instruct-GGUF", Optional.empty(), Optional.empty()));
        assertThat(ModelName.parse("bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M")).get().extracting(ModelName::quant).isEqualTo(Optional.of("Q4_K_M"));
        assertThat(ModelName.parse("a/b/sub/c.gguf")).get().extracting(ModelName::file).isEqualTo(Optional.of("sub/c.gguf"));
        for (String notAName : List.of("model.gguf", "./a/b", "/a/b", "a/b/c", "a/../b.gguf", "a/b:", "a/b/../c.gguf", "a b/c")) {
            assertThat(ModelName.parse(notAName)).as(notAName).isEmpty();
        }
    }

    private Hub hub(Optional<String> token) {
        return new Hub(new HubSettings(standIn.endpoint(), token, cache, false));
    }

    private static ModelName name(String text) {
        return ModelName.parse(text).orElseThrow();
    }

    private static StandInHub newStandIn() {
        try {
            return new StandInHub();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
