package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The people who log in to the dashboard and SafeChat: a user name, a role and a password hash. The store knows
 * nothing of hashing: the hash is the encoded text of whatever slow hash the dashboard chose (its algorithm and
 * parameters inside), and a user with an empty hash has no password yet.
 *
 * <pre>{@code
 * UserStore users = database.users();
 * users.create(new UserStore.User("alice", UserStore.Role.VIEWER, encodedHash, false, clock.instant()));
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every call is atomic. Records read back equal the records stored, times kept to
 * the microsecond. Users are listed by name (Java string order). After the database is closed every call fails with
 * {@link IllegalStateException}.
 */
public interface UserStore {
    /** Stores {@code user} only if no user has its name; false (and nothing changes) when one has. */
    boolean create(User user);

    /** Replaces the stored user of the same name; false (and nothing is stored) when there is none. */
    boolean update(User user);

    Optional<User> user(String name);

    /** Every user, by name. */
    List<User> users();

    /** Removes the user; true if it was there. */
    boolean delete(String name);

    /** What a user may do: administer, read only, or chat in SafeChat only. */
    enum Role {
        ADMIN, VIEWER, CHAT;

        /** The role's name in the API and the database: {@code admin}, {@code viewer}, {@code chat}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the roles there are */
        public static Role of(String id) {
            for (Role role : values()) {
                if (role.id().equals(id)) {
                    return role;
                }
            }
            throw new IllegalArgumentException("unknown role '" + id + "': admin, viewer or chat");
        }
    }

    /**
     * One user.
     *
     * @param name           1 to 64 letters, digits, {@code . _ @ -}
     * @param passwordHash   the encoded slow hash (opaque here); never logged
     * @param mustChange     the password is a temporary one (the master key of the first login) the user must replace
     */
    record User(String name, Role role, String passwordHash, boolean mustChange, Instant updatedAt) {
        public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

        public User {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'");
            }
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(passwordHash, "passwordHash");
            updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
        }

        /** Names the user and role only: the hash never reaches a log. */
        @Override
        public String toString() {
            return "User[" + name + ", " + role.id() + "]";
        }
    }
}
