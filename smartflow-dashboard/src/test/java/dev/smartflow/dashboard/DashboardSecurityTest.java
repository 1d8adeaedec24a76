package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.dashboard.DashboardGateway.Answer;
import dev.smartflow.dashboard.DashboardGateway.Login;
import dev.smartflow.testkit.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login, the session cookie and what it may do, over plain HTTP against one real gateway with a fake clock:
 * first login, cookie attributes, CSRF, roles, expired and tampered tokens, rate limiting, the relay, and that text
 * from the APIs cannot run in the pages.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardSecurityTest {
    private static final String PASSWORD = "a-long-admin-password";
    @TempDir
    static Path dir;
    private static final FakeClock CLOCK = new FakeClock(java.time.Instant.now());
    private static DashboardGateway gateway;
    private static Login admin;

    @BeforeAll
    static void start() throws IOException {
        gateway = new DashboardGateway(dir.resolve("data"), CLOCK, "dashboard:\n  login_failures: 3\n");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    @Order(1)
    void theFirstLoginIsAdminWithTheMasterKeyAndMustSetAPasswordFirst() {
        Answer wrong = gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"admin\",\"password\":\"not-the-master-key\"}");
        assertEquals(401, wrong.status());
        assertTrue(wrong.setCookies().isEmpty());

        Answer first = gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"admin\",\"password\":\"" + DashboardGateway.MASTER + "\"}");
        assertEquals(200, first.status(), first.body());
        assertTrue(first.json().path("must_change_password").asBoolean());
        String cookie = first.setCookies().stream().filter(c -> c.startsWith("smartflow_token=")).findFirst()
                .orElseThrow();
        assertTrue(cookie.contains("HttpOnly"), cookie);
        assertTrue(cookie.contains("SameSite=Strict"), cookie);
        assertTrue(cookie.contains("Path=/"), cookie);
        assertFalse(cookie.contains("Secure"), "plain HTTP: no Secure attribute");
        assertFalse(first.body().contains(DashboardGateway.MASTER));
        String token = first.cookie("smartflow_token").orElseThrow();
        String csrf = first.json().path("csrf_token").asText();

        Answer before = gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", "smartflow_token=" + token);
        assertEquals(403, before.status());
        assertEquals("password_change_required", before.errorCode());

        Answer weak = gateway.send("POST", gateway.management("/auth/password"), "{\"new_password\":\"short\"}",
                "Cookie", "smartflow_token=" + token, "X-CSRF-Token", csrf);
        assertEquals(400, weak.status());
        Answer master = gateway.send("POST", gateway.management("/auth/password"), "{\"new_password\":\""
                + DashboardGateway.MASTER + "\"}", "Cookie", "smartflow_token=" + token, "X-CSRF-Token", csrf);
        assertEquals(400, master.status());
        Answer noCsrf = gateway.send("POST", gateway.management("/auth/password"), "{\"new_password\":\""
                + PASSWORD + "\"}", "Cookie", "smartflow_token=" + token);
        assertEquals(403, noCsrf.status());
        assertEquals("csrf_failed", noCsrf.errorCode());

        Answer set = gateway.send("POST", gateway.management("/auth/password"), "{\"new_password\":\"" + PASSWORD
                + "\"}", "Cookie", "smartflow_token=" + token, "X-CSRF-Token", csrf);
        assertEquals(200, set.status(), set.body());
        assertFalse(set.json().path("must_change_password").asBoolean());

        Answer oldSession = gateway.send("GET", gateway.management("/auth/me"), null,
                "Cookie", "smartflow_token=" + token);
        assertEquals(401, oldSession.status(), "the session of the master-key login ends with it");
        Answer masterAgain = gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"admin\",\"password\":\"" + DashboardGateway.MASTER + "\"}");
        assertEquals(401, masterAgain.status(), "once set, only the password logs in");
        admin = gateway.login("admin", PASSWORD);
    }

    @Test
    @Order(2)
    void theCookieAuthorisesTheAdminApisOnEveryServiceAndChangesNeedTheCsrfToken() {
        Answer list = gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", admin.cookie());
        assertEquals(200, list.status(), list.body());

        String key = "{\"name\":\"ci\",\"owner_id\":\"team-a\"}";
        Answer noToken = gateway.send("POST", gateway.management("/api/enterprise/vkeys"), key,
                "Cookie", admin.cookie());
        assertEquals(403, noToken.status());
        assertEquals("csrf_failed", noToken.errorCode());
        Answer wrongToken = gateway.send("POST", gateway.management("/api/enterprise/vkeys"), key,
                "Cookie", admin.cookie(), "X-CSRF-Token", admin.csrf() + "0");
        assertEquals(403, wrongToken.status());
        Answer created = gateway.send("POST", gateway.management("/api/enterprise/vkeys"), key,
                "Cookie", admin.cookie(), "X-CSRF-Token", admin.csrf());
        assertEquals(201, created.status(), created.body());

        // the other services' admin APIs, directly and through the dashboard's relay
        assertEquals(200, gateway.send("GET", gateway.url(dev.smartflow.server.Service.POLICY, "/api/policies"),
                null, "Cookie", admin.cookie()).status());
        assertEquals(200, gateway.send("GET", gateway.proxy("/api/a2a/agents"), null, "Cookie", admin.cookie())
                .status());
        assertEquals(200, gateway.send("GET", gateway.management("/dashboard/relay/policy/api/policies"), null,
                "Cookie", admin.cookie()).status());
        Answer relayedChange = gateway.send("POST", gateway.management("/dashboard/relay/policy/api/policies"),
                "{\"name\":\"No secrets\",\"policy_type\":\"security\",\"content\":\"Do not share credentials.\"}", "Cookie", admin.cookie());
        assertEquals(403, relayedChange.status(), "the relay passes no CSRF token it was not given");
        assertEquals(201, gateway.send("POST", gateway.management("/dashboard/relay/policy/api/policies"),
                "{\"name\":\"No secrets\",\"policy_type\":\"security\",\"content\":\"Do not share credentials.\"}", "Cookie", admin.cookie(),
                "X-CSRF-Token", admin.csrf()).status());
        Answer relayedKey = gateway.send("GET", gateway.management("/dashboard/relay/policy/api/policies"), null,
                "Authorization", DashboardGateway.M);
        assertEquals(401, relayedKey.status(), "the relay passes no Authorization header");
        assertEquals(404, gateway.send("GET", gateway.management("/dashboard/relay/policy/health"), null,
                "Cookie", admin.cookie()).status());

        // the master key works as before, and a wrong key is refused even with a good cookie
        assertEquals(200, gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Authorization", DashboardGateway.M).status());
        assertEquals(401, gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Authorization", "Bearer sk-wrong", "Cookie", admin.cookie()).status());
    }

    @Test
    @Order(3)
    void aViewerReadsButChangesNothingAndAChatUserReadsNoAdminApi() {
        gateway.createUser("vera", "viewer-password-1", "viewer");
        gateway.createUser("carl", "chatter-password-1", "chat");
        Login viewer = gateway.login("vera", "viewer-password-1");
        Login chat = gateway.login("carl", "chatter-password-1");

        assertEquals(200, gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", viewer.cookie()).status());
        Answer change = gateway.send("POST", gateway.management("/api/enterprise/vkeys"),
                "{\"name\":\"v\",\"owner_id\":\"v\"}", "Cookie", viewer.cookie(), "X-CSRF-Token", viewer.csrf());
        assertEquals(403, change.status());
        assertEquals("read_only", change.errorCode());
        Answer users = gateway.send("POST", gateway.management("/api/dashboard/users"),
                "{\"username\":\"mallory\",\"password\":\"mallory-password\",\"role\":\"admin\"}",
                "Cookie", viewer.cookie(), "X-CSRF-Token", viewer.csrf());
        assertEquals(403, users.status());

        Answer chatRead = gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", chat.cookie());
        assertEquals(403, chatRead.status());
        assertEquals("insufficient_role", chatRead.errorCode());
        assertEquals(302, gateway.send("GET", gateway.management("/dashboard/"), null, "Cookie", chat.cookie())
                .status(), "the dashboard's pages are not for chat users");
        assertEquals(200, gateway.send("GET", gateway.proxy("/safechat/"), null, "Cookie", chat.cookie())
                .status(), "SafeChat is");
    }

    @Test
    @Order(4)
    void aTamperedOrForgedTokenIsRefused() {
        String[] parts = admin.token().split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"sub\":\"admin\"", "\"sub\":\"eve\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        Answer answer = gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", "smartflow_token=" + forged);
        assertEquals(401, answer.status());
        assertEquals(401, gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", "smartflow_token=garbage").status());
        assertEquals(401, gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null).status());
    }

    @Test
    @Order(5)
    void anExpiredTokenIsRefusedAndItsPagesRedirectToLogin() {
        Login session = gateway.login("admin", PASSWORD);
        assertEquals(200, gateway.send("GET", gateway.management("/dashboard/"), null, "Cookie", session.cookie())
                .status());

        CLOCK.advance(Duration.ofMinutes(481));

        Answer api = gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null, "Cookie",
                session.cookie());
        assertEquals(401, api.status());
        Answer page = gateway.send("GET", gateway.management("/dashboard/"), null, "Cookie", session.cookie());
        assertEquals(302, page.status());
        assertEquals("/dashboard/login.html", page.header("Location").orElseThrow());
        admin = gateway.login("admin", PASSWORD);
    }

    @Test
    @Order(6)
    void loggedOutPagesRedirectToLoginAndLogoutEndsTheSession() {
        for (String page : new String[] {"/dashboard/", "/dashboard/index.html"}) {
            Answer answer = gateway.send("GET", gateway.management(page), null);
            assertEquals(302, answer.status(), page);
            assertEquals("/dashboard/login.html", answer.header("Location").orElseThrow());
        }
        Answer chat = gateway.send("GET", gateway.proxy("/safechat/"), null);
        assertEquals("/safechat/login.html", chat.header("Location").orElseThrow());
        assertEquals(200, gateway.send("GET", gateway.management("/dashboard/login.html"), null).status());

        Login session = gateway.login("admin", PASSWORD);
        Answer out = gateway.send("POST", gateway.management("/auth/logout"), null, "Cookie", session.cookie(),
                "X-CSRF-Token", session.csrf());
        assertEquals(200, out.status());
        assertTrue(out.setCookies().stream().anyMatch(c -> c.startsWith("smartflow_token=;")
                && c.contains("Max-Age=0")));
        assertEquals(401, gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null,
                "Cookie", session.cookie()).status(), "a logged-out token is dead even if kept");
    }

    @Test
    @Order(7)
    void failedLoginsAreRateLimited() {
        CLOCK.advance(Duration.ofMinutes(16));
        for (int i = 0; i < 3; i++) {
            assertEquals(401, gateway.send("POST", gateway.management("/auth/login"),
                    "{\"username\":\"vera\",\"password\":\"guess-" + i + "\"}").status());
        }
        Answer limited = gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"vera\",\"password\":\"viewer-password-1\"}");
        assertEquals(429, limited.status());
        assertEquals("too_many_logins", limited.errorCode());
        assertTrue(Integer.parseInt(limited.header("Retry-After").orElseThrow()) > 0);

        CLOCK.advance(Duration.ofMinutes(16));
        assertEquals(200, gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"vera\",\"password\":\"viewer-password-1\"}").status());
    }

    @Test
    @Order(8)
    void badLoginBodiesAre4xxNever500() {
        assertEquals(400, gateway.send("POST", gateway.management("/auth/login"), "{not json").status());
        assertEquals(400, gateway.send("POST", gateway.management("/auth/login"), "[1]").status());
        assertEquals(401, gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"<script>\",\"password\":\"x\"}").status());
        assertEquals(401, gateway.send("GET", gateway.management("/auth/me"), null).status());
    }

    @Test
    @Order(9)
    void textFromTheApisCannotRunInThePages() throws IOException {
        String hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        Answer created = gateway.send("POST", gateway.management("/api/enterprise/vkeys"),
                "{\"name\":\"" + hostile.replace("\"", "\\\"") + "\",\"owner_id\":\"<b>owner</b>\"}",
                "Authorization", DashboardGateway.M);
        assertEquals(201, created.status(), created.body());
        Answer list = gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null, "Cookie",
                admin.cookie());
        assertTrue(list.header("Content-Type").orElseThrow().startsWith("application/json"));

        // an audit field the caller controls (the request's user) comes back as JSON, for the page to show as text
        gateway.send("POST", gateway.proxy("/v1/chat/completions"), "{\"model\":\"gpt-4o-mini\",\"user\":\""
                + hostile.replace("\"", "\\\"") + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "Authorization", DashboardGateway.M);

        Answer page = gateway.send("GET", gateway.management("/dashboard/"), null, "Cookie", admin.cookie());
        assertEquals(200, page.status());
        String csp = page.header("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
                csp);
        assertEquals("nosniff", page.header("X-Content-Type-Options").orElseThrow());
        assertEquals("DENY", page.header("X-Frame-Options").orElseThrow());
        assertFalse(page.body().contains("<script>"), "no inline script in the page itself");

        for (String script : new String[] {"dashboard/dashboard.js", "safechat/safechat.js", "shared/login.js"}) {
            String source;
            try (InputStream in = DashboardModule.class.getResourceAsStream("web/" + script)) {
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String sink : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                    "eval(", "new Function"}) {
                assertFalse(source.contains(sink), script + " uses " + sink);
            }
        }
        // the login script and base styles both apps share are served by each
        for (String shared : new String[] {gateway.management("/dashboard/login.js"),
                gateway.proxy("/safechat/login.js"), gateway.management("/dashboard/base.css"),
                gateway.proxy("/safechat/base.css"), gateway.proxy("/safechat/style.css")}) {
            assertEquals(200, gateway.send("GET", shared, null).status(), shared);
        }
    }

    @Test
    @Order(10)
    void safeChatIsToldWhatComplianceDidNeverTheValues() {
        String key = gateway.createKey("chatter");
        Answer answer = gateway.send("POST", gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"My SSN is 123-45-6789\"}]}",
                "Authorization", "Bearer " + key, "x-smartflow-safechat", "1");
        assertEquals(200, answer.status(), answer.body());
        String flags = answer.header("x-smartflow-compliance-flags").orElseThrow();
        assertTrue(flags.contains("ssn") && flags.contains("action.redact"), flags);
        assertFalse(flags.contains("6789"));
        assertFalse(gateway.model.lastUserMessage().contains("123-45-6789"), "redacted before the model");

        Answer plain = gateway.send("POST", gateway.proxy("/v1/chat/completions"),
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"My SSN is 123-45-6789\"}]}",
                "Authorization", "Bearer " + key);
        assertTrue(plain.header("x-smartflow-compliance-flags").isEmpty(), "only SafeChat's calls are told");
    }

    @Test
    @Order(11)
    void aFormLoginLandsOnTheAppAndTlsBehindAProxyMakesTheCookieSecure() {
        okhttp3.RequestBody good = new okhttp3.FormBody.Builder().add("username", "admin").add("password", PASSWORD)
                .build();
        try (okhttp3.Response form = gateway.http.newCall(new okhttp3.Request.Builder()
                .url(gateway.proxy("/auth/login")).post(good).header("X-Forwarded-Proto", "https").build())
                .execute()) {
            assertEquals(303, form.code());
            assertEquals("/safechat/", form.header("Location"));
            String cookie = form.headers("Set-Cookie").stream().filter(c -> c.startsWith("smartflow_token="))
                    .findFirst().orElseThrow();
            assertTrue(cookie.contains("; Secure"), cookie);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        okhttp3.RequestBody bad = new okhttp3.FormBody.Builder().add("username", "admin").add("password", "nope")
                .build();
        try (okhttp3.Response form = gateway.http.newCall(new okhttp3.Request.Builder()
                .url(gateway.management("/auth/login")).post(bad).build()).execute()) {
            assertEquals(303, form.code());
            assertEquals("/dashboard/login.html?error=1", form.header("Location"));
            assertTrue(form.headers("Set-Cookie").isEmpty());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(12)
    void aNewPasswordEndsTheUsersOtherSessionsButNotTheOneThatSetIt() {
        CLOCK.advance(Duration.ofMinutes(16)); // past the failed logins of the earlier tests (login_window_minutes)
        gateway.createUser("pat", "pat-password-one", "viewer");
        Login here = gateway.login("pat", "pat-password-one");
        Login elsewhere = gateway.login("pat", "pat-password-one");
        assertEquals(200, read(elsewhere));

        Answer changed = gateway.send("POST", gateway.management("/auth/password"), "{\"current_password\":"
                + "\"pat-password-one\",\"new_password\":\"pat-password-two\"}", "Cookie", here.cookie(),
                "X-CSRF-Token", here.csrf());
        assertEquals(200, changed.status(), changed.body());
        Login renewed = new Login(changed.cookie(SessionGate.COOKIE).orElseThrow(),
                changed.json().path("csrf_token").asText());

        assertEquals(401, read(elsewhere), "the other session has ended");
        assertEquals(401, read(here), "the token the change replaced has ended too");
        assertEquals(200, read(renewed), "the new token of the session that made the change lives");
        assertEquals(200, read(gateway.login("pat", "pat-password-two")));
    }

    @Test
    @Order(13)
    void anAdminChangingAUsersRoleOrPasswordOrDeletingTheUserEndsItsSessions() {
        CLOCK.advance(Duration.ofMinutes(16)); // past the failed logins of the earlier tests (login_window_minutes)
        gateway.createUser("rob", "rob-password-one", "viewer");
        Login viewer = gateway.login("rob", "rob-password-one");
        assertEquals(200, read(viewer));

        Answer promoted = gateway.send("PATCH", gateway.management("/api/dashboard/users/rob"),
                "{\"role\":\"admin\"}", "Cookie", admin.cookie(), "X-CSRF-Token", admin.csrf());
        assertEquals(200, promoted.status(), promoted.body());
        assertEquals("admin", promoted.json().path("user").path("role").asText());
        assertEquals(401, read(viewer), "a session of the old role has ended");
        Login asAdmin = gateway.login("rob", "rob-password-one");
        assertEquals(200, gateway.send("GET", gateway.management("/auth/me"), null, "Cookie", asAdmin.cookie())
                .status());
        assertEquals("admin", gateway.send("GET", gateway.management("/auth/me"), null, "Cookie",
                asAdmin.cookie()).json().path("role").asText());

        Answer reset = gateway.send("PATCH", gateway.management("/api/dashboard/users/rob"),
                "{\"password\":\"rob-password-two\"}", "Authorization", DashboardGateway.M);
        assertEquals(200, reset.status(), reset.body());
        assertEquals(401, read(asAdmin), "a password reset by an admin ends the user's sessions");
        assertEquals(401, gateway.send("POST", gateway.management("/auth/login"),
                "{\"username\":\"rob\",\"password\":\"rob-password-one\"}").status());
        Login again = gateway.login("rob", "rob-password-two");

        assertEquals(200, gateway.send("DELETE", gateway.management("/api/dashboard/users/rob"), null,
                "Authorization", DashboardGateway.M).status());
        assertEquals(401, read(again), "a deleted user's session has ended");
    }

    @Test
    @Order(14)
    void badUserChangesAreClear4xx() {
        CLOCK.advance(Duration.ofMinutes(16)); // past the failed logins of the earlier tests (login_window_minutes)
        gateway.createUser("una", "una-password-one", "viewer");
        Login una = gateway.login("una", "una-password-one");
        String path = gateway.management("/api/dashboard/users/una");

        Answer role = gateway.send("PATCH", path, "{\"role\":\"root\"}", "Authorization", DashboardGateway.M);
        assertEquals(400, role.status());
        assertEquals("invalid_role", role.errorCode());
        Answer weak = gateway.send("PATCH", path, "{\"password\":\"short\"}", "Authorization", DashboardGateway.M);
        assertEquals(400, weak.status());
        assertEquals("weak_password", weak.errorCode());
        Answer nothing = gateway.send("PATCH", path, "{}", "Authorization", DashboardGateway.M);
        assertEquals(400, nothing.status());
        assertEquals(404, gateway.send("PATCH", gateway.management("/api/dashboard/users/nobody"),
                "{\"role\":\"admin\"}", "Authorization", DashboardGateway.M).status());
        Answer byViewer = gateway.send("PATCH", path, "{\"role\":\"admin\"}", "Cookie", una.cookie(),
                "X-CSRF-Token", una.csrf());
        assertEquals(403, byViewer.status(), "a viewer cannot promote itself");
        assertEquals(200, read(una), "a refused change ends nothing");
    }

    /** The status of reading the keys with {@code session}'s cookie. */
    private static int read(Login session) {
        return gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null, "Cookie", session.cookie())
                .status();
    }
}
