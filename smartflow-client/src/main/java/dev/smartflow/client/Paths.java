package dev.smartflow.client;

/**
 * Every path the client calls, in one place. Those marked <em>module</em> belong to gateway modules (cache,
 * compliance, policy, MCP, A2A) and follow the API reference and their issues; the rest are served by the gateway's
 * core services.
 */
final class Paths {
    // proxy (7775)
    static final String CHAT = "v1/chat/completions";
    static final String ANTHROPIC_MESSAGES = "anthropic/v1/messages";
    static final String EMBEDDINGS = "v1/embeddings";
    static final String IMAGES = "v1/images/generations";
    static final String TRANSCRIPTIONS = "v1/audio/transcriptions";
    static final String SPEECH = "v1/audio/speech";
    static final String RERANK = "v1/rerank";
    static final String MODELS = "v1/models";
    static final String HEALTH = "health";
    /** module (cache): {@code /v1/vector_stores}, {@code /{id}}, {@code /{id}/files}, {@code /{id}/search}. */
    static final String VECTOR_STORES = "v1/vector_stores";
    /** module (cache). */
    static final String RAG_INGEST = "v1/rag/ingest";
    /** module (cache). */
    static final String RAG_QUERY = "v1/rag/query";
    /** module (MCP): the catalog. */
    static final String MCP_TOOLS = "api/mcp/tools";
    /** module (MCP): semantic search over the catalog, {@code ?q=&k=}. */
    static final String MCP_SEARCH = "api/mcp/tools/search";
    /** module (MCP). */
    static final String MCP_USAGE = "api/mcp/usage";
    /** module (MCP): a server's endpoint is {@code /{server_id}/mcp/}. */
    static final String MCP = "mcp";
    /** module (A2A): an agent's endpoint is {@code /a2a/{agent_id}}, its card under {@code .well-known}. */
    static final String A2A = "a2a";

    // management (7778)
    static final String CHATBOT = "api/chatbot/query";
    static final String HEALTH_COMPREHENSIVE = "api/health/comprehensive";
    static final String PROVIDER_HEALTH = "api/providers/health";
    static final String LOGS = "api/vas/logs";
    static final String ANALYTICS = "api/analytics";
    static final String ROUTING_STATUS = "api/routing/status";
    static final String FORCE_PROVIDER = "api/routing/force-provider";
    static final String VKEYS = "api/enterprise/vkeys";
    static final String ALERTS = "api/alerts";
    /** module (cache). */
    static final String CACHE_STATS = "api/cache/stats";

    // bridge (3500)
    static final String LOGS_HYBRID = "api/logs/hybrid";

    // compliance (7777), module (compliance)
    static final String COMPLIANCE_SCAN = "api/compliance/scan";
    static final String COMPLIANCE_REDACT = "api/compliance/redact";
    static final String INTELLIGENT = "api/compliance/intelligent";
    static final String INTELLIGENT_SCAN = INTELLIGENT + "/scan";
    static final String INTELLIGENT_FEEDBACK = INTELLIGENT + "/feedback";
    static final String LEARNING_STATUS = INTELLIGENT + "/learning/status";
    static final String LEARNING_SUMMARY = INTELLIGENT + "/learning/summary";
    static final String ML_STATS = INTELLIGENT + "/ml/stats";
    static final String ORG_SUMMARY = INTELLIGENT + "/org/summary";
    static final String ORG_BASELINE = INTELLIGENT + "/org/baseline";
    static final String PERSISTENCE_STATS = INTELLIGENT + "/persistence/stats";
    static final String PERSISTENCE_SAVE = INTELLIGENT + "/persistence/save";
    static final String INTELLIGENT_HEALTH = INTELLIGENT + "/health";

    // policy (7782), module (policy library)
    static final String POLICY_STATS = "api/stats";
    static final String POLICIES = "api/policies";
    static final String PRESETS = "api/presets";
    static final String POLICY_GENERATE = "api/policies/generate";

    private Paths() {
    }
}
