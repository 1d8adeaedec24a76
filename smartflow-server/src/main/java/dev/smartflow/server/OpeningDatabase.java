package dev.smartflow.server;

import dev.smartflow.core.routing.FallbackChain;
import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.AuditSummary;
import dev.smartflow.core.spi.ChainStore;
import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VectorChunk;
import dev.smartflow.core.spi.VectorFile;
import dev.smartflow.core.spi.VectorStore;
import dev.smartflow.core.spi.VectorStoreRecords;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.core.spi.A2aAgentStore;
import dev.smartflow.core.spi.UserStore;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.core.spi.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The database while it opens on a virtual thread of its own. Opening H2 or a PostgreSQL pool and checking migrations
 * takes about a second; the services bind their ports meanwhile, so {@code /health} answers sooner. A call that needs
 * the database before it is open waits for it. {@link SmartflowServer#start} still waits for the open before it
 * returns, so a database that cannot be opened fails the start as before.
 */
final class OpeningDatabase implements Database {
    private final CompletableFuture<Database> opening;
    private final KeyStore keys = new WaitingKeyStore();
    private final AuditLog audit = new WaitingAuditLog();
    private final ChainStore chains = new WaitingChainStore();
    private final VectorStoreRecords vectorStores = new WaitingVectorStoreRecords();
    private final McpStore mcp = new WaitingMcpStore();
    private final A2aAgentStore a2aAgents = new WaitingA2aAgentStore();
    private final UserStore users = new WaitingUserStore();

    OpeningDatabase(Supplier<Database> open) {
        this.opening = new CompletableFuture<>();
        Thread.ofVirtual().name("smartflow-database-open").start(() -> {
            try {
                opening.complete(open.get());
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        });
    }

    /** Waits until the database is open; rethrows what opening it threw. */
    Database await() {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    boolean open() {
        return opening.isDone() && !opening.isCompletedExceptionally();
    }

    @Override
    public KeyStore keys() {
        return keys;
    }

    /** The audit log at once; its calls wait for the open (the audit writer's first append, off the hot path). */
    @Override
    public AuditLog audit() {
        return audit;
    }

    /**
     * The chains at once, so routing can be built while the database opens; their calls wait for the open. Chains are
     * read off the hot path (management calls, the start's first load, the route stage's background reload).
     */
    @Override
    public ChainStore chains() {
        return chains;
    }

    /** The vector stores at once, so a module can be wired while the database opens; their calls wait for the open. */
    @Override
    public VectorStoreRecords vectorStores() {
        return vectorStores;
    }

    /**
     * The policy library once the database is open: unlike the stores above, this waits for the open. Its only user,
     * the compliance module, reads it from background threads (snapshot loads, document jobs) and admin routes.
     */
    @Override
    public PolicyStore policies() {
        return await().policies();
    }

    /** The document jobs once the database is open (waits, as {@link #policies()} does). */
    @Override
    public PolicyJobStore policyJobs() {
        return await().policyJobs();
    }

    /** The MCP gateway's store at once, so the module can be installed while the database opens. */
    @Override
    public McpStore mcp() {
        return mcp;
    }

    /** The A2A gateway's agents at once, so the module can be installed while the database opens. */
    @Override
    public A2aAgentStore a2aAgents() {
        return a2aAgents;
    }

    /** The dashboard's users at once, so the module can be installed while the database opens. */
    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public void close() {
        await().close();
    }

    /** Every call waits for the open, then goes to the real records. */
    private final class WaitingVectorStoreRecords implements VectorStoreRecords {
        private VectorStoreRecords records() {
            return await().vectorStores();
        }

        @Override
        public void createStore(VectorStore store) {
            records().createStore(store);
        }

        @Override
        public Optional<VectorStore> findStore(String tenant, String id) {
            return records().findStore(tenant, id);
        }

        @Override
        public Page<VectorStore> listStores(String tenant, PageRequest request) {
            return records().listStores(tenant, request);
        }

        @Override
        public boolean deleteStore(String tenant, String id) {
            return records().deleteStore(tenant, id);
        }

        @Override
        public List<StoreVersion> versions() {
            return records().versions();
        }

        @Override
        public boolean addFile(VectorFile file) {
            return records().addFile(file);
        }

        @Override
        public Optional<VectorFile> findFile(String storeId, String fileId) {
            return records().findFile(storeId, fileId);
        }

        @Override
        public Page<VectorFile> listFiles(String storeId, PageRequest request) {
            return records().listFiles(storeId, request);
        }

        @Override
        public boolean appendChunks(String fileId, List<VectorChunk> chunks, Instant now) {
            return records().appendChunks(fileId, chunks, now);
        }

        @Override
        public OptionalLong completeFile(String fileId, Instant now) {
            return records().completeFile(fileId, now);
        }

        @Override
        public boolean failFile(String fileId, String error, Instant now) {
            return records().failFile(fileId, error, now);
        }

        @Override
        public int failStaleFiles(Instant updatedBefore, String error, Instant now) {
            return records().failStaleFiles(updatedBefore, error, now);
        }

        @Override
        public OptionalLong deleteFile(String storeId, String fileId) {
            return records().deleteFile(storeId, fileId);
        }

        @Override
        public OptionalLong loadVectors(String storeId, Consumer<ChunkVector> sink) {
            return records().loadVectors(storeId, sink);
        }

        @Override
        public List<ChunkText> chunkTexts(String storeId, List<ChunkId> chunks) {
            return records().chunkTexts(storeId, chunks);
        }
    }

    /** Every call waits for the open, then goes to the real store. */
    private final class WaitingMcpStore implements McpStore {
        private McpStore store() {
            return await().mcp();
        }

        @Override
        public boolean putServer(Server server) {
            return store().putServer(server);
        }

        @Override
        public Optional<Server> server(String id) {
            return store().server(id);
        }

        @Override
        public List<Server> servers() {
            return store().servers();
        }

        @Override
        public boolean deleteServer(String id) {
            return store().deleteServer(id);
        }

        @Override
        public boolean grant(Grant grant) {
            return store().grant(grant);
        }

        @Override
        public boolean revoke(KeyId key, String serverId, String tool) {
            return store().revoke(key, serverId, tool);
        }

        @Override
        public List<Grant> grants() {
            return store().grants();
        }

        @Override
        public boolean requestAccess(AccessRequest request) {
            return store().requestAccess(request);
        }

        @Override
        public Optional<AccessRequest> accessRequest(String id) {
            return store().accessRequest(id);
        }

        @Override
        public List<AccessRequest> accessRequests(Optional<KeyId> key, Optional<Status> status) {
            return store().accessRequests(key, status);
        }

        @Override
        public Optional<AccessRequest> decide(String id, boolean approve, Instant at, Optional<String> note) {
            return store().decide(id, approve, at, note);
        }

        @Override
        public int log(List<Call> calls) {
            return store().log(calls);
        }

        @Override
        public List<Call> calls(CallQuery query) {
            return store().calls(query);
        }

        @Override
        public List<Usage> usage(Optional<KeyId> key, Optional<Instant> since) {
            return store().usage(key, since);
        }

        @Override
        public void putToken(Token token) {
            store().putToken(token);
        }

        @Override
        public Optional<Token> token(String serverId, String subject) {
            return store().token(serverId, subject);
        }

        @Override
        public boolean deleteToken(String serverId, String subject) {
            return store().deleteToken(serverId, subject);
        }
    }

    /** Every call waits for the open, then goes to the real log. */
    private final class WaitingAuditLog implements AuditLog {
        @Override
        public int append(List<AuditRecord> records) {
            return await().audit().append(records);
        }

        @Override
        public List<AuditRecord> query(AuditQuery query) {
            return await().audit().query(query);
        }

        @Override
        public AuditSummary summary(Instant from, Instant to) {
            return await().audit().summary(from, to);
        }

        @Override
        public AuditAnalytics analytics(Instant from, Instant to, int top) {
            return await().audit().analytics(from, to, top);
        }
    }

    /** Every call waits for the open, then goes to the real store. */
    private final class WaitingChainStore implements ChainStore {
        @Override
        public boolean put(FallbackChain chain) {
            return await().chains().put(chain);
        }

        @Override
        public Optional<FallbackChain> get(String name) {
            return await().chains().get(name);
        }

        @Override
        public List<FallbackChain> list() {
            return await().chains().list();
        }

        @Override
        public boolean delete(String name) {
            return await().chains().delete(name);
        }
    }

    /** Every call waits for the open, then goes to the real store. */
    private final class WaitingKeyStore implements KeyStore {
        private KeyStore store() {
            return await().keys();
        }

        @Override
        public void create(VirtualKey key) {
            store().create(key);
        }

        @Override
        public Optional<VirtualKey> findById(KeyId id) {
            return store().findById(id);
        }

        @Override
        public Optional<VirtualKey> findByTokenHash(String tokenHash) {
            return store().findByTokenHash(tokenHash);
        }

        @Override
        public List<VirtualKey> list() {
            return store().list();
        }

        @Override
        public List<VirtualKey> listByOwner(String ownerId) {
            return store().listByOwner(ownerId);
        }

        @Override
        public boolean revoke(KeyId id) {
            return store().revoke(id);
        }

        @Override
        public boolean touch(KeyId id, Instant lastUsed) {
            return store().touch(id, lastUsed);
        }

        @Override
        public long addSpend(KeyId id, String periodKey, long micros) {
            return store().addSpend(id, periodKey, micros);
        }

        @Override
        public long spend(KeyId id, String periodKey) {
            return store().spend(id, periodKey);
        }

        @Override
        public boolean resetSpend(KeyId id, String periodKey) {
            return store().resetSpend(id, periodKey);
        }
    }

    /** Every call waits for the open, then goes to the real store. */
    private final class WaitingA2aAgentStore implements A2aAgentStore {
        private A2aAgentStore store() {
            return await().a2aAgents();
        }

        @Override
        public boolean create(Agent agent) {
            return store().create(agent);
        }

        @Override
        public boolean put(Agent agent) {
            return store().put(agent);
        }

        @Override
        public Optional<Agent> agent(String id) {
            return store().agent(id);
        }

        @Override
        public List<Agent> agents() {
            return store().agents();
        }

        @Override
        public boolean delete(String id) {
            return store().delete(id);
        }
    }

    /** Every call waits for the open, then goes to the real store. */
    private final class WaitingUserStore implements UserStore {
        private UserStore store() {
            return await().users();
        }

        @Override
        public boolean create(User user) {
            return store().create(user);
        }

        @Override
        public boolean update(User user) {
            return store().update(user);
        }

        @Override
        public Optional<User> user(String name) {
            return store().user(name);
        }

        @Override
        public List<User> users() {
            return store().users();
        }

        @Override
        public boolean delete(String name) {
            return store().delete(name);
        }
    }
}
