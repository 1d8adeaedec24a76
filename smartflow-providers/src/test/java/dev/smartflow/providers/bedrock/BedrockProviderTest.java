package dev.smartflow.providers.bedrock;

import static dev.smartflow.providers.WireFixtures.answer;
import static dev.smartflow.providers.WireFixtures.exchange;
import static dev.smartflow.providers.WireFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.UpstreamFailure;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** The Bedrock adapter against a fake Bedrock runtime speaking its wire format: JSON, SigV4, binary event streams. */
@Timeout(20)
final class BedrockProviderTest {
    static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ-session";
    private static final String HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T12:00:00Z"), ZoneOffset.UTC);
    private static final String CHAT = """
            {"model":"bedrock/x","messages":[{"role":"system","content":"Be brief."},\
            {"role":"user","content":"Say hello"}],"max_tokens":256,"temperature":0.5,"top_p":0.9,"stop":"END"}""";
    private static final String STREAM_CHAT = CHAT.replace("\"max_tokens\"", "\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"max_tokens\"");

    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private BedrockProvider bedrock(AwsCredentialsIdentity identity) {
        BedrockAuth auth = new BedrockAuth(Optional.of("us-east-1"), Optional.empty(), Optional.of(identity),
                () -> {
                    throw new AssertionError("the default chain is not asked when keys are given");
                }, CLOCK);
        return new BedrockProvider(settings(), auth, transport, CLOCK);
    }

