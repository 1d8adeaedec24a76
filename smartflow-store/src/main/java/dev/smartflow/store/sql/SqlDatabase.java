package dev.smartflow.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VectorStoreRecords;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.spi.UserStore;
import dev.smartflow.core.spi.McpStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;

/**
 * A {@link Database} in SQL through JDBI: H2 in a file under the data directory (the embedded default) or PostgreSQL
 * (production). One set of migrations ({@code db/migration/V<n>__<name>.sql} on the classpath) serves both and is
 * applied when the database is opened.
 *
 * <pre>{@code
 * try (Database database = SqlDatabase.h2(Path.of("smartflow-data"))) {               // embedded
 *     database.keys().create(key);
 * }
 * try (Database database = SqlDatabase.connect(System.getenv("SMARTFLOW_DATABASE_URL"))) {
 *     // e.g. jdbc:postgresql://127.0.0.1:5432/smartflow?user=smartflow&password=...
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance per process. Connections come from a small pool (ten connections);
 * calls block until the database answers, so run them on virtual threads. Failures of the database
 * surface as JDBI's unchecked {@link org.jdbi.v3.core.JdbiException}. {@link #close()} closes the pool, and for H2
 * also the database files, so another process (or a reopened instance) may use them.
 */
public final class SqlDatabase implements Database {
    /*
     * Design.
     *
     * One SQL text for both databases: H2 runs in PostgreSQL mode and the statements keep to what both accept (see
     * V1__keys_and_audit.sql for the column types). The two places where the databases really differ are handled
     * without dialect-specific SQL: the spend upsert (see SqlKeyStore) and the idempotent append (see SqlAuditLog)
     * both rest on INSERT ... ON CONFLICT DO NOTHING, which H2 accepts in PostgreSQL mode. The one dialect switch left
     * (Dialect.binary) makes ORDER BY tie-breakers sort strings as Java does, whatever PostgreSQL's collation.
     *
     * H2 keeps the database open while the pool lives (DB_CLOSE_DELAY=-1) and is shut down explicitly on close, so
     * that a closed SqlDatabase has released its file lock and flushed everything.
     */
    static final int POOL_SIZE = 10;
    /**
     * PostgreSQL's SQL, plus a page cache of 4 MiB instead of H2's 16: the audit log is written far more than it is
     * read, and every cached page the writes replace ends as garbage in the gateway's old generation.
     */
    private static final List<String> H2_SETTINGS = List.of("MODE=PostgreSQL", "DATABASE_TO_LOWER=TRUE",
            "DEFAULT_NULL_ORDERING=HIGH", "DB_CLOSE_DELAY=-1", "LOCK_TIMEOUT=10000", "CACHE_SIZE=4096");
    private static final System.Logger LOG = System.getLogger(SqlDatabase.class.getName());

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final String jdbcUrl;
    private final Jdbi jdbi;
    private final SqlKeyStore keys;
    private final SqlAuditLog audit;
    private final SqlChainStore chains;
    private final SqlVectorStoreRecords vectorStores;
    private final SqlPolicyStore policies;
    private final SqlPolicyJobStore policyJobs;
    private final SqlMcpStore mcp;
    private final SqlA2aAgentStore a2aAgents;
    private final SqlUserStore users;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqlDatabase(HikariDataSource dataSource, Dialect dialect, String jdbcUrl) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jdbcUrl = jdbcUrl;
        this.jdbi = Jdbi.create(dataSource);
        try {
            Migrator.migrate(jdbi);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        this.keys = new SqlKeyStore(this, dialect);
        this.audit = new SqlAuditLog(this, dialect);
        this.chains = new SqlChainStore(this, dialect);
        this.vectorStores = new SqlVectorStoreRecords(this, dialect);
        this.policies = new SqlPolicyStore(this, dialect);
        this.policyJobs = new SqlPolicyJobStore(this, dialect);
        this.mcp = new SqlMcpStore(this, dialect);
        this.a2aAgents = new SqlA2aAgentStore(this, dialect);
        this.users = new SqlUserStore(this, dialect);
    }

    /**
     * Opens (creating when absent) the H2 database {@code smartflow} in {@code dataDir}, and migrates it.
     *
     * @throws UncheckedIOException when the directory cannot be created
     */
    public static SqlDatabase h2(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("smartflow");
        SqlDatabase database = open(withH2Settings(url), Dialect.H2, null, null);
        LOG.log(System.Logger.Level.INFO, "opened the H2 database in {0}", dataDir.toAbsolutePath());
        return database;
    }

