package dev.jgpt.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's chromium, headless, driven through chromedriver by Selenium, for the tests of the
 * pages: every page it opens first gets a trap that collects what would go to the console as an error.
 */
final class HeadlessChromium {
    /** Installed before the page's own script: collects what would go to the console as an error. */
    private static final String ERROR_TRAP = """
            window.__problems = [];
            addEventListener('error', e => __problems.push('error: ' + (e.message || e.target && e.target.outerHTML)), true);
            addEventListener('unhandledrejection', e => __problems.push('unhandled rejection: ' + e.reason));
            addEventListener('securitypolicyviolation', e => __problems.push('blocked: ' + e.blockedURI));
            const consoleError = console.error;
            console.error = function (...args) { __problems.push('console.error: ' + args.join(' ')); return consoleError.apply(this, args); };
            """;

    /** Selenium looks for a DevTools binding matching the browser's version, which these tests do not use; its warning is noise. */
    private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    static final String ABSENT = "browser test skipped: needs chromium and chromedriver "
            + "on the PATH (Debian: apt-get install chromium chromium-driver; .ci/run installs them)";

    private HeadlessChromium() {}

    /** A browser with its profile in {@code profile}, or empty (with {@link #ABSENT} on stderr) where none is installed. */
    static Optional<ChromeDriver> start(Path profile) {
        DEVTOOLS_LOG.setLevel(Level.SEVERE);
        Optional<Path> chromium = executable("JGPT_CHROMIUM", "chromium", "chromium-browser", "google-chrome");
        Optional<Path> driver = executable("JGPT_CHROMEDRIVER", "chromedriver");
        if (chromium.isEmpty() || driver.isEmpty()) {
            System.err.println(ABSENT);
            return Optional.empty();
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile()).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_TRAP));
        return Optional.of(browser);
    }

    /** Opens {@code uri}, forgetting what earlier pages left in the browser's log. */
    static void open(ChromeDriver browser, String uri) {
        browser.get(uri);
        browser.manage().logs().get(LogType.BROWSER); // reading the log empties it
    }

    /** What went wrong so far: errors the page raised, and the browser's own severe log lines (blocked requests among them). */
    static List<String> problems(ChromeDriver browser) {
        List<String> found = new ArrayList<>();
        for (Object problem : (List<?>) browser.executeScript("return window.__problems || []")) found.add(String.valueOf(problem));
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) found.add(entry.getMessage());
        }
        return found;
    }

    private static Optional<Path> executable(String override, String... names) {
        String configured = System.getenv(override);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : names) {
            for (String folder : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(folder, name);
                if (Files.isExecutable(candidate)) return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
