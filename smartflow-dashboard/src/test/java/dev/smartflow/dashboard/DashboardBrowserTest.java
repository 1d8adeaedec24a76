package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.cache.CacheModule;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard and SafeChat in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) driven by Selenium against one real gateway for the whole class. Each step saves a
 * screenshot under {@code target/screenshots}. Skipped, saying why, when Chromium or its driver is not installed,
 * unless {@code CI} is set: then their absence fails the run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final String PASSWORD = "browser-admin-password";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final List<String> PAGES = List.of("overview", "providers", "routing", "keys", "audit",
            "analytics", "cache", "compliance", "policies", "mcp", "a2a", "traces", "users");

    @TempDir
    static Path dir;
    private static DashboardGateway gateway;
    private static ChromeDriver driver;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        Optional<Path> chromium = executable("CHROME_BIN", "chromium", "chromium-browser", "google-chrome");
        Optional<Path> chromedriver = executable("CHROMEDRIVER", "chromedriver");
        String missing = "Debian's chromium and chromium-driver are needed (apt-get install -y chromium"
                + " chromium-driver); found chromium=" + chromium.isPresent() + ", chromedriver="
                + chromedriver.isPresent();
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            // CI must never pass by skipping the browser
            assertTrue(chromium.isPresent() && chromedriver.isPresent(), missing);
        }
        Assumptions.assumeTrue(chromium.isPresent() && chromedriver.isPresent(), "browser tests skipped: " + missing);
        Files.createDirectories(SCREENSHOTS);
        // the real cache module (its embedder loads from the jar in about a second), so the cache page has stats
        gateway = new DashboardGateway(dir.resolve("data"), InstantSource.system(), "", java.util.Map.of(),
                List.of(new CacheModule()));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--user-data-dir=" + dir.resolve("chrome-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.get().toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (gateway != null) {
                gateway.close();
            }
        }
    }

    @Test
    @Order(1)
    void loggedOutPagesRedirectToLogin() {
        driver.get(gateway.management("/dashboard/#keys"));
        wait.until(ExpectedConditions.urlContains("/dashboard/login.html"));
        driver.get(gateway.proxy("/safechat/"));
        wait.until(ExpectedConditions.urlContains("/safechat/login.html"));
        screenshot("login");
    }

    @Test
    @Order(2)
    void theFirstLoginSetsAPasswordAndEveryPageRenders() {
        driver.get(gateway.management("/dashboard/login.html"));
        logIn("admin", DashboardGateway.MASTER);
        type(By.id("new-password"), PASSWORD);
        screenshot("set-password");
        driver.findElement(By.id("password-save")).click();
        awaitPage("overview");
        assertEquals(List.of("0"), ticks("chart-requests"), "an all-zero series has one tick");

        for (String page : PAGES) {
            open(page);
            WebElement message = driver.findElement(By.id("message"));
            assertFalse(message.isDisplayed() && message.getAttribute("class").contains("error"),
                    page + ": " + message.getText());
            screenshot("page-" + page);
        }
    }

    @Test
    @Order(3)
    void anAdminCreatesAKeySeesItsTokenOnceAndRevokesIt() {
        open("keys");
        type(By.id("key-name"), "browser-key");
        type(By.id("key-owner"), "team-browser");
        type(By.id("key-budget"), "5");
        driver.findElement(By.id("key-create")).click();
        String token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key-token-value"))).getText();
        assertTrue(token.startsWith("sk-sf-"), token);
        screenshot("key-created");
        String id = driver.findElement(By.xpath("//tr[td[2][normalize-space()='browser-key']]"))
                .getAttribute("data-key-id");

        open("overview");
        open("keys");
        assertTrue(driver.findElements(By.id("key-token")).isEmpty(), "the token is shown once");
        assertFalse(driver.getPageSource().contains(token.substring(6, 30)));

        By row = By.cssSelector("tr[data-key-id='" + id + "']");
        assertEquals("active", driver.findElement(row).findElement(By.cssSelector(".status")).getText());
        assertFalse(driver.findElement(row).findElements(By.cssSelector(".bar")).isEmpty(), "a spend bar");
        driver.findElement(row).findElement(By.cssSelector("button.revoke")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-key-id='" + id + "'] .status"), "revoked"));
        screenshot("key-revoked");
        assertEquals(401, gateway.send("POST", gateway.proxy("/v1/chat/completions"), chat("hi"),
                "Authorization", "Bearer " + token).status());
    }

    @Test
    @Order(4)
    void aChartUpdatesAfterTraffic() throws IOException {
        open("overview");
        long before = total();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, gateway.send("POST", gateway.proxy("/v1/chat/completions"), chat("hello " + i),
                    "Authorization", DashboardGateway.M).status());
        }
        wait.until(d -> total() >= before + 3);
        assertEquals(3, ticks("chart-requests").size(), "0, half and the maximum");
        screenshot("overview");
        Files.copy(SCREENSHOTS.resolve("overview.png"), SCREENSHOTS.resolve("dashboard-overview.png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    @Order(5)
    void aRunsCallsShowAsOneTraceThatAnAdminCanStop() {
        for (int i = 0; i < 2; i++) {
            assertEquals(200, gateway.send("POST", gateway.proxy("/v1/chat/completions"), chat("step " + i),
                    "Authorization", DashboardGateway.M, "x-a2a-trace-id", "dash-run-1").status());
        }
        By row = By.cssSelector("tr[data-trace='dash-run-1']");
        wait.until(d -> {
            open("traces");
            return !d.findElements(row).isEmpty();
        });
        driver.findElement(row).click();
        wait.until(ExpectedConditions.textToBe(By.id("trace-state"), "running"));
        assertEquals(2, driver.findElements(By.cssSelector("#trace-detail td.kind")).stream()
                .filter(cell -> cell.getText().equals("llm")).count());
        screenshot("trace");

        driver.findElement(By.id("trace-stop")).click();
        wait.until(ExpectedConditions.textToBe(By.id("trace-state"), "stopped"));
        DashboardGateway.Answer refused = gateway.send("POST", gateway.proxy("/v1/chat/completions"), chat("step 2"),
                "Authorization", DashboardGateway.M, "x-a2a-trace-id", "dash-run-1");
        assertEquals(409, refused.status(), refused.body());
        assertEquals("run_stopped", refused.errorCode());
    }

    @Test
    @Order(6)
    void anUploadedDocumentsProgressReaches100() throws IOException {
        open("policies");
        Path document = Files.writeString(dir.resolve("handbook.txt"), "Security handbook\n\nStaff never share"
                + " passwords in a chat with an AI assistant.\n");
        driver.findElement(By.id("doc-file")).sendKeys(document.toAbsolutePath().toString());
        driver.findElement(By.id("doc-upload")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("job-progress"), "data-pct", "100"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "completed"));
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#job-suggestions button.accept"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-suggestions"), "accepted"));
        screenshot("document-job");
        assertTrue(gateway.send("GET", gateway.url(dev.smartflow.server.Service.POLICY, "/api/policies"), null,
                "Authorization", DashboardGateway.M).body().contains("No shared passwords"));
    }

    @Test
    @Order(7)
    void hostileTextInKeyNamesAndAuditFieldsStaysText() {
        String hostile = "<img src=x onerror=\"window.__xss=1\">";
        gateway.send("POST", gateway.management("/api/enterprise/vkeys"), "{\"name\":\"" + hostile.replace("\"",
                "\\\"") + "\",\"owner_id\":\"x\"}", "Authorization", DashboardGateway.M);
        gateway.send("POST", gateway.proxy("/v1/chat/completions"), "{\"model\":\"gpt-4o-mini\",\"user\":\""
                + hostile.replace("\"", "\\\"") + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "Authorization", DashboardGateway.M);

        open("keys");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("page"), hostile));
        open("audit");
        wait.until(d -> {
            open("audit");
            return d.findElement(By.id("page")).getText().contains(hostile);
        });
        driver.findElement(By.xpath("//tbody/tr[td[contains(.,'onerror')]]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("audit-detail")));
        assertTrue(driver.findElement(By.id("audit-detail")).getText().contains("onerror"));
        screenshot("hostile-text");

        assertTrue(driver.findElements(By.cssSelector("#page img")).isEmpty(), "no element was made of the text");
        assertNull(((JavascriptExecutor) driver).executeScript("return window.__xss;"));
    }

    @Test
    @Order(8)
    void aViewerIsRefusedAChange() {
        gateway.createUser("vic", "viewer-password-9", "chat");
        open("users");
        new Select(wait.until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("select.user-role[data-user='vic']")))).selectByValue("viewer");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Role changed"));
        JsonNode users = gateway.send("GET", gateway.management("/api/dashboard/users"), null, "Authorization",
                DashboardGateway.M).json().path("users");
        assertTrue(java.util.stream.StreamSupport.stream(users.spliterator(), false).anyMatch(user ->
                user.path("username").asText().equals("vic") && user.path("role").asText().equals("viewer")),
                users.toString());
        driver.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.urlContains("/dashboard/login.html"));
        logIn("vic", "viewer-password-9");
        awaitPage("overview");
        open("keys");
        type(By.id("key-name"), "viewer-key");
        type(By.id("key-owner"), "viewer");
        driver.findElement(By.id("key-create")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "viewer can read"));
        assertTrue(driver.findElement(By.id("message")).getAttribute("class").contains("error"));
        screenshot("viewer-refused");
        assertTrue(driver.findElements(By.xpath("//td[normalize-space()='viewer-key']")).isEmpty());
    }

    @Test
    @Order(9)
    void safeChatStreamsAnAnswerWithARedactionNoticeAndItsCostAndShowsABlock() {
        gateway.createUser("chloe", "chat-user-password", "chat");
        String key = gateway.createKey("chloe-key");

        driver.manage().deleteAllCookies();
        driver.get(gateway.proxy("/safechat/"));
        wait.until(ExpectedConditions.urlContains("/safechat/login.html"));
        logIn("chloe", "chat-user-password");
        wait.until(ExpectedConditions.urlMatches(".*/safechat/$"));
        type(By.id("api-key"), key);
        driver.findElement(By.id("key-use")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#model option[value='gpt-4o-mini']")).isEmpty());
        new Select(driver.findElement(By.id("model"))).selectByValue("gpt-4o-mini");
        type(By.id("prompt"), "My SSN is 123-45-6789, what should I do?");
        driver.findElement(By.id("send")).click();

        WebElement answer = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".msg.assistant[data-state='done']")));
        assertEquals(FakeModel.STREAMED, answer.findElement(By.cssSelector(".content")).getText());
        WebElement notice = driver.findElement(By.cssSelector(".notice[data-notice='redacted']"));
        assertTrue(notice.getText().contains("redacted") && notice.getText().contains("ssn"), notice.getText());
        assertFalse(notice.getText().contains("6789"));
        wait.until(ExpectedConditions.textToBePresentInElement(answer.findElement(By.cssSelector(".meta")),
                "Cost: $"));
        assertTrue(gateway.model.chats.getLast().path("stream").asBoolean(), "streamed from the model");
        assertFalse(gateway.model.lastUserMessage().contains("123-45-6789"));

        int calls = gateway.model.chats.size();
        type(By.id("prompt"), "Can you check aws_access_key_id = AKIAIOSFODNN7EXAMPLE for me?");
        driver.findElement(By.id("send")).click();
        WebElement blocked = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".notice[data-notice='blocked']")));
        assertTrue(blocked.getText().contains("aws_access_key"), blocked.getText());
        assertFalse(blocked.getText().contains("AKIAIOSFODNN7EXAMPLE"));
        assertEquals(calls, gateway.model.chats.size(), "a blocked message never reaches the model");
        screenshot("safechat");
    }

    @Test
    @Order(10)
    void theCachePageShowsStatsAfterACachedCallAndClearsANamespace() {
        String key = gateway.createKey("cache-key");
        String ask = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What is the capital of France?\"}]}";
        int before = gateway.model.chats.size();
        for (int i = 0; i < 2; i++) {
            DashboardGateway.Answer answer = gateway.send("POST", gateway.proxy("/v1/chat/completions"), ask,
                    "Authorization", "Bearer " + key, "X-Smartflow-Cache-Namespace", "docs");
            assertEquals(200, answer.status(), answer.body());
        }
        int calls = gateway.model.chats.size();
        assertEquals(before + 1, calls, "the second call was answered from the cache");

        driver.manage().deleteAllCookies();
        driver.get(gateway.management("/dashboard/login.html"));
        logIn("admin", PASSWORD);
        awaitPage("overview");
        open("cache");
        assertTrue(Long.parseLong(driver.findElement(By.id("cache-hits")).getText()) >= 1,
                driver.findElement(By.id("cache-hits")).getText());
        long entries = Long.parseLong(driver.findElement(By.id("cache-entries")).getText());
        assertTrue(entries >= 1, "entries: " + entries);
        screenshot("cache");

        type(By.id("cache-namespace"), "docs");
        driver.findElement(By.id("cache-clear")).click();
        new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .until(d -> Long.parseLong(d.findElement(By.id("cache-entries")).getText()) < entries);
        screenshot("cache-cleared");
        gateway.send("POST", gateway.proxy("/v1/chat/completions"), ask, "Authorization", "Bearer " + key,
                "X-Smartflow-Cache-Namespace", "docs");
        assertEquals(calls + 1, gateway.model.chats.size(), "after the clear the question goes to the model again");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static String chat(String text) {
        return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    /** The y-axis labels of a chart, top to bottom as drawn. */
    private static List<String> ticks(String chart) {
        return driver.findElements(By.cssSelector("#" + chart + " text.tick")).stream().map(e ->
                e.getAttribute("textContent")).toList();
    }

    private static long total() {
        driver.findElement(By.id("chart-requests"));
        return Long.parseLong(driver.findElement(By.id("chart-requests")).getAttribute("data-total"));
    }

    private static void logIn(String user, String password) {
        type(By.id("username"), user);
        type(By.id("password"), password);
        driver.findElement(By.id("submit")).click();
    }

    private static void type(By field, String text) {
        WebElement element = wait.until(ExpectedConditions.visibilityOfElementLocated(field));
        element.clear();
        element.sendKeys(text);
    }

    /** Opens a dashboard page by its link and waits until it has rendered. */
    private static void open(String page) {
        driver.findElement(By.cssSelector("#nav a[data-page='" + page + "']")).click();
        awaitPage(page);
    }

    private static void awaitPage(String page) {
        wait.until(d -> {
            WebElement main = d.findElement(By.id("page"));
            return page.equals(main.getAttribute("data-page")) && main.getAttribute("data-loading") == null;
        });
    }

    private static void screenshot(String name) {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Optional<Path> executable(String env, String... names) {
        String set = System.getenv(env);
        if (set != null && !set.isBlank()) {
            return Optional.of(Path.of(set)).filter(Files::isExecutable);
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        return Stream.of(names).flatMap(name -> Stream.of(path.split(File.pathSeparator))
                .map(d -> Path.of(d, name))).filter(Files::isExecutable).findFirst();
    }
}
