package dev.smartflow.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.redact.PseudonymKeys;
import dev.smartflow.compliance.stage.ComplianceStage;
import dev.smartflow.core.Chain;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.exchange.RequestId;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.TraceId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the compliance stage adds to a call, under {@code enterprise_standard}, the rest of the pipeline replaced by a
 * chain that answers at once. Sample time, so JMH reports p50 and p99.
 *
 * <ul>
 *   <li>{@code preCall}: a chat request of about 1 KiB (system prompt, two user turns, an assistant turn) scanned,
 *       and the short complete answer scanned on its way back. {@code prompt=clean}: nothing found, the request
 *       goes on unchanged; {@code prompt=pii}: an e-mail and a phone number pseudonymised and an SSN redacted, so
 *       the body is edited and re-serialised. Target: p50 at most 0.1 ms.
 *   <li>{@code firstChunk}: the added time to first chunk of a streamed answer: the stage's request side, then the
 *       first chunk read through the filtered stream. Target: at most 1 ms.
 *   <li>{@code wholeStream}: a 40-chunk streamed answer read to its end through the filter, for the cost per chunk.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx256m"})
public class ComplianceStageBenchmark {
    private static final String SYSTEM = "You are a helpful support assistant for an online store. Answer briefly "
            + "and politely, never ask for full card numbers or passwords, and offer the secure form for payments. "
            + "If you do not know an answer, say so and offer to escalate to a human agent during business hours.";
    private static final Body ANSWER = Body.json("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Thanks, I have updated the order and \
            will confirm by e-mail within the hour."},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":250,"completion_tokens":20,"total_tokens":270}}""");

    @Param({"clean", "pii"})
    public String prompt;

    private ComplianceStage stage;
    private byte[] request;
    private byte[] streamRequest;
    private List<Chunk> chunks;
    private final Chain complete = chain(() -> new Response.Complete(200, Headers.EMPTY, ANSWER));
    private final Chain streamed = chain(() -> new Response.Streamed(200, Headers.of("content-type",
            "text/event-stream"), ChunkStream.of(chunks)));

    @Setup
    public void setUp() {
        stage = new ComplianceStage(ComplianceEngine.builder().keys(PseudonymKeys.random()).build(), true);
        String last = prompt.equals("pii")
                ? "Please update the order and send the receipt to jane.doe@example.com or text me at "
                + "(415) 555-2671; my SSN is 212-67-4455 if you need to verify."
                : "Please update the order and send the receipt to the address on file or text me the tracking "
                + "link; I can verify my identity with the last order number if you need it.";
        ObjectNode body = Body.MAPPER.createObjectNode().put("model", "gpt-4o-mini");
        var messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM);
        messages.addObject().put("role", "user").put("content", "Hi, I ordered a pair of running shoes last week "
                + "(order ORD-2024-118833) and I would like to change the size from 42 to 43 before it ships.");
        messages.addObject().put("role", "assistant").put("content", "Of course. The order has not shipped yet, "
                + "so the size can still be changed. Would you like the same colour in size 43?");
        messages.addObject().put("role", "user").put("content", "Yes, same colour. " + last);
        request = body.toString().getBytes(StandardCharsets.UTF_8);
        streamRequest = body.put("stream", true).toString().getBytes(StandardCharsets.UTF_8);
        chunks = new ArrayList<>();
        chunks.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}"));
        for (int i = 0; i < 40; i++) {
            chunks.add(chunk("{\"content\":\"word" + i + " \"}"));
        }
    }

    /** About 1 KiB. */
    public int requestBytes() {
        return request.length;
    }

    @Benchmark
    public Response preCall() {
        return stage.handle(exchange(request.clone()), complete);
    }

    @Benchmark
    public Chunk firstChunk() {
        Response.Streamed response = (Response.Streamed) stage.handle(exchange(streamRequest.clone()), streamed);
        try (ChunkStream stream = response.chunks()) {
            return stream.next();
        }
    }

    @Benchmark
    public int wholeStream() {
        Response.Streamed response = (Response.Streamed) stage.handle(exchange(streamRequest.clone()), streamed);
        int count = 0;
        try (ChunkStream stream = response.chunks()) {
            while (stream.hasNext()) {
                count += stream.next().data().length();
            }
        }
        return count;
    }

    private static Exchange exchange(byte[] bytes) {
        Body body = Body.wrap(bytes);
        // the server parses the body before the pipeline runs (under its memory meter)
        body.json();
        return new Exchange(RequestId.random(), TraceId.random(), Operation.CHAT, Principal.MASTER, body,
                Headers.EMPTY, Attributes.EMPTY);
    }

    private static Chunk chunk(String delta) {
        return Chunk.data(Body.json("{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":"
                + "1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"finish_reason\":null}]}"));
    }

    private static Chain chain(Supplier<Response> answer) {
        return new Chain() {
            @Override
            public Response proceed(Exchange exchange) {
                return answer.get();
            }

            @Override
            public Optional<Attempt> attempt() {
                return Optional.empty();
            }
        };
    }
}
