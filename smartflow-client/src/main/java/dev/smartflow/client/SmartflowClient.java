package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The asynchronous Smartflow client (the SDK guide's {@code SmartflowClient}): every method of
 * {@link SyncSmartflowClient}, each returning a {@link CompletableFuture} that completes with the answer or
 * exceptionally with a {@link SmartflowException} (unwrapped: {@code join()} throws a {@link CompletionException}
 * whose cause it is, and {@link #await} rethrows it as is).
 *
 * <pre>{@code
 * try (SmartflowClient sf = SmartflowClient.builder()
 *         .baseUrl("http://smartflow:7775")
 *         .apiKey("sk-sf-...")
 *         .timeout(Duration.ofSeconds(30))
 *         .retries(RetryPolicy.of(3))
 *         .build()) {
 *     CompletableFuture<String> reply = sf.chat("Explain quantum computing in simple terms");
 *     CompletableFuture<CacheStats> stats = sf.getCacheStats();
 *     System.out.println(reply.join() + " " + stats.join().hitRate());
 * }
 * }</pre>
 *
 * <p>Calls run on the builder's {@link Builder#executor executor}, by default a virtual thread each, over one
 * connection pool shared with {@link #sync()}. Thread-safe; share one per application and close it when done.
 */
public final class SmartflowClient implements AutoCloseable {
    private final SyncSmartflowClient sync;
    private final Executor executor;
    private final boolean ownsExecutor;

    SmartflowClient(SyncSmartflowClient sync, Executor executor) {
        this.sync = sync;
        this.ownsExecutor = executor == null;
        this.executor = executor == null ? Executors.newVirtualThreadPerTaskExecutor() : executor;
        sync.attach(this);
    }

    /** A client of the gateway whose proxy is at {@code baseUrl}, presenting {@code apiKey} (may be null). */
    public SmartflowClient(String baseUrl, String apiKey) {
        this(builder().baseUrl(baseUrl).apiKey(apiKey).buildSync(), null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client configured from {@code SMARTFLOW_URL} and {@code SMARTFLOW_API_KEY} (see {@link Builder#fromEnv}).
     *
     * @throws IllegalStateException when {@code SMARTFLOW_URL} is not set
     */
    public static SmartflowClient fromEnv() {
        return builder().fromEnv(System.getenv()).build();
    }

    /** The blocking view of this client, over the same connections. */
    public SyncSmartflowClient sync() {
        return sync;
    }

    /**
     * Waits for {@code future} and returns its value, rethrowing a {@link SmartflowException} (or any other runtime
     * exception) as it was thrown, not wrapped in a {@link CompletionException}.
     */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private <T> CompletableFuture<T> async(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, executor);
    }

    /** One message to {@value ChatOptions#DEFAULT_MODEL}; the reply's text. */
    public CompletableFuture<String> chat(String message) {
        return async(() -> sync.chat(message));
    }

    /** One message (after the options' system prompt, if any); the reply's text. */
    public CompletableFuture<String> chat(String message, ChatOptions options) {
        return async(() -> sync.chat(message, options));
    }

    public CompletableFuture<AIResponse> chatCompletions(List<Message> messages) {
        return async(() -> sync.chatCompletions(messages));
    }

    public CompletableFuture<AIResponse> chatCompletions(List<Message> messages, ChatOptions options) {
        return async(() -> sync.chatCompletions(messages, options));
    }

    /**
     * The reply's text as it streams: completes, once the gateway has begun answering, with a {@link Stream} of text
     * deltas read as it is consumed (a blocking read: consume it on a thread that may block). Close it
     * (try-with-resources) unless you read it to the end; closing it early cancels the provider call. A failure
     * before the first chunk completes the future exceptionally; one after it is thrown by the stream's read.
     */
    public CompletableFuture<Stream<String>> streamChat(String message) {
        return async(() -> sync.streamChat(message));
    }

    public CompletableFuture<Stream<String>> streamChat(String message, ChatOptions options) {
        return async(() -> sync.streamChat(message, options));
    }

    /** {@link #streamChat} for a whole conversation. */
    public CompletableFuture<Stream<String>> streamChatCompletions(List<Message> messages, ChatOptions options) {
        return async(() -> sync.streamChatCompletions(messages, options));
    }

    /** One message to Claude on the native Messages route; the text of the reply. */
    public CompletableFuture<String> claudeMessage(String message) {
        return async(() -> sync.claudeMessage(message));
    }

    public CompletableFuture<String> claudeMessage(String message, ClaudeOptions options) {
        return async(() -> sync.claudeMessage(message, options));
    }

    public CompletableFuture<EmbeddingResult> embeddings(String input) {
        return async(() -> sync.embeddings(input));
    }

    public CompletableFuture<EmbeddingResult> embeddings(String input, EmbeddingOptions options) {
        return async(() -> sync.embeddings(input, options));
    }

    public CompletableFuture<EmbeddingResult> embeddings(List<String> inputs) {
        return async(() -> sync.embeddings(inputs));
    }

    /** Vectors for {@code inputs}, in order. */
    public CompletableFuture<EmbeddingResult> embeddings(List<String> inputs, EmbeddingOptions options) {
        return async(() -> sync.embeddings(inputs, options));
    }

    public CompletableFuture<ImageResult> imageGeneration(String prompt) {
        return async(() -> sync.imageGeneration(prompt));
    }

    public CompletableFuture<ImageResult> imageGeneration(String prompt, ImageOptions options) {
        return async(() -> sync.imageGeneration(prompt, options));
    }

    public CompletableFuture<Transcription> audioTranscription(byte[] audio) {
        return async(() -> sync.audioTranscription(audio));
    }

    /** A transcript of {@code audio} (read whole, so a retry can send it again). */
    public CompletableFuture<Transcription> audioTranscription(InputStream audio, TranscriptionOptions options) {
        return async(() -> sync.audioTranscription(audio, options));
    }

    public CompletableFuture<Transcription> audioTranscription(byte[] audio, TranscriptionOptions options) {
        return async(() -> sync.audioTranscription(audio, options));
    }

    public CompletableFuture<byte[]> textToSpeech(String input) {
        return async(() -> sync.textToSpeech(input));
    }

    /** Synthesised speech: the audio bytes in the options' format. */
    public CompletableFuture<byte[]> textToSpeech(String input, SpeechOptions options) {
        return async(() -> sync.textToSpeech(input, options));
    }

    public CompletableFuture<RerankResult> rerank(String query, List<String> documents) {
        return async(() -> sync.rerank(query, documents));
    }

    public CompletableFuture<RerankResult> rerank(String query, List<String> documents, int topN) {
        return async(() -> sync.rerank(query, documents, topN));
    }

    /** Documents ordered by relevance to {@code query}; {@code topN} of them, or all when it is 0. */
    public CompletableFuture<RerankResult> rerank(String query, List<String> documents, String model, int topN) {
        return async(() -> sync.rerank(query, documents, model, topN));
    }

    public CompletableFuture<List<ModelInfo>> listModels() {
        return async(() -> sync.listModels());
    }

    /** The proxy's liveness: {@code {"status":"ok"}}. */
    public CompletableFuture<JsonNode> health() {
        return async(() -> sync.health());
    }

    public CompletableFuture<VectorStore> createVectorStore(String name) {
        return async(() -> sync.createVectorStore(name));
    }

    public CompletableFuture<VectorStore> createVectorStore(String name, String description, Map<String, Object> metadata) {
        return async(() -> sync.createVectorStore(name, description, metadata));
    }

    public CompletableFuture<List<VectorStore>> listVectorStores() {
        return async(() -> sync.listVectorStores());
    }

    public CompletableFuture<VectorStore> getVectorStore(String storeId) {
        return async(() -> sync.getVectorStore(storeId));
    }

    /** Deletes the store and its files; whether the gateway says it deleted one. */
    public CompletableFuture<Boolean> deleteVectorStore(String storeId) {
        return async(() -> sync.deleteVectorStore(storeId));
    }

    public CompletableFuture<VectorStoreFile> addVectorStoreFile(String storeId, String content, String filename) {
        return async(() -> sync.addVectorStoreFile(storeId, content, filename));
    }

    /** Adds a text document, which the gateway chunks and embeds. */
    public CompletableFuture<VectorStoreFile> addVectorStoreFile(String storeId, String content, String filename,
                                              Map<String, Object> metadata) {
        return async(() -> sync.addVectorStoreFile(storeId, content, filename, metadata));
    }

    public CompletableFuture<List<VectorStoreFile>> listVectorStoreFiles(String storeId) {
        return async(() -> sync.listVectorStoreFiles(storeId));
    }

    public CompletableFuture<VectorSearchResult> searchVectorStore(String storeId, String query) {
        return async(() -> sync.searchVectorStore(storeId, query));
    }

    public CompletableFuture<VectorSearchResult> searchVectorStore(String storeId, String query, int maxResults, double scoreThreshold) {
        return async(() -> sync.searchVectorStore(storeId, query, maxResults, scoreThreshold));
    }

    /** Chunks, embeds and stores a document in an existing vector store. */
    public CompletableFuture<RagIngestResult> ragIngest(RagDocument document) {
        return async(() -> sync.ragIngest(document));
    }

    /** The chunks that best match a question, and the context string built from them. */
    public CompletableFuture<RagQueryResult> ragQuery(RagQuery query) {
        return async(() -> sync.ragQuery(query));
    }

    public CompletableFuture<ToolResult> callTool(String serverId, String tool, Map<String, Object> arguments) {
        return async(() -> sync.callTool(serverId, tool, arguments));
    }

    /**
     * Calls an MCP tool through the gateway ({@code tools/call} on {@code /{server_id}/mcp/}), which checks the key's
     * access, budgets, audits and forwards it. A JSON-RPC error (tool unknown or not allowed) is a
     * {@link SmartflowException} of type {@code mcp_error} whose code is the JSON-RPC code; a tool that ran and
     * failed answers normally with {@link ToolResult#isError()}.
     */
    public CompletableFuture<ToolResult> callTool(String serverId, String tool, JsonNode arguments) {
        return async(() -> sync.callTool(serverId, tool, arguments));
    }

    /** Every tool of the gateway's MCP catalog that the key may use. */
    public CompletableFuture<List<McpTool>> listTools() {
        return async(() -> sync.listTools());
    }

    /** The {@code k} tools whose descriptions best match {@code query}. */
    public CompletableFuture<List<McpTool>> searchTools(String query, int k) {
        return async(() -> sync.searchTools(query, k));
    }

    /** MCP calls and cost per server and tool (the key's own, or everyone's with the master key). */
    public CompletableFuture<JsonNode> getMcpUsage() {
        return async(() -> sync.getMcpUsage());
    }

    /** Sends a text task to the registered agent {@code agentId}, under a new trace id. */
    public CompletableFuture<A2aTaskResult> sendA2aTask(String agentId, String text) {
        return async(() -> sync.sendA2aTask(agentId, text));
    }

    /** Sends a text task, correlated with other calls of one run by {@code traceId} ({@code x-a2a-trace-id}). */
    public CompletableFuture<A2aTaskResult> sendA2aTask(String agentId, String text, String traceId) {
        return async(() -> sync.sendA2aTask(agentId, text, traceId));
    }

    /** The agent's capability card. */
    public CompletableFuture<AgentCard> getAgentCard(String agentId) {
        return async(() -> sync.getAgentCard(agentId));
    }

    /** A question about operations, answered from the gateway's own figures. */
    public CompletableFuture<ChatbotAnswer> chatbotQuery(String query) {
        return async(() -> sync.chatbotQuery(query));
    }

    /** The MetaCache's figures (cache module). */
    public CompletableFuture<CacheStats> getCacheStats() {
        return async(() -> sync.getCacheStats());
    }

    /** Every provider's health as routing sees it. */
    public CompletableFuture<List<ProviderHealth>> getProviderHealth() {
        return async(() -> sync.getProviderHealth());
    }

    /** The whole gateway's health: status, uptime, version, Redis, database, providers, cache. */
    public CompletableFuture<SystemHealth> healthComprehensive() {
        return async(() -> sync.healthComprehensive());
    }

    public CompletableFuture<List<VasLog>> getLogs() {
        return async(() -> sync.getLogs());
    }

    public CompletableFuture<List<VasLog>> getLogs(int limit) {
        return async(() -> sync.getLogs(limit));
    }

    /** This instance's audit log, newest first, only {@code provider}'s calls. */
    public CompletableFuture<List<VasLog>> getLogs(int limit, String provider) {
        return async(() -> sync.getLogs(limit, provider));
    }

    public CompletableFuture<List<VasLog>> getLogsHybrid() {
        return async(() -> sync.getLogsHybrid());
    }

    /** Every instance's audit records, newest first, each with its instance id (the bridge service). */
    public CompletableFuture<List<VasLog>> getLogsHybrid(int limit) {
        return async(() -> sync.getLogsHybrid(limit));
    }

    /** Usage and cost analytics of the last 7 days. */
    public CompletableFuture<JsonNode> getAnalytics() {
        return async(() -> sync.getAnalytics());
    }

    /** Usage and cost analytics from the start of {@code startDate} through the end of {@code endDate} (UTC). */
    public CompletableFuture<JsonNode> getAnalytics(LocalDate startDate, LocalDate endDate) {
        return async(() -> sync.getAnalytics(startDate, endDate));
    }

    public CompletableFuture<JsonNode> getRoutingStatus() {
        return async(() -> sync.getRoutingStatus());
    }

    /** Sends every routed call to {@code provider} for {@code duration} (whole seconds, 1 s to 24 h). */
    public CompletableFuture<JsonNode> forceProvider(String provider, Duration duration) {
        return async(() -> sync.forceProvider(provider, duration));
    }

    /** Ends a forced provider early. */
    public CompletableFuture<JsonNode> clearForcedProvider() {
        return async(() -> sync.clearForcedProvider());
    }

    /** Creates a virtual key with no budget or limits. */
    public CompletableFuture<CreatedKey> createVirtualKey(String name, String ownerId) {
        return async(() -> sync.createVirtualKey(name, ownerId));
    }

    /** Creates a virtual key from the API reference's fields ({@code name}, {@code owner_id}, {@code budget_usd}...). */
    public CompletableFuture<CreatedKey> createVirtualKey(Map<String, Object> fields) {
        return async(() -> sync.createVirtualKey(fields));
    }

    public CompletableFuture<JsonNode> listVirtualKeys() {
        return async(() -> sync.listVirtualKeys());
    }

    public CompletableFuture<JsonNode> getKeyBudget(String keyId) {
        return async(() -> sync.getKeyBudget(keyId));
    }

    public CompletableFuture<JsonNode> resetKeyBudget(String keyId) {
        return async(() -> sync.resetKeyBudget(keyId));
    }

    public CompletableFuture<JsonNode> revokeVirtualKey(String keyId) {
        return async(() -> sync.revokeVirtualKey(keyId));
    }

    /** A custom alert to the gateway's webhooks; severity {@code info}, {@code warning} or {@code critical}. */
    public CompletableFuture<JsonNode> sendAlert(String title, String message, String severity) {
        return async(() -> sync.sendAlert(title, message, severity));
    }

    public CompletableFuture<ComplianceResult> checkCompliance(String content) {
        return async(() -> sync.checkCompliance(content));
    }

    public CompletableFuture<ComplianceResult> checkCompliance(String content, String policy) {
        return async(() -> sync.checkCompliance(content, policy));
    }

    public CompletableFuture<ComplianceResult> checkCompliance(String content, String policy, ScanContext context) {
        return async(() -> sync.checkCompliance(content, policy, context));
    }

    public CompletableFuture<IntelligentScanResult> intelligentScan(String content) {
        return async(() -> sync.intelligentScan(content));
    }

    /** The layered scan; with a user and org, behavioural analysis against their baselines. */
    public CompletableFuture<IntelligentScanResult> intelligentScan(String content, ScanContext context) {
        return async(() -> sync.intelligentScan(content, context));
    }

    /** {@code content} with personal data replaced by labels ({@code [EMAIL]}, {@code [PHONE]}...). */
    public CompletableFuture<String> redactPii(String content) {
        return async(() -> sync.redactPii(content));
    }

    public CompletableFuture<JsonNode> submitComplianceFeedback(String scanId, boolean isFalsePositive) {
        return async(() -> sync.submitComplianceFeedback(scanId, isFalsePositive));
    }

    /** Tells the ML layer whether the scan {@code scanId} was a false positive; {@code userId}, {@code notes} optional. */
    public CompletableFuture<JsonNode> submitComplianceFeedback(String scanId, boolean isFalsePositive, String userId, String notes) {
        return async(() -> sync.submitComplianceFeedback(scanId, isFalsePositive, userId, notes));
    }

    /** The API reference's form of feedback: the action and risk level the scan should have given. */
    public CompletableFuture<JsonNode> submitComplianceCorrection(String scanId, String correctAction, String correctRiskLevel,
                                               String notes) {
        return async(() -> sync.submitComplianceCorrection(scanId, correctAction, correctRiskLevel, notes));
    }

    public CompletableFuture<LearningStatus> getLearningStatus(String userId) {
        return async(() -> sync.getLearningStatus(userId));
    }

    public CompletableFuture<LearningSummary> getLearningSummary() {
        return async(() -> sync.getLearningSummary());
    }

    public CompletableFuture<MlStats> getMlStats() {
        return async(() -> sync.getMlStats());
    }

    public CompletableFuture<JsonNode> getOrgSummary() {
        return async(() -> sync.getOrgSummary());
    }

    public CompletableFuture<OrgBaseline> getOrgBaseline(String orgId) {
        return async(() -> sync.getOrgBaseline(orgId));
    }

    public CompletableFuture<PersistenceStats> getPersistenceStats() {
        return async(() -> sync.getPersistenceStats());
    }

    /** Has the compliance engine save its learnt data now. */
    public CompletableFuture<JsonNode> saveComplianceData() {
        return async(() -> sync.saveComplianceData());
    }

    public CompletableFuture<JsonNode> getIntelligentHealth() {
        return async(() -> sync.getIntelligentHealth());
    }

    /** {@code total_policies}, {@code total_presets}, {@code total_applications}, {@code compliance_violations}. */
    public CompletableFuture<JsonNode> getPolicyStats() {
        return async(() -> sync.getPolicyStats());
    }

    public CompletableFuture<JsonNode> listPolicies() {
        return async(() -> sync.listPolicies());
    }

    public CompletableFuture<JsonNode> getPolicy(String policyId) {
        return async(() -> sync.getPolicy(policyId));
    }

    /** Creates a policy from the reference's fields ({@code name}, {@code policy_type}, {@code content}...). */
    public CompletableFuture<JsonNode> createPolicy(Map<String, Object> policy) {
        return async(() -> sync.createPolicy(policy));
    }

    /** Changes only the fields given ({@code PATCH}). */
    public CompletableFuture<JsonNode> updatePolicy(String policyId, Map<String, Object> fields) {
        return async(() -> sync.updatePolicy(policyId, fields));
    }

    public CompletableFuture<JsonNode> deletePolicy(String policyId) {
        return async(() -> sync.deletePolicy(policyId));
    }

    public CompletableFuture<JsonNode> listPresets() {
        return async(() -> sync.listPresets());
    }

    /** Creates a preset: {@code name}, {@code description}, {@code use_case} and the ordered {@code policy_ids}. */
    public CompletableFuture<JsonNode> createPreset(Map<String, Object> preset) {
        return async(() -> sync.createPreset(preset));
    }

    public CompletableFuture<JsonNode> getPreset(String presetId) {
        return async(() -> sync.getPreset(presetId));
    }

    /** Uploads a compliance document (PDF, DOCX, TXT) to be turned into suggested policies; the job's id and status. */
    public CompletableFuture<JsonNode> uploadPolicyDocument(byte[] document, String filename) {
        return async(() -> sync.uploadPolicyDocument(document, filename));
    }

    /** A document job's status ({@code pending}, {@code processing}, {@code completed}, {@code failed}). */
    public CompletableFuture<JsonNode> getPolicyJob(String jobId) {
        return async(() -> sync.getPolicyJob(jobId));
    }

    /** A completed document job's suggested policies. */
    public CompletableFuture<JsonNode> getPolicySuggestions(String jobId) {
        return async(() -> sync.getPolicySuggestions(jobId));
    }

    /** Closes the connections, and the executor when the client made its own. */
    @Override
    public void close() {
        sync.close();
    }

    void shutdownExecutor() {
        if (ownsExecutor && executor instanceof ExecutorService service) {
            service.shutdown();
        }
    }

    /**
     * Configures a client. Only the base URL is required. The other services are found on the base URL's host at
     * their default ports (management 7778, compliance 7777, policy 7782, bridge 3500) unless moved with the
     * {@code ...Port} or {@code ...Url} methods.
     */
    public static final class Builder {
        private HttpUrl baseUrl;
        private String apiKey;
        private Duration timeout = Duration.ofSeconds(30);
        private int managementPort = 7778;
        private int compliancePort = 7777;
        private int policyPort = 7782;
        private int bridgePort = 3500;
        private HttpUrl managementUrl;
        private HttpUrl complianceUrl;
        private HttpUrl policyUrl;
        private HttpUrl bridgeUrl;
        private RetryPolicy retries = RetryPolicy.none();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private InstantSource clock = InstantSource.system();
        private Executor executor;
        private OkHttpClient okHttp;

        private Builder() {
        }

        /**
         * The proxy's URL, e.g. {@code http://smartflow:7775}; a trailing {@code /v1} (as OpenAI SDKs take it) is
         * dropped.
         *
         * @throws IllegalArgumentException when it is not an http or https URL
         */
        public Builder baseUrl(String url) {
            this.baseUrl = parse(url, "baseUrl");
            List<String> segments = baseUrl.pathSegments();
            if (!segments.isEmpty() && segments.getLast().isEmpty()) {
                segments = segments.subList(0, segments.size() - 1);
            }
            if (!segments.isEmpty() && segments.getLast().equals("v1")) {
                HttpUrl.Builder trimmed = baseUrl.newBuilder().encodedPath("/");
                segments.subList(0, segments.size() - 1).forEach(trimmed::addPathSegment);
                this.baseUrl = trimmed.build();
            }
            return this;
        }

        /** The key presented on every call ({@code Authorization: Bearer}); null or blank for none. */
        public Builder apiKey(String key) {
            this.apiKey = key == null || key.isBlank() ? null : key.strip();
            return this;
        }

        /** Bounds each call (a stream: each wait for bytes); default 30 s. */
        public Builder timeout(Duration value) {
            if (Objects.requireNonNull(value, "timeout").isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + value);
            }
            this.timeout = value;
            return this;
        }

        public Builder managementPort(int port) {
            this.managementPort = port(port);
            return this;
        }

        public Builder compliancePort(int port) {
            this.compliancePort = port(port);
            return this;
        }

        public Builder policyPort(int port) {
            this.policyPort = port(port);
            return this;
        }

        public Builder bridgePort(int port) {
            this.bridgePort = port(port);
            return this;
        }

        /** The management API at its own URL (another host, or behind a reverse proxy). */
        public Builder managementUrl(String url) {
            this.managementUrl = parse(url, "managementUrl");
            return this;
        }

        public Builder complianceUrl(String url) {
            this.complianceUrl = parse(url, "complianceUrl");
            return this;
        }

        public Builder policyUrl(String url) {
            this.policyUrl = parse(url, "policyUrl");
            return this;
        }

        public Builder bridgeUrl(String url) {
            this.bridgeUrl = parse(url, "bridgeUrl");
            return this;
        }

        /** When to retry; {@link RetryPolicy#none()} by default. */
        public Builder retries(RetryPolicy policy) {
            this.retries = Objects.requireNonNull(policy, "retries");
            return this;
        }

        /** How retries wait; tests pass one that does not sleep. */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /** What "now" is when a {@code Retry-After} names a date. */
        public Builder clock(InstantSource value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where the asynchronous client runs calls; by default a virtual thread each, closed with the client. */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** An OkHttp client to share connections with (its timeouts are replaced by {@link #timeout}). */
        public Builder okHttpClient(OkHttpClient value) {
            this.okHttp = Objects.requireNonNull(value, "okHttpClient");
            return this;
        }

        /**
         * Reads {@code SMARTFLOW_URL} (required) and {@code SMARTFLOW_API_KEY}, and when present
         * {@code SMARTFLOW_MANAGEMENT_URL}, {@code SMARTFLOW_COMPLIANCE_URL}, {@code SMARTFLOW_POLICY_URL} and
         * {@code SMARTFLOW_BRIDGE_URL}, from {@code env}.
         *
         * @throws IllegalStateException when {@code SMARTFLOW_URL} is not set
         */
        public Builder fromEnv(Map<String, String> env) {
            String url = env.get("SMARTFLOW_URL");
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("SMARTFLOW_URL is not set: it names the gateway's proxy, e.g."
                        + " http://localhost:7775");
            }
            baseUrl(url.strip());
            apiKey(env.get("SMARTFLOW_API_KEY"));
            Optional.ofNullable(env.get("SMARTFLOW_MANAGEMENT_URL")).filter(v -> !v.isBlank())
                    .ifPresent(this::managementUrl);
            Optional.ofNullable(env.get("SMARTFLOW_COMPLIANCE_URL")).filter(v -> !v.isBlank())
                    .ifPresent(this::complianceUrl);
            Optional.ofNullable(env.get("SMARTFLOW_POLICY_URL")).filter(v -> !v.isBlank()).ifPresent(this::policyUrl);
            Optional.ofNullable(env.get("SMARTFLOW_BRIDGE_URL")).filter(v -> !v.isBlank()).ifPresent(this::bridgeUrl);
            return this;
        }

        /** @throws IllegalStateException when no base URL was set */
        public SmartflowClient build() {
            return new SmartflowClient(buildSync(), executor);
        }

        /** @throws IllegalStateException when no base URL was set */
        public SyncSmartflowClient buildSync() {
            return new SyncSmartflowClient(http(), this);
        }

        Executor executor() {
            return executor;
        }

        Http http() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required, e.g. http://localhost:7775");
            }
            Map<Http.Service, HttpUrl> bases = new EnumMap<>(Http.Service.class);
            bases.put(Http.Service.PROXY, baseUrl);
            bases.put(Http.Service.MANAGEMENT, managementUrl != null ? managementUrl : onPort(managementPort));
            bases.put(Http.Service.COMPLIANCE, complianceUrl != null ? complianceUrl : onPort(compliancePort));
            bases.put(Http.Service.POLICY, policyUrl != null ? policyUrl : onPort(policyPort));
            bases.put(Http.Service.BRIDGE, bridgeUrl != null ? bridgeUrl : onPort(bridgePort));
            return new Http(okHttp, bases, Optional.ofNullable(apiKey), timeout, retries, sleeper, clock);
        }

        private HttpUrl onPort(int port) {
            return baseUrl.newBuilder().port(port).encodedPath("/").build();
        }

        private static HttpUrl parse(String url, String name) {
            HttpUrl parsed = HttpUrl.parse(Objects.requireNonNull(url, name).strip());
            if (parsed == null) {
                throw new IllegalArgumentException(name + " is not an http(s) URL");
            }
            return parsed;
        }

        private static int port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
            return port;
        }
    }
}
