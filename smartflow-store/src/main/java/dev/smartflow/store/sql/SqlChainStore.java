package dev.smartflow.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.spi.ChainStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@link ChainStore} of a {@link SqlDatabase}: table {@code routing_chains}, each chain as its API JSON. The put
 * is race-free the way the spend upsert is (see {@link SqlKeyStore}): update, else insert-if-absent, else update again.
 */
final class SqlChainStore implements ChainStore {
    private final SqlDatabase database;
    private final String byName;

    SqlChainStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.byName = " ORDER BY " + dialect.binary("name");
    }

    @Override
    public boolean put(FallbackChain chain) {
        Objects.requireNonNull(chain, "chain");
        String definition = chain.toJson().toString();
        long now = Columns.micros(Instant.now());
        return database.jdbi().inTransaction(handle -> {
            if (update(handle, chain.name(), definition, now) > 0) {
                return false;
            }
            int inserted = handle.createUpdate("INSERT INTO routing_chains (name, definition, updated_at_us) "
                            + "VALUES (:name, :definition, :now) ON CONFLICT DO NOTHING")
                    .bind("name", chain.name()).bind("definition", definition).bind("now", now).execute();
            if (inserted == 0) {
                update(handle, chain.name(), definition, now);
            }
            return inserted > 0;
        });
    }

    private static int update(Handle handle, String name, String definition, long now) {
        return handle.createUpdate("UPDATE routing_chains SET definition = :definition, updated_at_us = :now "
                        + "WHERE name = :name")
                .bind("name", name).bind("definition", definition).bind("now", now).execute();
    }

    @Override
    public Optional<FallbackChain> get(String name) {
        Objects.requireNonNull(name, "name");
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT definition FROM routing_chains WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne()).map(SqlChainStore::chain);
    }

    @Override
    public List<FallbackChain> list() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT definition FROM routing_chains" + byName)
                .mapTo(String.class).list()).stream().map(SqlChainStore::chain).toList();
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return database.jdbi().withHandle(handle -> handle.createUpdate("DELETE FROM routing_chains WHERE name = :name")
                .bind("name", name).execute()) > 0;
    }

    private static FallbackChain chain(String definition) {
        try {
            return FallbackChain.fromJson(Body.MAPPER.readTree(definition), Optional.empty());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored fallback chain is not JSON", e);
        }
    }
}