    private BedrockProvider bedrock() {
        return bedrock(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY));
    }

    private ProviderSettings settings() {
        return ProviderSettings.of("bedrock").withApiBase(server.url("/").toString());
    }

    private static String text(String name) {
        return WireFixtures.text("bedrock", name);
    }

    private static MockResponse eventStream(Buffer body) {
        return new MockResponse.Builder().addHeader("content-type", "application/vnd.amazon.eventstream")
                .addHeader("x-amzn-RequestId", "7c5d8a1e-0b7a-4e55-9c0e-1f1c2f4b9d10").body(body).build();
    }

    private static List<JsonNode> readAll(ChunkStream stream) {
        return WireFixtures.readAll(stream).stream().map(chunk -> chunk.data().json()).toList();
    }

    private static void assertSignedBy(RecordedRequest sent, String accessKey, String secret) {
        SigV4Check.Parsed parsed = SigV4Check.parse(sent);
        assertEquals(accessKey, parsed.accessKeyId());
        assertEquals("us-east-1", parsed.region());
        assertEquals("bedrock", parsed.service());
        assertTrue(parsed.signedHeaders().contains("host"), parsed.signedHeaders().toString());
        assertTrue(parsed.signedHeaders().contains("x-amz-date"), parsed.signedHeaders().toString());
        assertEquals(SigV4Check.expectedSignature(sent, secret), parsed.signature(),
                "the signature recomputed from the request as received and the secret key");
    }

    // requests: URL, body, signature

    @Test
    void chatGoesToConverseSignedWithSigV4OverTheEncodedModelId() throws Exception {
        server.enqueue(answer(200, text("converse.json")));

        bedrock().call(exchange(Operation.CHAT, CHAT, "authorization", "Bearer sk-caller-0123456789"), HAIKU);

        RecordedRequest sent = server.takeRequest();
        assertEquals("POST", sent.getMethod());
        assertEquals("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", sent.getTarget());
        assertEquals("20250115T120000Z", sent.getHeaders().get("X-Amz-Date"));
        assertTrue(sent.getHeaders().get("Authorization").startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
                + "/20250115/us-east-1/bedrock/aws4_request"), "the caller's credentials stay with Smartflow");
        assertSignedBy(sent, ACCESS_KEY, SECRET_KEY);
        assertEquals(json("""
                {"messages":[{"role":"user","content":[{"text":"Say hello"}]}],\
                "system":[{"text":"Be brief."}],\
                "inferenceConfig":{"maxTokens":256,"temperature":0.5,"topP":0.9,"stopSequences":["END"]}}"""),
                json(sent.getBody().utf8()));
    }

    @Test
    void aTamperedBodyNoLongerMatchesTheSignature() throws Exception {
        server.enqueue(answer(200, text("converse.json")));
        bedrock().call(exchange(Operation.CHAT, CHAT), HAIKU);
        RecordedRequest sent = server.takeRequest();

        String honest = SigV4Check.expectedSignature(sent, SECRET_KEY);
        String wrongKey = SigV4Check.expectedSignature(sent, SECRET_KEY.replace('w', 'W'));

        assertEquals(honest, SigV4Check.parse(sent).signature());
        assertFalse(wrongKey.equals(honest), "the check tells one secret from another");
    }

    @Test
    void sessionCredentialsSendAndSignTheSecurityToken() throws Exception {
        server.enqueue(answer(200, text("converse.json")));

        bedrock(AwsSessionCredentialsIdentity.create("ASIAIOSFODNN7EXAMPLE", SECRET_KEY, SESSION_TOKEN))
                .call(exchange(Operation.CHAT, CHAT), HAIKU);

        RecordedRequest sent = server.takeRequest();
        assertEquals(SESSION_TOKEN, sent.getHeaders().get("X-Amz-Security-Token"));
        assertTrue(SigV4Check.parse(sent).signedHeaders().contains("x-amz-security-token"));
        assertSignedBy(sent, "ASIAIOSFODNN7EXAMPLE", SECRET_KEY);
    }

    @Test
    void crossRegionInferenceProfilesAndArnsTravelAsOneEncodedSegment() throws Exception {
        server.enqueue(answer(200, text("converse.json")));
        server.enqueue(answer(200, text("converse.json")));
        String arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3";

        JsonNode answer = ((Response.Complete) bedrock().call(exchange(Operation.CHAT, CHAT),
                "us.anthropic.claude-sonnet-4-20250514-v1:0")).body().json();
        bedrock().call(exchange(Operation.CHAT, CHAT), arn);

        RecordedRequest profile = server.takeRequest();
        assertEquals("/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse", profile.getTarget());
        assertSignedBy(profile, ACCESS_KEY, SECRET_KEY);
        assertEquals("us.anthropic.claude-sonnet-4-20250514-v1:0", answer.path("model").asText());
        RecordedRequest byArn = server.takeRequest();
        assertEquals("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3"
                + "/converse", byArn.getTarget());
        assertSignedBy(byArn, ACCESS_KEY, SECRET_KEY);
    }

    @Test
    void toolsImagesToolCallsAndToolResultsAreTranslatedToConverseBlocks() throws Exception {
        server.enqueue(answer(200, text("converse.json")));
        String chat = """
                {"model":"x","messages":[\
                {"role":"user","content":[{"type":"text","text":"What is here, and the weather?"},\
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},\
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",\
                "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}}]},\
                {"role":"tool","tool_call_id":"call_1","content":"18C and sunny"},\
                {"role":"user","content":"Thanks"}],\
                "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",\
                "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}],\
                "tool_choice":"required"}""";

        bedrock().call(exchange(Operation.CHAT, chat), HAIKU);

        assertEquals(json("""
                {"messages":[\
                {"role":"user","content":[{"text":"What is here, and the weather?"},\
                {"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]},\
                {"role":"assistant","content":[{"toolUse":{"toolUseId":"call_1","name":"get_weather",\
                "input":{"location":"Paris"}}}]},\
                {"role":"user","content":[{"toolResult":{"toolUseId":"call_1","content":[{"text":"18C and sunny"}]}},\
                {"text":"Thanks"}]}],\
                "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Current weather",\
                "inputSchema":{"json":{"type":"object","properties":{"location":{"type":"string"}}}}}}],\
                "toolChoice":{"any":{}}}}"""), json(server.takeRequest().getBody().utf8()));
    }

    @Test
    void anImageBedrockCannotFetchIsA400BeforeAnyCall() {
        String chat = """
                {"model":"x","messages":[{"role":"user","content":[\
                {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""";

        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> bedrock().call(exchange(Operation.CHAT, chat), HAIKU));

        assertEquals("messages[0].content", error.param().orElseThrow());
        assertEquals(0, server.getRequestCount());
    }

    // answers

    @Test
    void converseAnswerComesBackAsAChatCompletion() {
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json")
                .addHeader("x-amzn-RequestId", "7c5d8a1e-0b7a-4e55-9c0e-1f1c2f4b9d10").body(text("converse.json"))
                .build());

        Response response = bedrock().call(exchange(Operation.CHAT, CHAT), HAIKU);

        JsonNode body = assertInstanceOf(Response.Complete.class, response).body().json();
        assertEquals("chatcmpl-7c5d8a1e0b7a4e559c0e1f1c2f4b9d10", body.path("id").asText());
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals(1736942400L, body.path("created").asLong());
        assertEquals(HAIKU, body.path("model").asText());
        JsonNode choice = body.path("choices").path(0);
        assertEquals("Hello from Bedrock", choice.path("message").path("content").asText());
        assertEquals("stop", choice.path("finish_reason").asText());
        assertEquals("""
                {"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}}""",
                body.path("usage").toString());
    }

    @Test
    void toolUseReasoningAndCacheReadsComeBackAsOpenAiDoes() {
        server.enqueue(answer(200, text("converse-tool-use.json")));

        JsonNode body = ((Response.Complete) bedrock().call(exchange(Operation.CHAT, CHAT), HAIKU)).body().json();

        JsonNode message = body.path("choices").path(0).path("message");
        assertEquals("Let me check.", message.path("content").asText());
        assertEquals("The user wants weather.", message.path("reasoning_content").asText());
        JsonNode call = message.path("tool_calls").path(0);
        assertEquals("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", call.path("id").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(json("{\"location\":\"Paris\"}"), json(call.path("function").path("arguments").asText()));
        assertEquals("tool_calls", body.path("choices").path(0).path("finish_reason").asText());
        assertEquals(2310, body.path("usage").path("prompt_tokens").asLong(), "uncached plus cache reads and writes");
        assertEquals(2000, body.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong());
        assertEquals(54, body.path("usage").path("completion_tokens").asLong());
    }

    // streams

    private static Buffer textStream() {
        return Frames.body(
                Frames.event("messageStart", "{\"role\":\"assistant\",\"p\":\"abcd\"}"),
                Frames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"},\"p\":\"ab\"}"),
                Frames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo!\"},\"p\":\"a\"}"),
                Frames.event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abcdefgh\"}"),
                Frames.event("contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":"
                        + "{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\"}},\"p\":\"abc\"}"),
                Frames.event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"{\\\"location\\\":\"}},\"p\":\"ab\"}"),
                Frames.event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"\\\"Paris\\\"}\"}},\"p\":\"ab\"}"),
                Frames.event("contentBlockStop", "{\"contentBlockIndex\":1,\"p\":\"ab\"}"),
                Frames.event("messageStop", "{\"stopReason\":\"tool_use\",\"p\":\"abcdef\"}"),
                Frames.event("metadata", "{\"usage\":{\"inputTokens\":21,\"outputTokens\":9,\"totalTokens\":30},"
                        + "\"metrics\":{\"latencyMs\":412},\"p\":\"abc\"}"));
    }

    @Test
    void streamIsDecodedFromEventStreamFramesArrivingInPieces() throws Exception {
        // a few bytes at a time: frames are split across reads and must be waited for, not misread
        server.enqueue(eventStream(textStream()).newBuilder().throttleBody(40, 2, TimeUnit.MILLISECONDS).build());

        Response response = bedrock().call(exchange(Operation.CHAT, STREAM_CHAT), HAIKU);

        List<JsonNode> chunks = readAll(assertInstanceOf(Response.Streamed.class, response).chunks());
        RecordedRequest sent = server.takeRequest();
        assertEquals("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream", sent.getTarget());
        assertSignedBy(sent, ACCESS_KEY, SECRET_KEY);
        assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText());
        StringBuilder text = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        for (JsonNode chunk : chunks) {
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            text.append(delta.path("content").asText(""));
            arguments.append(delta.path("tool_calls").path(0).path("function").path("arguments").asText(""));
            assertEquals("chatcmpl-7c5d8a1e0b7a4e559c0e1f1c2f4b9d10", chunk.path("id").asText());
        }
        assertEquals("Hello!", text.toString());
        assertEquals("{\"location\":\"Paris\"}", arguments.toString());
        JsonNode call = chunks.get(3).path("choices").path(0).path("delta").path("tool_calls").path(0);
        assertEquals("tooluse_1", call.path("id").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(0, call.path("index").asInt());
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("tool_calls", finish.path("choices").path(0).path("finish_reason").asText());
        JsonNode usage = chunks.getLast();
        assertTrue(usage.path("choices").isEmpty());
        assertEquals(30, usage.path("usage").path("total_tokens").asLong());
    }

    @Test
    void aCorruptFrameEndsTheStreamWithAnUpstreamFailure() {
        byte[] good = Frames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}");
        byte[] bad = Frames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"there\"}}");
        bad[bad.length - 8] ^= 0x20;
        server.enqueue(eventStream(Frames.body(Frames.event("messageStart", "{\"role\":\"assistant\"}"), good, bad)));

        ChunkStream chunks = ((Response.Streamed) bedrock().call(exchange(Operation.CHAT, STREAM_CHAT), HAIKU))
                .chunks();

        assertTrue(chunks.hasNext());
        chunks.next();
        assertEquals("Hi", chunks.next().data().json().path("choices").path(0).path("delta").path("content").asText());
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);
        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("fails its CRC"), failure.getMessage());
    }

    @Test
    void anExceptionMessageMidStreamIsThrownAsBedrocksError() {
        server.enqueue(eventStream(Frames.body(Frames.event("messageStart", "{\"role\":\"assistant\"}"),
                Frames.exception("throttlingException", "{\"message\":\"Too many tokens, please wait before trying"
                        + " again.\"}"))));

        ChunkStream chunks = ((Response.Streamed) bedrock().call(exchange(Operation.CHAT, STREAM_CHAT), HAIKU))
                .chunks();
        chunks.next();
        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);

        assertEquals(429, failure.status());
        assertEquals("throttlingException", failure.code().orElseThrow());
        assertTrue(failure.getMessage().contains("Too many tokens"), failure.getMessage());
    }

    @Test
    void aStreamEndingBeforeMessageStopIsBroken() {
        server.enqueue(eventStream(Frames.body(Frames.event("messageStart", "{\"role\":\"assistant\"}"),
                Frames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"))));

        ChunkStream chunks = ((Response.Streamed) bedrock().call(exchange(Operation.CHAT, STREAM_CHAT), HAIKU))
                .chunks();
        chunks.next();
        chunks.next();

        UpstreamFailure failure = assertThrows(UpstreamFailure.class, chunks::hasNext);
        assertTrue(failure.getMessage().contains("stream ended early"), failure.getMessage());
    }

    // errors

    @ParameterizedTest
    @CsvSource({
        "429, ThrottlingException, 429",
        "400, ValidationException, 400",
        "403, AccessDeniedException, 403",
        "404, ResourceNotFoundException, 404",
        "403, UnrecognizedClientException, 401",
        "403, InvalidSignatureException, 401",
        "424, ModelErrorException, 502",
        "408, ModelTimeoutException, 502",
        "503, ServiceUnavailableException, 502",
        "500, InternalServerException, 502",
        "400, ServiceQuotaExceededException, 429"})
    void errorsAreMappedByTheirExceptionType(int status, String type, int expected) {
        server.enqueue(new MockResponse.Builder().code(status).addHeader("content-type", "application/json")
                .addHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                .body("{\"message\":\"" + type + " happened\"}").build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> bedrock().call(exchange(Operation.CHAT, CHAT), HAIKU));

        assertEquals(expected, failure.status());
        assertEquals(Character.toLowerCase(type.charAt(0)) + type.substring(1), failure.code().orElseThrow());
        assertTrue(failure.getMessage().contains(type + " happened"), failure.getMessage());
        assertEquals(expected == 429 || expected == 502, failure.retryable());
    }

    @Test
    void anErrorTypeInTheBodyIsReadWhenTheHeaderIsMissing() {
        server.enqueue(answer(400, "{\"__type\":\"com.amazon.coral.validate#ValidationException\","
                + "\"message\":\"Malformed input request\"}"));

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> bedrock().call(exchange(Operation.CHAT, CHAT), HAIKU));

        assertEquals(400, failure.status());
        assertEquals("validationException", failure.code().orElseThrow());
    }

    @Test
    void secretsEchoedByTheUpstreamNeverReachTheMessage() {
        server.enqueue(new MockResponse.Builder().code(403).addHeader("x-amzn-ErrorType", "AccessDeniedException")
                .body("{\"message\":\"User with key " + ACCESS_KEY + " and secret " + SECRET_KEY + " and token "
                        + SESSION_TOKEN + " is not authorized\"}").build());

        UpstreamFailure failure = assertThrows(UpstreamFailure.class,
                () -> bedrock(AwsSessionCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN))
                        .call(exchange(Operation.CHAT, CHAT), HAIKU));

        assertFalse(failure.getMessage().contains(ACCESS_KEY), failure.getMessage());
        assertFalse(failure.getMessage().contains(SECRET_KEY), failure.getMessage());
        assertFalse(failure.getMessage().contains(SESSION_TOKEN), failure.getMessage());
        assertTrue(failure.getMessage().contains("is not authorized"), failure.getMessage());
    }

    // embeddings

    @Test
    void titanEmbedsOneTextPerInvokeAndCountsBedrocksTokens() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json")
                .addHeader("X-Amzn-Bedrock-Input-Token-Count", "2").body(text("titan-embedding.json")).build());
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json")
                .addHeader("X-Amzn-Bedrock-Input-Token-Count", "3").body(text("titan-embedding.json")).build());

        Response response = bedrock().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"x\",\"input\":[\"hello\",\"big world\"],\"dimensions\":256}"), "amazon.titan-embed-text-v2:0");

        RecordedRequest first = server.takeRequest();
        assertEquals("/model/amazon.titan-embed-text-v2%3A0/invoke", first.getTarget());
        assertSignedBy(first, ACCESS_KEY, SECRET_KEY);
        assertEquals(json("{\"inputText\":\"hello\",\"dimensions\":256,\"normalize\":true}"),
                json(first.getBody().utf8()));
        assertEquals(json("{\"inputText\":\"big world\",\"dimensions\":256,\"normalize\":true}"),
                json(server.takeRequest().getBody().utf8()));
        JsonNode body = ((Response.Complete) response).body().json();
        assertEquals(2, body.path("data").size());
        assertEquals(json("[0.25,-0.5,0.75]"), body.path("data").path(1).path("embedding"));
        assertEquals(1, body.path("data").path(1).path("index").asInt());
        assertEquals(5, body.path("usage").path("prompt_tokens").asLong());
    }

    @Test
    void cohereEmbedsTextsInOneInvokeWithTheirInputType() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json")
                .addHeader("X-Amzn-Bedrock-Input-Token-Count", "4").body(text("cohere-embedding.json")).build());

        Response response = bedrock().call(exchange(Operation.EMBEDDINGS,
                "{\"model\":\"x\",\"input\":[\"hello\",\"world\"],\"input_type\":\"search_query\"}"),
                "cohere.embed-english-v3");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/model/cohere.embed-english-v3/invoke", sent.getTarget());
        assertEquals(json("{\"texts\":[\"hello\",\"world\"],\"input_type\":\"search_query\","
                + "\"embedding_types\":[\"float\"]}"), json(sent.getBody().utf8()));
        JsonNode body = ((Response.Complete) response).body().json();
        assertEquals(json("[0.3,0.4]"), body.path("data").path(1).path("embedding"));
        assertEquals(4, body.path("usage").path("total_tokens").asLong());
    }

    @Test
    void aModelThatDoesNotEmbedIsA400() {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> bedrock().call(
                exchange(Operation.EMBEDDINGS, "{\"model\":\"x\",\"input\":\"hi\"}"), HAIKU));

        assertTrue(error.getMessage().contains("does not embed"), error.getMessage());
        assertEquals(0, server.getRequestCount());
    }

    // the rest

    @Test
    void modelsAreListedFromTheSignedControlPlane() throws Exception {
        server.enqueue(answer(200, text("foundation-models.json")));

        List<JsonNode> models = bedrock().models();

        RecordedRequest sent = server.takeRequest();
        assertEquals("GET", sent.getMethod());
        assertEquals("/foundation-models?byOutputModality=TEXT", sent.getTarget());
        assertSignedBy(sent, ACCESS_KEY, SECRET_KEY);
        assertEquals(List.of(HAIKU, "amazon.nova-lite-v1:0"), models.stream().map(m -> m.path("id").asText())
                .toList());
        assertEquals("anthropic", models.getFirst().path("owned_by").asText());
    }

    @Test
    void aBedrockApiKeyIsSentAsABearerTokenInsteadOfASignature() throws Exception {
        server.enqueue(answer(200, text("converse.json")));
        BedrockProvider keyed = new BedrockProvider(settings().withApiKey("bedrock-api-key-ABSKQmVkcm9jaw"),
                Map.of("AWS_REGION", "eu-west-1"), transport);

        keyed.call(exchange(Operation.CHAT, CHAT), HAIKU);

        RecordedRequest sent = server.takeRequest();
        assertEquals("Bearer bedrock-api-key-ABSKQmVkcm9jaw", sent.getHeaders().get("Authorization"));
        assertNull(sent.getHeaders().get("X-Amz-Date"));
    }

    @Test
    void theEnvironmentGivesRegionKeysAndTheDefaultBase() throws Exception {
        BedrockProvider fromEnv = new BedrockProvider(ProviderSettings.of("bedrock"), Map.of("AWS_REGION", "eu-west-3",
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY), transport);
        BedrockProvider regionless = new BedrockProvider(ProviderSettings.of("bedrock"), Map.of(
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY), transport);

        assertTrue(fromEnv.available());
        assertEquals(Optional.of("https://bedrock-runtime.eu-west-3.amazonaws.com/"), fromEnv.apiBase());
        assertFalse(regionless.available(), "no region, no endpoint");
        assertFalse(fromEnv.toString().contains(SECRET_KEY) || fromEnv.toString().contains(ACCESS_KEY),
                fromEnv.toString());
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> regionless.call(exchange(Operation.CHAT, CHAT), HAIKU));
        assertEquals("provider_not_configured", error.code().orElseThrow());
    }
}
