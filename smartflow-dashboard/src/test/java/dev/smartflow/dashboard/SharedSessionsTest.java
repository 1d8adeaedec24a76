package dev.smartflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.dashboard.DashboardGateway.Answer;
import dev.smartflow.dashboard.DashboardGateway.Login;
import dev.smartflow.server.testing.SharedServers;
import dev.smartflow.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances on one Redis and one PostgreSQL (same JWT key, as when they share a data directory): a
 * session ended on one is refused by the other. The instances trust what they read for an hour
 * ({@code session_recheck_seconds: 3600}), so a refusal of a token the other instance had already admitted can only
 * come from the published message; a token it never saw is read from Redis.
 */
class SharedSessionsTest {
    @RegisterExtension
    static final SharedServers SHARED = new SharedServers("dashboard-test-");
    private static final String PASSWORD = "shared-admin-password";

    @TempDir
    Path dir;
    private DashboardGateway one;
    private DashboardGateway two;

    @BeforeEach
    void start() throws IOException {
        String yaml = "dashboard:\n  state_prefix: \"" + SHARED.prefix() + "\"\n  session_recheck_seconds: 3600\n";
        one = new DashboardGateway(dir.resolve("one"), InstantSource.system(), yaml, SHARED.env(), List.of());
        Files.createDirectories(dir.resolve("two"));
        Files.copy(dir.resolve("one").resolve(Sessions.KEY_FILE), dir.resolve("two").resolve(Sessions.KEY_FILE));
        two = new DashboardGateway(dir.resolve("two"), InstantSource.system(), yaml, SHARED.env(), List.of());
    }

    @AfterEach
    void stop() {
        try {
            if (two != null) {
                two.close();
            }
        } finally {
            if (one != null) {
                one.close();
            }
        }
    }

    @Test
    void aLogoutOnOneInstanceIsRefusedOnTheOther() {
        Login admin = one.firstAdmin(PASSWORD);
        Login seen = one.login("admin", PASSWORD);
        Login unseen = one.login("admin", PASSWORD);
        assertEquals(200, read(two, seen), "a session of one instance is good on the other");

        logout(one, seen);
        logout(one, unseen);

        assertEquals(401, read(two, unseen), "a token the other instance never saw is looked up in Redis");
        Await.until(Duration.ofSeconds(10), "the other instance refuses the session it had admitted",
                () -> read(two, seen) == 401);
        assertEquals(200, read(two, admin), "the admin's other session lives on");
    }

    @Test
    void aNewPasswordOrRoleOnOneInstanceEndsTheUsersSessionsOnTheOther() {
        one.createUser("sam", "sam-password-one", "viewer");
        Login onTwo = two.login("sam", "sam-password-one");
        Login other = two.login("sam", "sam-password-one");
        assertEquals(200, read(two, onTwo));

        Answer promoted = one.send("PATCH", one.management("/api/dashboard/users/sam"), "{\"role\":\"admin\"}",
                "Authorization", DashboardGateway.M);
        assertEquals(200, promoted.status(), promoted.body());

        Await.until(Duration.ofSeconds(10), "the other instance ends the sessions of the old role",
                () -> read(two, onTwo) == 401);
        assertEquals(401, read(two, other));
        assertEquals(401, read(one, other));
        Login fresh = two.login("sam", "sam-password-one");
        assertEquals(200, read(one, fresh), "a login after the change is good on both");
        assertEquals(200, read(two, fresh));
    }

    private static void logout(DashboardGateway gateway, Login session) {
        assertEquals(200, gateway.send("POST", gateway.management("/auth/logout"), null, "Cookie", session.cookie(),
                SessionGate.CSRF_HEADER, session.csrf()).status());
    }

    private static int read(DashboardGateway gateway, Login session) {
        return gateway.send("GET", gateway.management("/api/enterprise/vkeys"), null, "Cookie", session.cookie())
                .status();
    }
}
