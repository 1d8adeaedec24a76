package dev.smartflow.core.memory;

import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.UserStore;
import dev.smartflow.core.spi.VectorStoreRecords;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.spi.McpStore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Database} held in this process's memory, lost when the process ends: for tests and throwaway runs, and
 * the reference the contract suite checks the SQL implementation against.
 *
 * <pre>{@code
 * Database database = new InMemoryDatabase();
 * database.keys().create(key);
 * }</pre>
 *
 * <p>Thread-safe; every operation is atomic. The audit log keeps every record appended, so memory grows with traffic:
 * use {@code SqlDatabase} (H2 under the data directory) for anything long-lived.
 */
public final class InMemoryDatabase implements Database {
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InMemoryKeyStore keys = new InMemoryKeyStore(closed);
    private final InMemoryAuditLog audit = new InMemoryAuditLog(closed);
    private final InMemoryChainStore chains = new InMemoryChainStore(closed);
    private final InMemoryVectorStoreRecords vectorStores = new InMemoryVectorStoreRecords(closed);
    private final InMemoryPolicyStore policies = new InMemoryPolicyStore(closed);
    private final InMemoryPolicyJobStore policyJobs = new InMemoryPolicyJobStore(closed);
    private final InMemoryMcpStore mcp = new InMemoryMcpStore(closed);
    private final InMemoryA2aAgentStore a2aAgents = new InMemoryA2aAgentStore(closed);
    private final InMemoryUserStore users = new InMemoryUserStore(closed);

    @Override
    public KeyStore keys() {
        requireOpen(closed);
        return keys;
    }

    @Override
    public AuditLog audit() {
        requireOpen(closed);
        return audit;
    }

    @Override
    public ChainStore chains() {
        requireOpen(closed);
        return chains;
    }

    @Override
    public VectorStoreRecords vectorStores() {
        requireOpen(closed);
        return vectorStores;
    }

    @Override
    public PolicyStore policies() {
        requireOpen(closed);
        return policies;
    }

    @Override
    public PolicyJobStore policyJobs() {
        requireOpen(closed);
        return policyJobs;
    }

    @Override
    public McpStore mcp() {
        requireOpen(closed);
        return mcp;
    }

    @Override
    public A2aAgentStore a2aAgents() {
        requireOpen(closed);
        return a2aAgents;
    }

    @Override
    public UserStore users() {
        requireOpen(closed);
        return users;
    }

    @Override
    public void close() {
        closed.set(true);
    }

    static void requireOpen(AtomicBoolean closed) {
        if (closed.get()) {
            throw new IllegalStateException("the database is closed");
        }
    }
}
