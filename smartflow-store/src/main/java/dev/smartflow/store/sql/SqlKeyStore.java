package dev.smartflow.store.sql;

import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@link KeyStore} of a {@link SqlDatabase}: tables {@code virtual_keys} and {@code key_spend}.
 *
 * <p>Spend is added race-free without an upsert statement the two databases share (H2 has no
 * {@code ON CONFLICT DO UPDATE}; PostgreSQL's {@code MERGE} may fail with a unique violation when two sessions insert
 * the same new row at once). Instead, in one transaction: {@code UPDATE ... SET micros = micros + ?}; when no row
 * was there, {@code INSERT ... ON CONFLICT DO NOTHING} (which both accept, and which waits for a concurrent insert of
 * the same row to commit instead of failing); when that inserted nothing, someone else just created the row, so the
 * {@code UPDATE} runs again and now finds it. The row lock the {@code UPDATE} takes holds until commit, so the total
 * read back in the same transaction is exactly this call's result.
 */
final class SqlKeyStore implements KeyStore {
    private static final String COLUMNS = "id, name, owner_id, token_hash, allowed_providers, budget_micros, "
            + "budget_period, tpm_limit, rpm_limit, tags, active, created_at_us, last_used_us";

    private final SqlDatabase database;
    private final String creationOrder;

    SqlKeyStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.creationOrder = " ORDER BY created_at_us, " + dialect.binary("id");
    }

    @Override
    public void create(VirtualKey key) {
        Objects.requireNonNull(key, "key");
        try {
            database.jdbi().useHandle(handle -> handle.createUpdate("INSERT INTO virtual_keys (" + COLUMNS
                            + ") VALUES (:id, :name, :owner, :hash, :providers, :budget, :period, :tpm, :rpm, :tags, "
                            + ":active, :created, :lastUsed)")
                    .bind("id", key.id().value())
                    .bind("name", key.name())
                    .bind("owner", key.ownerId())
                    .bind("hash", key.tokenHash())
                    .bind("providers", Columns.json(key.allowedProviders()))
                    .bind("budget", Columns.nullable(key.budgetMicros()))
                    .bind("period", key.period().name())
                    .bind("tpm", Columns.nullable(key.tpmLimit()))
                    .bind("rpm", Columns.nullable(key.rpmLimit()))
                    .bind("tags", Columns.json(key.tags()))
                    .bind("active", key.active())
                    .bind("created", Columns.micros(key.createdAt()))
                    .bind("lastUsed", Columns.nullableMicros(key.lastUsed()))
                    .execute());
        } catch (JdbiException e) {
            if (Columns.uniqueViolation(e)) {
                throw new IllegalStateException("a key with id " + key.id() + " or the same token hash exists", e);
            }
            throw e;
        }
    }

    @Override
    public Optional<VirtualKey> findById(KeyId id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM virtual_keys WHERE id = :id")
                .bind("id", id.value())
                .map(SqlKeyStore::key)
                .findOne());
    }

    @Override
    public Optional<VirtualKey> findByTokenHash(String tokenHash) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM virtual_keys WHERE token_hash = :hash")
                .bind("hash", tokenHash)
                .map(SqlKeyStore::key)
                .findOne());
    }

    @Override
    public List<VirtualKey> list() {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM virtual_keys" + creationOrder)
                .map(SqlKeyStore::key)
                .list());
    }

    @Override
    public List<VirtualKey> listByOwner(String ownerId) {
        Objects.requireNonNull(ownerId, "ownerId");
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM virtual_keys WHERE owner_id = :owner" + creationOrder)
                .bind("owner", ownerId)
                .map(SqlKeyStore::key)
                .list());
    }

    @Override
    public boolean revoke(KeyId id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle
                .createUpdate("UPDATE virtual_keys SET active = FALSE WHERE id = :id")
                .bind("id", id.value())
                .execute()) > 0;
    }

    @Override
    public boolean touch(KeyId id, Instant lastUsed) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lastUsed, "lastUsed");
        return database.jdbi().withHandle(handle -> handle
                .createUpdate("UPDATE virtual_keys SET last_used_us = :at WHERE id = :id")
                .bind("at", Columns.micros(lastUsed))
                .bind("id", id.value())
                .execute()) > 0;
    }

    @Override
    public long addSpend(KeyId id, String periodKey, long micros) {
        requireSpendKey(id, periodKey);
        if (micros < 0) {
            throw new IllegalArgumentException("micros is negative: " + micros);
        }
        try {
            return database.jdbi().inTransaction(handle -> {
                if (addToRow(handle, id, periodKey, micros) == 0 && insertRow(handle, id, periodKey, micros) == 0) {
                    addToRow(handle, id, periodKey, micros);
                }
                return total(handle, id, periodKey);
            });
        } catch (JdbiException e) {
            if (Columns.outOfRange(e)) {
                throw new ArithmeticException("the spend of key " + id + " in " + periodKey
                        + " would overflow a long");
            }
            throw e;
        }
    }

    @Override
    public long spend(KeyId id, String periodKey) {
        requireSpendKey(id, periodKey);
        return database.jdbi().withHandle(handle -> total(handle, id, periodKey));
    }

    @Override
    public boolean resetSpend(KeyId id, String periodKey) {
        requireSpendKey(id, periodKey);
        return database.jdbi().withHandle(handle -> handle
                .createUpdate("DELETE FROM key_spend WHERE key_id = :id AND period_key = :period")
                .bind("id", id.value())
                .bind("period", periodKey)
                .execute()) > 0;
    }

    private static int addToRow(Handle handle, KeyId id, String periodKey, long micros) {
        return handle.createUpdate("UPDATE key_spend SET micros = micros + :micros "
                        + "WHERE key_id = :id AND period_key = :period")
                .bind("micros", micros)
                .bind("id", id.value())
                .bind("period", periodKey)
                .execute();
    }

    private static int insertRow(Handle handle, KeyId id, String periodKey, long micros) {
        return handle.createUpdate("INSERT INTO key_spend (key_id, period_key, micros) VALUES (:id, :period, :micros) "
                        + "ON CONFLICT DO NOTHING")
                .bind("id", id.value())
                .bind("period", periodKey)
                .bind("micros", micros)
                .execute();
    }

    private static long total(Handle handle, KeyId id, String periodKey) {
        return handle.createQuery("SELECT micros FROM key_spend WHERE key_id = :id AND period_key = :period")
                .bind("id", id.value())
                .bind("period", periodKey)
                .mapTo(Long.class)
                .findOne()
                .orElse(0L);
    }

    private static void requireSpendKey(KeyId id, String periodKey) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(periodKey, "periodKey");
        if (periodKey.isBlank()) {
            throw new IllegalArgumentException("periodKey is blank");
        }
    }

    private static VirtualKey key(ResultSet rs, StatementContext context) throws SQLException {
        return new VirtualKey(
                KeyId.of(rs.getString("id")),
                rs.getString("name"),
                rs.getString("owner_id"),
                rs.getString("token_hash"),
                Columns.stringSet(rs.getString("allowed_providers")),
                Columns.optionalLong(rs, "budget_micros"),
                BudgetPeriod.valueOf(rs.getString("budget_period")),
                Columns.optionalLong(rs, "tpm_limit"),
                Columns.optionalLong(rs, "rpm_limit"),
                Columns.stringMap(rs.getString("tags")),
                rs.getBoolean("active"),
                Columns.instant(rs.getLong("created_at_us")),
                Columns.optionalInstant(rs, "last_used_us"));
    }
}
