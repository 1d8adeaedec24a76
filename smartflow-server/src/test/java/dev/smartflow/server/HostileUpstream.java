package dev.smartflow.server;

import java.util.HexFormat;
import java.util.SplittableRandom;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;

/**
 * An upstream that answers some calls with garbage (for {@code -Dfuzz.hostileUpstream=true}): malformed or truncated
 * JSON, wrong types and impossible numbers in {@code usage}, server-sent events that break every rule (no blank
 * lines, bad JSON, invalid UTF-8, a megabyte line, no {@code [DONE]}), HTML errors, and connections cut mid-answer.
 * Which call gets what depends on its path and body only, so a run is reproducible. The rest go to the well-behaved
 * {@link Upstream}.
 */
final class HostileUpstream extends Dispatcher {
    private static final String[] JSON = {
        "{\"id\":\"x\",\"choices\":[", "<html>oops</html>", "", "null", "[]",
        "{\"choices\":\"x\",\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":1e400}}",
        "{\"choices\":[{\"message\":{\"content\":null}}],\"usage\":{\"prompt_tokens\":9223372036854775807,"
                + "\"completion_tokens\":9223372036854775807}}",
        "{\"type\":\"message\",\"content\":[{\"type\":\"text\"}],\"usage\":{\"input_tokens\":\"many\"}}",
        "{\"data\":[{\"embedding\":\"x\"}],\"usage\":{\"prompt_tokens\":-1}}",
        "{\"error\":{\"message\":\"\\u0000\",\"type\":[]}}",
    };
    private static final String[] EVENTS = {
        "data: {not json}\n\n", "data: {\"choices\":[{\"delta\":{\"content\":1}}]}\n\n", "data: [DONE]", "\n\n\n",
        ": comment only\n\n", "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":-9,\"completion_tokens\":1e400}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":-4}}\n\n",
        "data:" + "x".repeat(1 << 20) + "\n\n", "id: 1\nretry: x\n\n", "data: {\"choices\":[{\"delta\":{}}]}",
    };

    private final Dispatcher wellBehaved;
    private final long seed;

    HostileUpstream(Dispatcher wellBehaved, long seed) {
        this.wellBehaved = wellBehaved;
        this.seed = seed;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        SplittableRandom r = new SplittableRandom(seed ^ (request.getUrl().encodedPath() + body).hashCode());
        int dice = r.nextInt(10);
        if (dice < 4) {
            return wellBehaved.dispatch(request);
        }
        MockResponse.Builder answer = new MockResponse.Builder();
        if (body.contains("\"stream\":true")) {
            Buffer events = new Buffer();
            for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                events.writeUtf8(EVENTS[r.nextInt(EVENTS.length)]);
                if (r.nextInt(5) == 0) {
                    events.write(HexFormat.of().parseHex("c328ff"));
                }
            }
            answer.addHeader("content-type", "text/event-stream").body(events);
        } else {
            answer.code(dice < 8 ? 200 : new int[] {500, 503, 429, 401, 400, 418}[r.nextInt(6)])
                    .addHeader("content-type", r.nextBoolean() ? "application/json" : "text/html")
                    .body(JSON[r.nextInt(JSON.length)]);
            if (r.nextInt(4) == 0) {
                answer.addHeader("retry-after", r.nextBoolean() ? "-1" : "99999999999999999999");
            }
        }
        if (r.nextInt(8) == 0) {
            answer.onResponseBody(new SocketEffect.CloseSocket());
        }
        return answer.build();
    }
}