    /**
     * Opens the PostgreSQL database at {@code jdbcUrl} (credentials as URL parameters, e.g.
     * {@code jdbc:postgresql://127.0.0.1:5432/smartflow?user=smartflow&password=...}), and migrates it.
     */
    public static SqlDatabase postgres(String jdbcUrl) {
        return postgres(jdbcUrl, null, null);
    }

    /** Opens the PostgreSQL database at {@code jdbcUrl} as {@code user}, and migrates it. */
    public static SqlDatabase postgres(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL URL (jdbc:postgresql://host:port/database)");
        }
        SqlDatabase database = open(jdbcUrl, Dialect.POSTGRESQL, user, password);
        LOG.log(System.Logger.Level.INFO, "opened the PostgreSQL database at {0}", withoutParameters(jdbcUrl));
        return database;
    }

    /**
     * Opens the database a URL names, as {@code SMARTFLOW_DATABASE_URL} does: {@code jdbc:postgresql:...} for
     * PostgreSQL, {@code jdbc:h2:...} for H2 (the PostgreSQL-mode settings the SQL needs are added to those the URL
     * names).
     *
     * @throws IllegalArgumentException when the URL names another kind of database
     */
    public static SqlDatabase connect(String url) {
        Objects.requireNonNull(url, "url");
        if (url.startsWith("jdbc:postgresql:")) {
            return postgres(url);
        }
        if (url.startsWith("jdbc:h2:")) {
            SqlDatabase database = open(withH2Settings(url), Dialect.H2, null, null);
            LOG.log(System.Logger.Level.INFO, "opened the H2 database at {0}", withoutParameters(url));
            return database;
        }
        throw new IllegalArgumentException("unsupported database URL: expected jdbc:postgresql:... or jdbc:h2:...");
    }

    private static SqlDatabase open(String jdbcUrl, Dialect dialect, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setPoolName("smartflow-sql");
        return new SqlDatabase(new HikariDataSource(config), dialect, jdbcUrl);
    }

    @Override
    public KeyStore keys() {
        requireOpen();
        return keys;
    }

    @Override
    public AuditLog audit() {
        requireOpen();
        return audit;
    }

    @Override
    public ChainStore chains() {
        requireOpen();
        return chains;
    }

    @Override
    public VectorStoreRecords vectorStores() {
        requireOpen();
        return vectorStores;
    }

    @Override
    public PolicyStore policies() {
        requireOpen();
        return policies;
    }

    @Override
    public PolicyJobStore policyJobs() {
        requireOpen();
        return policyJobs;
    }

    @Override
    public McpStore mcp() {
        requireOpen();
        return mcp;
    }

    @Override
    public A2aAgentStore a2aAgents() {
        requireOpen();
        return a2aAgents;
    }

    @Override
    public UserStore users() {
        requireOpen();
        return users;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly();
        }
    }

    /** The JDBI every store goes through; fails once the database is closed. */
    Jdbi jdbi() {
        requireOpen();
        return jdbi;
    }

    /** Deletes every record, keeping the schema: for tests that share one database. */
    void deleteEverything() {
        jdbi().useTransaction(handle -> {
            handle.execute("DELETE FROM audit_log");
            handle.execute("DELETE FROM key_spend");
            handle.execute("DELETE FROM virtual_keys");
            handle.execute("DELETE FROM vector_stores");
            for (String table : List.of("policies", "policy_presets", "policy_preset_members", "policy_assignments",
                    "policy_counters", "policy_jobs", "policy_suggestions")) {
                handle.execute("DELETE FROM " + table);
            }
            for (String table : List.of("mcp_servers", "mcp_grants", "mcp_access_requests", "mcp_calls",
                    "mcp_user_tokens", "a2a_agents", "users")) {
                handle.execute("DELETE FROM " + table);
            }
        });
    }

    Dialect dialect() {
        return dialect;
    }

    void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the database is closed");
        }
    }

    private void closeQuietly() {
        dataSource.close();
        if (dialect == Dialect.H2) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl);
                 Statement statement = connection.createStatement()) {
                statement.execute("SHUTDOWN");
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "could not shut the H2 database down cleanly", e);
            }
        }
    }

    /** The H2 URL with each of our settings appended unless the URL already names it. */
    static String withH2Settings(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        StringBuilder result = new StringBuilder(url);
        for (String setting : H2_SETTINGS) {
            String name = setting.substring(0, setting.indexOf('=') + 1);
            if (!upper.contains(";" + name)) {
                result.append(';').append(setting);
            }
        }
        return result.toString();
    }

    private static String withoutParameters(String url) {
        int cut = url.length();
        for (char separator : new char[] {'?', ';'}) {
            int at = url.indexOf(separator);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return url.substring(0, cut);
    }
}
