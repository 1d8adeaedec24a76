package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.UserStore;
import dev.smartflow.core.spi.UserStore.Role;
import dev.smartflow.core.spi.UserStore.User;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Database}'s {@link UserStore} must show. An implementation's test extends it and says how
 * to make a database that holds no users of earlier tests.
 *
 * <pre>{@code
 * class InMemoryUserStoreTest extends UserStoreContract {
 *     protected Database create() { return new InMemoryDatabase(); }
 * }
 * }</pre>
 */
public abstract class UserStoreContract {
    /** A time with sub-microsecond digits, so that truncation is exercised. */
    protected static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456789Z");

    protected Database database;
    protected UserStore users;

    /** A new, open database that holds no users. */
    protected abstract Database create();

    @BeforeEach
    void createDatabase() {
        database = create();
        users = database.users();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    private static User user(String name, Role role, String hash, Instant at) {
        return new User(name, role, hash, false, at);
    }

    @Test
    void aCreatedUserReadsBackEqualWithItsTimeToTheMicrosecond() {
        User alice = new User("alice", Role.VIEWER, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", true, T0);

        assertTrue(users.create(alice));

        User read = users.user("alice").orElseThrow();
        assertEquals(alice, read);
        assertEquals(T0.truncatedTo(ChronoUnit.MICROS), read.updatedAt());
        assertTrue(read.mustChange());
        assertEquals(Optional.empty(), users.user("bob"));
    }

    @Test
    void createRefusesANameThatIsTakenAndKeepsTheFirst() {
        assertTrue(users.create(user("admin", Role.ADMIN, "first", T0)));

        assertFalse(users.create(user("admin", Role.CHAT, "second", T0.plusSeconds(1))));

        assertEquals("first", users.user("admin").orElseThrow().passwordHash());
        assertEquals(Role.ADMIN, users.user("admin").orElseThrow().role());
    }

    @Test
    void updateReplacesAnExistingUserOnly() {
        users.create(user("carol", Role.CHAT, "old", T0));

        User changed = new User("carol", Role.ADMIN, "new", false, T0.plusSeconds(5));
        assertTrue(users.update(changed));
        assertFalse(users.update(user("nobody", Role.ADMIN, "x", T0)));

        assertEquals(changed, users.user("carol").orElseThrow());
        assertEquals(Optional.empty(), users.user("nobody"));
    }

    @Test
    void usersAreListedByName() {
        users.create(user("zed", Role.CHAT, "h", T0));
        users.create(user("Bob", Role.VIEWER, "h", T0));
        users.create(user("amy", Role.ADMIN, "h", T0));

        assertEquals(List.of("Bob", "amy", "zed"), users.users().stream().map(User::name).toList());
    }

    @Test
    void deleteRemovesOnlyThatUser() {
        users.create(user("a", Role.CHAT, "h", T0));
        users.create(user("b", Role.CHAT, "h", T0));

        assertTrue(users.delete("a"));
        assertFalse(users.delete("a"));

        assertEquals(List.of("b"), users.users().stream().map(User::name).toList());
    }

    @Test
    void aUsersToStringNamesNoHash() {
        assertFalse(user("a", Role.ADMIN, "secret-hash", T0).toString().contains("secret-hash"));
    }

    @Test
    void aBadNameOrRoleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> user("no spaces", Role.ADMIN, "h", T0));
        assertThrows(IllegalArgumentException.class, () -> user("<script>", Role.ADMIN, "h", T0));
        assertThrows(IllegalArgumentException.class, () -> Role.of("root"));
        assertEquals(Role.CHAT, Role.of("chat"));
    }

    @Test
    void concurrentCreatesOfOneNameMakeExactlyOneUser() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> created = IntStream.range(0, 50)
                    .mapToObj(i -> threads.submit(() -> users.create(user("race", Role.CHAT, "h" + i, T0)))).toList();
            long winners = 0;
            for (Future<Boolean> future : created) {
                winners += future.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        }
        assertEquals(1, users.users().size());
    }

    @Test
    void everyCallFailsOnceTheDatabaseIsClosed() {
        database.close();

        assertThrows(IllegalStateException.class, () -> database.users().users());
    }
}
