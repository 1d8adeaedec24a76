package dev.smartflow.store.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Brings a database's schema up to date from the SQL files under {@code db/migration}, recording each version it
 * applied in {@code schema_version}.
 *
 * <p>Each migration runs in its own transaction together with the row that records it. PostgreSQL's DDL is
 * transactional, so a failed migration leaves nothing behind there; H2 commits each DDL statement on its own, so on
 * H2 a failed migration may leave part of itself, which is one more reason migrations only ever add. When two
 * instances start at once against one PostgreSQL, one of them wins each version; the other's attempt fails, finds
 * the version recorded, and goes on.
 */
final class Migrator {
    /** Every migration, in order. A new one is a new file plus one line here; a released one never changes. */
    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "keys_and_audit"),
            new Migration(2, "routing_chains"), new Migration(3, "audit_attempts"),
            new Migration(4, "vector_stores"), new Migration(5, "policies"),
            // versions 6 and 8 were never released: versions need not be contiguous, each is applied once
            new Migration(7, "mcp"), new Migration(9, "a2a_agents"), new Migration(10, "runs"),
            new Migration(11, "users"));

    private static final System.Logger LOG = System.getLogger(Migrator.class.getName());

    private Migrator() {
    }

    /**
     * Applies the migrations the database lacks, in order.
     *
     * @throws IllegalStateException when the database was migrated by a newer Smartflow
     */
    static void migrate(Jdbi jdbi) {
        createVersionTable(jdbi);
        TreeSet<Integer> applied = applied(jdbi);
        int latest = MIGRATIONS.getLast().version();
        if (!applied.isEmpty() && applied.last() > latest) {
            throw new IllegalStateException("the database's schema is at version " + applied.last()
                    + ", newer than this Smartflow knows (" + latest + ")");
        }
        for (Migration migration : MIGRATIONS) {
            if (applied.contains(migration.version())) {
                continue;
            }
            List<String> statements = statements(migration.load());
            try {
                jdbi.useTransaction(handle -> {
                    statements.forEach(handle::execute);
                    handle.createUpdate("INSERT INTO schema_version (version, description) VALUES (:v, :d)")
                            .bind("v", migration.version())
                            .bind("d", migration.description())
                            .execute();
                });
                LOG.log(System.Logger.Level.INFO, "applied schema migration {0}", migration.resource());
            } catch (JdbiException e) {
                if (!applied(jdbi).contains(migration.version())) {
                    throw e;
                }
            }
        }
    }

    private static void createVersionTable(Jdbi jdbi) {
        String ddl = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                + "description VARCHAR NOT NULL, applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)";
        try {
            jdbi.useHandle(handle -> handle.execute(ddl));
        } catch (JdbiException e) {
            // Another instance created it in the same instant (PostgreSQL may report that as a conflict even with
            // IF NOT EXISTS); the second attempt sees the table.
            jdbi.useHandle(handle -> handle.execute(ddl));
        }
    }

    private static TreeSet<Integer> applied(Jdbi jdbi) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT version FROM schema_version")
                .mapTo(Integer.class)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    /** The statements of a migration file: {@code --} comments dropped, split at each {@code ;} that ends a line. */
    static List<String> statements(String sql) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    /** One migration: {@code db/migration/V<version>__<description>.sql}. */
    record Migration(int version, String description) {
        Migration {
            Objects.requireNonNull(description, "description");
        }

        String resource() {
            return "db/migration/V" + version + "__" + description + ".sql";
        }

        String load() {
            try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(resource())) {
                if (in == null) {
                    throw new IllegalStateException("missing migration " + resource());
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read migration " + resource(), e);
            }
        }
    }
}
