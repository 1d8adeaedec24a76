package dev.smartflow.store.sql;

import dev.smartflow.core.spi.UserStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@link UserStore} of a {@link SqlDatabase}: table {@code users} (migration V11). A create is an insert
 * {@code ON CONFLICT DO NOTHING}, so two instances creating one name at once make exactly one user.
 */
final class SqlUserStore implements UserStore {
    private static final String COLUMNS = "name, role, password_hash, must_change, updated_at_us";

    private final SqlDatabase database;
    private final String byName;

    SqlUserStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.byName = " ORDER BY " + dialect.binary("name");
    }

    @Override
    public boolean create(User user) {
        Objects.requireNonNull(user, "user");
        return database.jdbi().withHandle(handle -> handle.createUpdate("INSERT INTO users (" + COLUMNS
                        + ") VALUES (:name, :role, :hash, :mustChange, :at) ON CONFLICT DO NOTHING")
                .bind("name", user.name()).bind("role", user.role().id()).bind("hash", user.passwordHash())
                .bind("mustChange", user.mustChange()).bind("at", Columns.micros(user.updatedAt()))
                .execute() > 0);
    }

    @Override
    public boolean update(User user) {
        Objects.requireNonNull(user, "user");
        return database.jdbi().withHandle(handle -> handle.createUpdate("UPDATE users SET role = :role, "
                        + "password_hash = :hash, must_change = :mustChange, updated_at_us = :at WHERE name = :name")
                .bind("name", user.name()).bind("role", user.role().id()).bind("hash", user.passwordHash())
                .bind("mustChange", user.mustChange()).bind("at", Columns.micros(user.updatedAt()))
                .execute() > 0);
    }

    @Override
    public Optional<User> user(String name) {
        Objects.requireNonNull(name, "name");
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT " + COLUMNS + " FROM users WHERE name = :name")
                .bind("name", name).map(SqlUserStore::user).findOne());
    }

    @Override
    public List<User> users() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM users" + byName)
                .map(SqlUserStore::user).list());
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return database.jdbi().withHandle(handle -> handle.createUpdate("DELETE FROM users WHERE name = :name")
                .bind("name", name).execute() > 0);
    }

    private static User user(ResultSet rs, StatementContext ctx) throws SQLException {
        return new User(rs.getString("name"), Role.of(rs.getString("role")), rs.getString("password_hash"),
                rs.getBoolean("must_change"), Columns.instant(rs.getLong("updated_at_us")));
    }
}
