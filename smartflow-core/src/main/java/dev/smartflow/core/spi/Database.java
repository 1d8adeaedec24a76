package dev.smartflow.core.spi;

/**
 * Durable records: virtual keys and their spend, the audit log, the routing's fallback chains, the vector stores
 * (their files and vectors) and the policy library (policies, presets, assignments, document jobs), the MCP gateway's
 * records and the A2A gateway's agents. {@code InMemoryDatabase} serves tests and throwaway runs;
 * {@code SqlDatabase} keeps the records in H2 (a file under the data directory, the embedded default) or PostgreSQL
 * (production), with one set of migrations for both.
 *
 * <pre>{@code
 * try (Database database = SqlDatabase.connect(System.getenv("SMARTFLOW_DATABASE_URL"))) {
 *     database.keys().create(key);
 *     database.audit().append(batch);
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe and meant to be shared by every caller in the process; each store it hands out is
 * the same object on every call and follows its own contract ({@link KeyStore}, {@link AuditLog}, {@link ChainStore},
 * {@link VectorStoreRecords}, {@link PolicyStore}, {@link PolicyJobStore}, {@link McpStore}, {@link A2aAgentStore}, {@link UserStore}). The hot path never
 * waits on a database: keys are cached above it and audit records written by a batching writer. After
 * {@link #close()} every call of every store fails with {@link IllegalStateException}.
 */
public interface Database extends AutoCloseable {
    /** Virtual keys and their spend. */
    KeyStore keys();

    /** The audit log. */
    AuditLog audit();

    /** The routing's fallback chains. */
    ChainStore chains();

    /** The vector stores: their files, chunks and vectors. */
    VectorStoreRecords vectorStores();

    /** The policy library: policies, presets, assignments and their counters. */
    PolicyStore policies();

    /** The document-to-policy jobs and their suggestions. */
    PolicyJobStore policyJobs();

    /** The MCP gateway's servers, grants, access requests, invocations and user tokens. */
    McpStore mcp();

    /** The A2A gateway's registered agents. */
    A2aAgentStore a2aAgents();

    /** The dashboard's and SafeChat's users. */
    UserStore users();

    /** Releases connections (and, for an embedded database, closes its files); idempotent. */
    @Override
    void close();
}
