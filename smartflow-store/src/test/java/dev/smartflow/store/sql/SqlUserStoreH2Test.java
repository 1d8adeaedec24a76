package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.UserStore;
import dev.smartflow.testkit.UserStoreContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user store's contract on H2 in a file under a fresh data directory per test. */
class SqlUserStoreH2Test extends UserStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database create() {
        return SqlDatabase.h2(dataDir);
    }

    @Test
    void usersSurviveReopeningTheDataDirectory() {
        UserStore.User user = new UserStore.User("admin", UserStore.Role.ADMIN, "hash", true, T0);
        users.create(user);
        database.close();

        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(List.of(user), reopened.users().users());
        }
    }
}
