package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The blocking Smartflow client: every method of the SDK guide and the API reference, named in Java style, each
 * returning when the gateway has answered. {@link SmartflowClient} has the same methods returning
 * {@link java.util.concurrent.CompletableFuture}s; {@link SmartflowClient#sync()} and {@link #async()} move between
 * the two over one connection pool.
 *
 * <pre>{@code
 * try (SyncSmartflowClient sf = new SyncSmartflowClient("http://localhost:7775", System.getenv("SMARTFLOW_API_KEY"))) {
 *     String reply = sf.chat("What is machine learning?");
 *     CacheStats stats = sf.getCacheStats();
 *     try (Stream<String> deltas = sf.streamChat("Tell me a story")) {
 *         deltas.forEach(System.out::print);
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one per application. Calls block (use virtual threads for many at once). Failures are
 * {@link SmartflowException}s: {@link AuthenticationException}, {@link RateLimitException},
 * {@link ComplianceException}, {@link ProviderException}, {@link SmartflowTimeoutException},
 * {@link SmartflowConnectionException}, or the base class for other error answers. The proxy, management,
 * compliance, policy and bridge services are reached on their own ports of the base URL's host (see
 * {@link SmartflowClient.Builder}); management calls need the master key.
 */
public final class SyncSmartflowClient implements Gateway, AutoCloseable {
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");
    private static final String DEFAULT_POLICY = "enterprise_standard";

    private final Http http;
    private final SmartflowClient.Builder settings;
    private volatile SmartflowClient async;

    SyncSmartflowClient(Http http, SmartflowClient.Builder settings) {
        this.http = http;
        this.settings = settings;
    }

    /** A client of the gateway whose proxy is at {@code baseUrl}, presenting {@code apiKey} (may be null). */
    public SyncSmartflowClient(String baseUrl, String apiKey) {
        this(SmartflowClient.builder().baseUrl(baseUrl).apiKey(apiKey));
    }

    private SyncSmartflowClient(SmartflowClient.Builder builder) {
        this(builder.http(), builder);
    }

    /**
     * A client configured from {@code SMARTFLOW_URL} and {@code SMARTFLOW_API_KEY}.
     *
     * @throws IllegalStateException when {@code SMARTFLOW_URL} is not set
     */
    public static SyncSmartflowClient fromEnv() {
        return SmartflowClient.builder().fromEnv(System.getenv()).buildSync();
    }

    /** The asynchronous view of this client, sharing its connections; closing either closes both. */
    public SmartflowClient async() {
        SmartflowClient view = async;
        if (view == null) {
            synchronized (this) {
                if (async == null) {
                    new SmartflowClient(this, settings.executor());
                }
                view = async;
            }
        }
        return view;
    }

    /** Called by the async view's constructor: one view per client. */
    synchronized void attach(SmartflowClient view) {
        if (async != null) {
            throw new IllegalStateException("this client has its asynchronous view already");
        }
        async = view;
    }

    // ---------------------------------------------------------------- chat

    /** One message to {@value ChatOptions#DEFAULT_MODEL}; the reply's text. */
    public String chat(String message) {
        return chat(message, ChatOptions.defaults());
    }

    /** One message (after the options' system prompt, if any); the reply's text. */
    public String chat(String message, ChatOptions options) {
        return chatCompletions(List.of(Message.user(message)), options).content();
    }

    public AIResponse chatCompletions(List<Message> messages) {
        return chatCompletions(messages, ChatOptions.defaults());
    }

    @Override
    public AIResponse chatCompletions(List<Message> messages, ChatOptions options) {
        Request.Builder request = http.request(http.url(Http.Service.PROXY, Paths.CHAT).build())
                .post(Http.json(options.body(messages, false)));
        options.headers().forEach(request::header);
        Http.Answer answer = http.send(request.build());
        return AIResponse.from(answer.json(), answer.headers());
    }

    /**
     * The reply's text as it streams: a {@link Stream} of text deltas read from the gateway as it is consumed.
     * Close it (try-with-resources) unless you read it to the end; closing it early cancels the provider call. A
     * failure before the first chunk is thrown here; one after it is thrown by the stream's read.
     */
    public Stream<String> streamChat(String message) {
        return streamChat(message, ChatOptions.defaults());
    }

    public Stream<String> streamChat(String message, ChatOptions options) {
        return streamChatCompletions(List.of(Message.user(message)), options);
    }

    /** {@link #streamChat} for a whole conversation. */
    public Stream<String> streamChatCompletions(List<Message> messages, ChatOptions options) {
        Request.Builder request = http.request(http.url(Http.Service.PROXY, Paths.CHAT).build())
                .header("Accept", "text/event-stream")
                .post(Http.json(options.body(messages, true)));
        options.headers().forEach(request::header);
        Response response = http.open(request.build());
        return DeltaStream.of(response);
    }

    /** One message to Claude on the native Messages route; the text of the reply. */
    public String claudeMessage(String message) {
        return claudeMessage(message, ClaudeOptions.defaults());
    }

    public String claudeMessage(String message, ClaudeOptions options) {
        ObjectNode body = Json.object().put("model", options.model()).put("max_tokens", options.maxTokens());
        options.system().ifPresent(system -> body.put("system", system));
        body.putArray("messages").addObject().put("role", "user").put("content", message);
        Request.Builder request = http.request(http.url(Http.Service.PROXY, Paths.ANTHROPIC_MESSAGES).build())
                .header("anthropic-version", "2023-06-01")
                .post(Http.json(body));
        http.apiKey().ifPresent(key -> request.header("x-api-key", key));
        JsonNode answer = http.send(request.build()).json();
        StringBuilder text = new StringBuilder();
        answer.path("content").forEach(block -> {
            if (Json.text(block, "type").equals("text")) {
                text.append(Json.text(block, "text"));
            }
        });
        return text.toString();
    }

    // ---------------------------------------------------------------- other model endpoints

    public EmbeddingResult embeddings(String input) {
        return embeddings(List.of(input), EmbeddingOptions.defaults());
    }

    public EmbeddingResult embeddings(String input, EmbeddingOptions options) {
        return embeddings(List.of(input), options);
    }

    public EmbeddingResult embeddings(List<String> inputs) {
        return embeddings(inputs, EmbeddingOptions.defaults());
    }

    /** Vectors for {@code inputs}, in order. */
    public EmbeddingResult embeddings(List<String> inputs, EmbeddingOptions options) {
        ObjectNode body = Json.object().put("model", options.model());
        if (inputs.size() == 1) {
            body.put("input", inputs.getFirst());
        } else {
            ArrayNode array = body.putArray("input");
            inputs.forEach(array::add);
        }
        body.put("encoding_format", options.encodingFormat());
        options.dimensions().ifPresent(d -> body.put("dimensions", d));
        options.inputType().ifPresent(t -> body.put("input_type", t));
        return EmbeddingResult.from(http.postJson(http.url(Http.Service.PROXY, Paths.EMBEDDINGS).build(), body));
    }

    public ImageResult imageGeneration(String prompt) {
        return imageGeneration(prompt, ImageOptions.defaults());
    }

    public ImageResult imageGeneration(String prompt, ImageOptions options) {
        ObjectNode body = Json.object().put("model", options.model()).put("prompt", prompt).put("n", options.n())
                .put("size", options.size()).put("response_format", options.responseFormat());
        options.quality().ifPresent(q -> body.put("quality", q));
        options.style().ifPresent(s -> body.put("style", s));
        return ImageResult.from(http.postJson(http.url(Http.Service.PROXY, Paths.IMAGES).build(), body));
    }

    public Transcription audioTranscription(byte[] audio) {
        return audioTranscription(audio, TranscriptionOptions.defaults());
    }

    /** A transcript of {@code audio} (read whole, so a retry can send it again). */
    public Transcription audioTranscription(InputStream audio, TranscriptionOptions options) {
        try {
            return audioTranscription(audio.readAllBytes(), options);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the audio failed", e);
        }
    }

    public Transcription audioTranscription(byte[] audio, TranscriptionOptions options) {
        MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", options.filename(), RequestBody.create(audio, OCTETS))
                .addFormDataPart("model", options.model())
                .addFormDataPart("response_format", options.responseFormat())
                .addFormDataPart("temperature", Double.toString(options.temperature()));
        options.language().ifPresent(l -> form.addFormDataPart("language", l));
        options.prompt().ifPresent(p -> form.addFormDataPart("prompt", p));
        Http.Answer answer = http.send(http.request(http.url(Http.Service.PROXY, Paths.TRANSCRIPTIONS).build())
                .post(form.build()).build());
        String type = Optional.ofNullable(answer.headers().get("content-type")).orElse("");
        if (!type.contains("json")) {
            String text = new String(answer.body(), StandardCharsets.UTF_8);
            return new Transcription(text.strip(), Json.object().put("text", text.strip()));
        }
        return Transcription.from(answer.json());
    }

    public byte[] textToSpeech(String input) {
        return textToSpeech(input, SpeechOptions.defaults());
    }

    /** Synthesised speech: the audio bytes in the options' format. */
    public byte[] textToSpeech(String input, SpeechOptions options) {
        ObjectNode body = Json.object().put("model", options.model()).put("input", input)
                .put("voice", options.voice()).put("response_format", options.responseFormat())
                .put("speed", options.speed());
        return http.send(http.request(http.url(Http.Service.PROXY, Paths.SPEECH).build()).post(Http.json(body))
                .build()).body();
    }

    public RerankResult rerank(String query, List<String> documents) {
        return rerank(query, documents, "rerank-english-v3.0", 0);
    }

    public RerankResult rerank(String query, List<String> documents, int topN) {
        return rerank(query, documents, "rerank-english-v3.0", topN);
    }

    /** Documents ordered by relevance to {@code query}; {@code topN} of them, or all when it is 0. */
    public RerankResult rerank(String query, List<String> documents, String model, int topN) {
        ObjectNode body = Json.object().put("model", model).put("query", query);
        ArrayNode docs = body.putArray("documents");
        documents.forEach(docs::add);
        if (topN > 0) {
            body.put("top_n", topN);
        }
        return RerankResult.from(http.postJson(http.url(Http.Service.PROXY, Paths.RERANK).build(), body));
    }

    public List<ModelInfo> listModels() {
        JsonNode body = http.getJson(http.url(Http.Service.PROXY, Paths.MODELS).build());
        return Json.nodes(body, "data").stream().map(ModelInfo::from).toList();
    }

    /** The proxy's liveness: {@code {"status":"ok"}}. */
    public JsonNode health() {
        return http.getJson(http.url(Http.Service.PROXY, Paths.HEALTH).build());
    }

    // ---------------------------------------------------------------- vector stores and RAG (cache module)

    public VectorStore createVectorStore(String name) {
        return createVectorStore(name, "", Map.of());
    }

    public VectorStore createVectorStore(String name, String description, Map<String, Object> metadata) {
        ObjectNode body = Json.object().put("name", name).put("description", description);
        body.set("metadata", Json.MAPPER.valueToTree(metadata));
        return VectorStore.from(http.postJson(http.url(Http.Service.PROXY, Paths.VECTOR_STORES).build(), body));
    }

    public List<VectorStore> listVectorStores() {
        JsonNode body = http.getJson(http.url(Http.Service.PROXY, Paths.VECTOR_STORES).build());
        return Json.nodes(body, body.has("data") ? "data" : "vector_stores").stream().map(VectorStore::from).toList();
    }

    public VectorStore getVectorStore(String storeId) {
        return VectorStore.from(http.getJson(http.url(Http.Service.PROXY, Paths.VECTOR_STORES, storeId).build()));
    }

    /** Deletes the store and its files; whether the gateway says it deleted one. */
    public boolean deleteVectorStore(String storeId) {
        JsonNode body = http.sendJson("DELETE", http.url(Http.Service.PROXY, Paths.VECTOR_STORES, storeId).build(),
                null);
        return !body.has("deleted") || Json.bool(body, "deleted");
    }

    public VectorStoreFile addVectorStoreFile(String storeId, String content, String filename) {
        return addVectorStoreFile(storeId, content, filename, Map.of());
    }

    /** Adds a text document, which the gateway chunks and embeds. */
    public VectorStoreFile addVectorStoreFile(String storeId, String content, String filename,
                                              Map<String, Object> metadata) {
        ObjectNode body = Json.object().put("content", content).put("filename", filename);
        body.set("metadata", Json.MAPPER.valueToTree(metadata));
        return VectorStoreFile.from(http.postJson(http.url(Http.Service.PROXY, Paths.VECTOR_STORES, storeId,
                "files").build(), body));
    }

    public List<VectorStoreFile> listVectorStoreFiles(String storeId) {
        JsonNode body = http.getJson(http.url(Http.Service.PROXY, Paths.VECTOR_STORES, storeId, "files").build());
        return Json.nodes(body, body.has("data") ? "data" : "files").stream().map(VectorStoreFile::from).toList();
    }

    public VectorSearchResult searchVectorStore(String storeId, String query) {
        return searchVectorStore(storeId, query, 5, 0.0);
    }

    public VectorSearchResult searchVectorStore(String storeId, String query, int maxResults, double scoreThreshold) {
        ObjectNode body = Json.object().put("query", query).put("max_results", maxResults)
                .put("score_threshold", scoreThreshold);
        return VectorSearchResult.from(http.postJson(http.url(Http.Service.PROXY, Paths.VECTOR_STORES, storeId,
                "search").build(), body));
    }

    /** Chunks, embeds and stores a document in an existing vector store. */
    public RagIngestResult ragIngest(RagDocument document) {
        ObjectNode body = Json.object().put("content", document.content())
                .put("vector_store_id", document.vectorStoreId()).put("filename", document.filename())
                .put("chunk_size", document.chunkSize()).put("chunk_overlap", document.chunkOverlap());
        body.set("metadata", Json.MAPPER.valueToTree(document.metadata()));
        return RagIngestResult.from(http.postJson(http.url(Http.Service.PROXY, Paths.RAG_INGEST).build(), body));
    }

    /** The chunks that best match a question, and the context string built from them. */
    public RagQueryResult ragQuery(RagQuery query) {
        ObjectNode body = Json.object().put("query", query.query()).put("vector_store_id", query.vectorStoreId())
                .put("max_results", query.maxResults()).put("score_threshold", query.scoreThreshold())
                .put("include_context", query.includeContext());
        return RagQueryResult.from(http.postJson(http.url(Http.Service.PROXY, Paths.RAG_QUERY).build(), body));
    }

    // ---------------------------------------------------------------- MCP (MCP module)

    public ToolResult callTool(String serverId, String tool, Map<String, Object> arguments) {
        JsonNode tree = Json.MAPPER.valueToTree(arguments);
        return callTool(serverId, tool, tree);
    }

    /**
     * Calls an MCP tool through the gateway ({@code tools/call} on {@code /{server_id}/mcp/}), which checks the key's
     * access, budgets, audits and forwards it. A JSON-RPC error (tool unknown or not allowed) is a
     * {@link SmartflowException} of type {@code mcp_error} whose code is the JSON-RPC code; a tool that ran and
     * failed answers normally with {@link ToolResult#isError()}.
     */
    @Override
    public ToolResult callTool(String serverId, String tool, JsonNode arguments) {
        ObjectNode rpc = Json.object().put("jsonrpc", "2.0").put("id", 1).put("method", "tools/call");
        rpc.putObject("params").put("name", tool).set("arguments", arguments == null ? Json.object() : arguments);
        HttpUrl url = http.url(Http.Service.PROXY, "", serverId, Paths.MCP, "").build();
        Http.Answer answer = http.send(http.request(url).header("Accept", "application/json, text/event-stream")
                .header("Mcp-Method", "tools/call").header("Mcp-Name", tool).post(Http.json(rpc)).build());
        JsonNode reply = rpcReply(answer);
        if (reply.has("error")) {
            JsonNode error = reply.path("error");
            throw new SmartflowException("tool " + serverId + "." + tool + " refused: " + Json.text(error, "message"),
                    answer.status(), "mcp_error", Long.toString(Json.number(error, "code")), null,
                    answer.headers().get(Errors.REQUEST_ID), null);
        }
        return ToolResult.from(reply.path("result"));
    }

    /** A JSON-RPC reply sent as JSON or as the first {@code data:} event of an SSE answer. */
    private static JsonNode rpcReply(Http.Answer answer) {
        String type = Optional.ofNullable(answer.headers().get("content-type")).orElse("");
        if (!type.contains("event-stream")) {
            return answer.json();
        }
        for (String line : new String(answer.body(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("data:")) {
                try {
                    JsonNode event = Json.MAPPER.readTree(line.substring(5).strip());
                    if (event.has("result") || event.has("error")) {
                        return event;
                    }
                } catch (IOException e) {
                    // not JSON: keep looking
                }
            }
        }
        throw new SmartflowException("the MCP answer held no JSON-RPC reply", answer.status(), "mcp_error", null);
    }

    /** Every tool of the gateway's MCP catalog that the key may use. */
    public List<McpTool> listTools() {
        JsonNode body = http.getJson(http.url(Http.Service.PROXY, Paths.MCP_TOOLS).build());
        return Json.nodes(body, body.has("tools") ? "tools" : "data").stream().map(McpTool::from).toList();
    }

    /** The {@code k} tools whose descriptions best match {@code query}. */
    @Override
    public List<McpTool> searchTools(String query, int k) {
        HttpUrl url = http.url(Http.Service.PROXY, Paths.MCP_SEARCH).addQueryParameter("q", query)
                .addQueryParameter("k", Integer.toString(k)).build();
        return Json.nodes(http.getJson(url), "results").stream().map(McpTool::from).toList();
    }

    /** MCP calls and cost per server and tool (the key's own, or everyone's with the master key). */
    public JsonNode getMcpUsage() {
        return http.getJson(http.url(Http.Service.PROXY, Paths.MCP_USAGE).build());
    }

    // ---------------------------------------------------------------- A2A (A2A module)

    /** Sends a text task to the registered agent {@code agentId}, under a new trace id. */
    public A2aTaskResult sendA2aTask(String agentId, String text) {
        return sendA2aTask(agentId, text, "trace-" + UUID.randomUUID());
    }

    /** Sends a text task, correlated with other calls of one run by {@code traceId} ({@code x-a2a-trace-id}). */
    public A2aTaskResult sendA2aTask(String agentId, String text, String traceId) {
        String taskId = "task-" + UUID.randomUUID();
        ObjectNode body = Json.object().put("id", taskId);
        ObjectNode message = body.putObject("message").put("role", "user");
        message.putArray("parts").addObject().put("type", "text").put("text", text);
        Http.Answer answer = http.send(http.request(http.url(Http.Service.PROXY, Paths.A2A, agentId).build())
                .header("x-a2a-trace-id", traceId).post(Http.json(body)).build());
        return A2aTaskResult.from(answer.json(), taskId,
                Optional.ofNullable(answer.headers().get("x-a2a-trace-id")).or(() -> Optional.of(traceId)));
    }

    /** The agent's capability card. */
    public AgentCard getAgentCard(String agentId) {
        return AgentCard.from(http.getJson(http.url(Http.Service.PROXY, Paths.A2A, agentId, ".well-known",
                "agent.json").build()));
    }

    // ---------------------------------------------------------------- management (master key)

    /** A question about operations, answered from the gateway's own figures. */
    public ChatbotAnswer chatbotQuery(String query) {
        return ChatbotAnswer.from(http.postJson(http.url(Http.Service.MANAGEMENT, Paths.CHATBOT).build(),
                Json.object().put("query", query)));
    }

    /** The MetaCache's figures (cache module). */
    public CacheStats getCacheStats() {
        return CacheStats.from(http.getJson(http.url(Http.Service.MANAGEMENT, Paths.CACHE_STATS).build()));
    }

    /** Every provider's health as routing sees it. */
    public List<ProviderHealth> getProviderHealth() {
        JsonNode body = http.getJson(http.url(Http.Service.MANAGEMENT, Paths.PROVIDER_HEALTH).build());
        return Json.nodes(body, "providers").stream().map(ProviderHealth::from).toList();
    }

    /** The whole gateway's health: status, uptime, version, Redis, database, providers, cache. */
    public SystemHealth healthComprehensive() {
        return SystemHealth.from(http.getJson(http.url(Http.Service.MANAGEMENT, Paths.HEALTH_COMPREHENSIVE).build()));
    }

    public List<VasLog> getLogs() {
        return getLogs(50);
    }

    public List<VasLog> getLogs(int limit) {
        return logs(http.url(Http.Service.MANAGEMENT, Paths.LOGS).addQueryParameter("limit", Integer.toString(limit)));
    }

    /** This instance's audit log, newest first, only {@code provider}'s calls. */
    public List<VasLog> getLogs(int limit, String provider) {
        return logs(http.url(Http.Service.MANAGEMENT, Paths.LOGS).addQueryParameter("limit", Integer.toString(limit))
                .addQueryParameter("provider", provider));
    }

    public List<VasLog> getLogsHybrid() {
        return getLogsHybrid(500);
    }

    /** Every instance's audit records, newest first, each with its instance id (the bridge service). */
    public List<VasLog> getLogsHybrid(int limit) {
        return logs(http.url(Http.Service.BRIDGE, Paths.LOGS_HYBRID)
                .addQueryParameter("limit", Integer.toString(limit)));
    }

    private List<VasLog> logs(HttpUrl.Builder url) {
        JsonNode body = http.getJson(url.build());
        return Json.nodes(body, body.has("data") ? "data" : "logs").stream().map(VasLog::from).toList();
    }

    /** Usage and cost analytics of the last 7 days. */
    public JsonNode getAnalytics() {
        return http.getJson(http.url(Http.Service.MANAGEMENT, Paths.ANALYTICS).build());
    }

    /** Usage and cost analytics from the start of {@code startDate} through the end of {@code endDate} (UTC). */
    public JsonNode getAnalytics(LocalDate startDate, LocalDate endDate) {
        return http.getJson(http.url(Http.Service.MANAGEMENT, Paths.ANALYTICS)
                .addQueryParameter("start_date", startDate.toString())
                .addQueryParameter("end_date", endDate.toString()).build());
    }

    public JsonNode getRoutingStatus() {
        return http.getJson(http.url(Http.Service.MANAGEMENT, Paths.ROUTING_STATUS).build());
    }

    /** Sends every routed call to {@code provider} for {@code duration} (whole seconds, 1 s to 24 h). */
    public JsonNode forceProvider(String provider, Duration duration) {
        return http.postJson(http.url(Http.Service.MANAGEMENT, Paths.FORCE_PROVIDER).build(),
                Json.object().put("provider", provider).put("duration_seconds", duration.toSeconds()));
    }

    /** Ends a forced provider early. */
    public JsonNode clearForcedProvider() {
        return http.sendJson("DELETE", http.url(Http.Service.MANAGEMENT, Paths.FORCE_PROVIDER).build(), null);
    }

    /** Creates a virtual key with no budget or limits. */
    public CreatedKey createVirtualKey(String name, String ownerId) {
        return createVirtualKey(Map.of("name", name, "owner_id", ownerId));
    }

    /** Creates a virtual key from the API reference's fields ({@code name}, {@code owner_id}, {@code budget_usd}...). */
    public CreatedKey createVirtualKey(Map<String, Object> fields) {
        JsonNode body = http.postJson(http.url(Http.Service.MANAGEMENT, Paths.VKEYS).build(),
                Json.MAPPER.valueToTree(fields));
        return new CreatedKey(Json.text(body, "key_id"), Json.text(body, "token"));
    }

    public JsonNode listVirtualKeys() {
        return http.getJson(http.url(Http.Service.MANAGEMENT, Paths.VKEYS).build());
    }

    public JsonNode getKeyBudget(String keyId) {
        return http.getJson(http.url(Http.Service.MANAGEMENT, Paths.VKEYS, keyId, "budget").build());
    }

    public JsonNode resetKeyBudget(String keyId) {
        return http.postJson(http.url(Http.Service.MANAGEMENT, Paths.VKEYS, keyId, "reset").build(), Json.object());
    }

    public JsonNode revokeVirtualKey(String keyId) {
        return http.postJson(http.url(Http.Service.MANAGEMENT, Paths.VKEYS, keyId, "revoke").build(), Json.object());
    }

    /** A custom alert to the gateway's webhooks; severity {@code info}, {@code warning} or {@code critical}. */
    public JsonNode sendAlert(String title, String message, String severity) {
        return http.postJson(http.url(Http.Service.MANAGEMENT, Paths.ALERTS).build(),
                Json.object().put("title", title).put("message", message).put("severity", severity));
    }

    // ---------------------------------------------------------------- compliance (compliance module)

    public ComplianceResult checkCompliance(String content) {
        return checkCompliance(content, DEFAULT_POLICY, ScanContext.NONE);
    }

    public ComplianceResult checkCompliance(String content, String policy) {
        return checkCompliance(content, policy, ScanContext.NONE);
    }

    @Override
    public ComplianceResult checkCompliance(String content, String policy, ScanContext context) {
        ObjectNode body = Json.object().put("content", content).put("policy", policy);
        context.writeTo(body);
        return ComplianceResult.from(http.postJson(http.url(Http.Service.COMPLIANCE, Paths.COMPLIANCE_SCAN).build(),
                body));
    }

    public IntelligentScanResult intelligentScan(String content) {
        return intelligentScan(content, ScanContext.NONE);
    }

    /** The layered scan; with a user and org, behavioural analysis against their baselines. */
    public IntelligentScanResult intelligentScan(String content, ScanContext context) {
        ObjectNode body = Json.object().put("content", content);
        context.writeTo(body);
        return IntelligentScanResult.from(http.postJson(http.url(Http.Service.COMPLIANCE, Paths.INTELLIGENT_SCAN)
                .build(), body));
    }

    /** {@code content} with personal data replaced by labels ({@code [EMAIL]}, {@code [PHONE]}...). */
    public String redactPii(String content) {
        JsonNode body = http.postJson(http.url(Http.Service.COMPLIANCE, Paths.COMPLIANCE_REDACT).build(),
                Json.object().put("content", content));
        if (body.isTextual()) {
            return body.asText();
        }
        for (String field : List.of("redacted_content", "redacted", "content", "text")) {
            if (body.path(field).isTextual()) {
                return body.path(field).asText();
            }
        }
        throw new SmartflowException("the redaction answer held no text", 200, "invalid_response", null);
    }

    public JsonNode submitComplianceFeedback(String scanId, boolean isFalsePositive) {
        return submitComplianceFeedback(scanId, isFalsePositive, null, null);
    }

    /** Tells the ML layer whether the scan {@code scanId} was a false positive; {@code userId}, {@code notes} optional. */
    public JsonNode submitComplianceFeedback(String scanId, boolean isFalsePositive, String userId, String notes) {
        ObjectNode body = Json.object().put("scan_id", Objects.requireNonNull(scanId, "scanId"))
                .put("is_false_positive", isFalsePositive);
        if (userId != null) {
            body.put("user_id", userId);
        }
        if (notes != null) {
            body.put("notes", notes);
        }
        return http.postJson(http.url(Http.Service.COMPLIANCE, Paths.INTELLIGENT_FEEDBACK).build(), body);
    }

    /** The API reference's form of feedback: the action and risk level the scan should have given. */
    public JsonNode submitComplianceCorrection(String scanId, String correctAction, String correctRiskLevel,
                                               String notes) {
        ObjectNode body = Json.object().put("scan_id", scanId).put("correct_action", correctAction)
                .put("correct_risk_level", correctRiskLevel);
        if (notes != null) {
            body.put("notes", notes);
        }
        return http.postJson(http.url(Http.Service.COMPLIANCE, Paths.INTELLIGENT_FEEDBACK).build(), body);
    }

    public LearningStatus getLearningStatus(String userId) {
        return LearningStatus.from(http.getJson(http.url(Http.Service.COMPLIANCE, Paths.LEARNING_STATUS, userId)
                .build()), userId);
    }

    public LearningSummary getLearningSummary() {
        return LearningSummary.from(http.getJson(http.url(Http.Service.COMPLIANCE, Paths.LEARNING_SUMMARY).build()));
    }

    public MlStats getMlStats() {
        return MlStats.from(http.getJson(http.url(Http.Service.COMPLIANCE, Paths.ML_STATS).build()));
    }

    public JsonNode getOrgSummary() {
        return http.getJson(http.url(Http.Service.COMPLIANCE, Paths.ORG_SUMMARY).build());
    }

    public OrgBaseline getOrgBaseline(String orgId) {
        return OrgBaseline.from(http.getJson(http.url(Http.Service.COMPLIANCE, Paths.ORG_BASELINE, orgId).build()),
                orgId);
    }

    public PersistenceStats getPersistenceStats() {
        return new PersistenceStats(http.getJson(http.url(Http.Service.COMPLIANCE, Paths.PERSISTENCE_STATS).build()));
    }

    /** Has the compliance engine save its learnt data now. */
    public JsonNode saveComplianceData() {
        return http.postJson(http.url(Http.Service.COMPLIANCE, Paths.PERSISTENCE_SAVE).build(), Json.object());
    }

    public JsonNode getIntelligentHealth() {
        return http.getJson(http.url(Http.Service.COMPLIANCE, Paths.INTELLIGENT_HEALTH).build());
    }

    // ---------------------------------------------------------------- policy library (policy module)

    /** {@code total_policies}, {@code total_presets}, {@code total_applications}, {@code compliance_violations}. */
    public JsonNode getPolicyStats() {
        return http.getJson(http.url(Http.Service.POLICY, Paths.POLICY_STATS).build());
    }

    public JsonNode listPolicies() {
        return http.getJson(http.url(Http.Service.POLICY, Paths.POLICIES).build());
    }

    public JsonNode getPolicy(String policyId) {
        return http.getJson(http.url(Http.Service.POLICY, Paths.POLICIES, policyId).build());
    }

    /** Creates a policy from the reference's fields ({@code name}, {@code policy_type}, {@code content}...). */
    public JsonNode createPolicy(Map<String, Object> policy) {
        return http.postJson(http.url(Http.Service.POLICY, Paths.POLICIES).build(), Json.MAPPER.valueToTree(policy));
    }

    /** Changes only the fields given ({@code PATCH}). */
    public JsonNode updatePolicy(String policyId, Map<String, Object> fields) {
        return http.sendJson("PATCH", http.url(Http.Service.POLICY, Paths.POLICIES, policyId).build(),
                Json.MAPPER.valueToTree(fields));
    }

    public JsonNode deletePolicy(String policyId) {
        return http.sendJson("DELETE", http.url(Http.Service.POLICY, Paths.POLICIES, policyId).build(), null);
    }

    public JsonNode listPresets() {
        return http.getJson(http.url(Http.Service.POLICY, Paths.PRESETS).build());
    }

    /** Creates a preset: {@code name}, {@code description}, {@code use_case} and the ordered {@code policy_ids}. */
    public JsonNode createPreset(Map<String, Object> preset) {
        return http.postJson(http.url(Http.Service.POLICY, Paths.PRESETS).build(), Json.MAPPER.valueToTree(preset));
    }

    public JsonNode getPreset(String presetId) {
        return http.getJson(http.url(Http.Service.POLICY, Paths.PRESETS, presetId).build());
    }

    /** Uploads a compliance document (PDF, DOCX, TXT) to be turned into suggested policies; the job's id and status. */
    public JsonNode uploadPolicyDocument(byte[] document, String filename) {
        MultipartBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", filename, RequestBody.create(document, OCTETS)).build();
        return http.send(http.request(http.url(Http.Service.POLICY, Paths.POLICY_GENERATE).build()).post(form)
                .build()).json();
    }

    /** A document job's status ({@code pending}, {@code processing}, {@code completed}, {@code failed}). */
    public JsonNode getPolicyJob(String jobId) {
        return http.getJson(http.url(Http.Service.POLICY, Paths.POLICY_GENERATE, jobId).build());
    }

    /** A completed document job's suggested policies. */
    public JsonNode getPolicySuggestions(String jobId) {
        return http.getJson(http.url(Http.Service.POLICY, Paths.POLICY_GENERATE, jobId, "suggestions").build());
    }

    /** Closes the connections (and the async view's executor, when it made its own). */
    @Override
    public void close() {
        SmartflowClient view = async;
        if (view != null) {
            view.shutdownExecutor();
        }
        http.close();
    }
}
