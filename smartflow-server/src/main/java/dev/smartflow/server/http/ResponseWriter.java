package dev.smartflow.server.http;

import dev.smartflow.core.error.ClientClosed;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import dev.smartflow.core.exchange.Response;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a pipeline {@link Response} to the servlet response: a complete body in one write, a stream as server-sent
 * events flushed chunk by chunk, so the caller sees each chunk as soon as the provider sent it, and a byte stream
 * (audio) as its bytes, flushed as they arrive. A stream is closed however the writing ends, which cancels its
 * upstream call when the client went away: a failed write ends it, and so does a {@link ClientClosed} from the
 * stream itself (its call cancelled while the writer waited for the next chunk), which is rethrown for the exception
 * mapper to abort the connection rather than write to nobody.
 */
public final class ResponseWriter {
    private static final System.Logger LOG = System.getLogger(ResponseWriter.class.getName());
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = "\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "error".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private ResponseWriter() {
    }

    /**
     * @param openAiDone whether the stream ends with OpenAI's {@code data: [DONE]} sentinel
     * @param errors     the shape of a failure mid-stream: OpenAI's as a {@code data:} event, Anthropic's as an
     *                   {@code event: error}
     */
    public static void write(Context ctx, Response response, boolean openAiDone, ErrorShape errors)
            throws IOException {
        HttpServletResponse res = ctx.res();
        res.setStatus(response.status());
        // Javalin presets text/plain; a complete answer is JSON unless the pipeline said otherwise. The type is set
        // once: set twice, the servlet container carries the first type's charset over to the second (audio/mpeg).
        res.setContentType(response.headers().get("content-type").orElse("application/json"));
        response.headers().forEach((name, value) -> {
            if (!name.equals("content-type")) {
                res.setHeader(name, value);
            }
        });
        switch (response) {
            case Response.Complete complete -> {
                res.setContentLength(complete.body().length());
                complete.body().writeTo(res.getOutputStream());
            }
            case Response.Streamed bytes when !bytes.events() -> relay(ctx, bytes.chunks());
            case Response.Streamed streamed -> stream(ctx, streamed.chunks(), openAiDone, errors);
        }
    }

    private static void stream(Context ctx, ChunkStream chunks, boolean openAiDone, ErrorShape errors)
            throws IOException {
        HttpServletResponse res = ctx.res();
        res.setContentType("text/event-stream");
        res.setHeader("cache-control", "no-cache");
        res.setHeader("x-accel-buffering", "no");
        try (chunks) {
            ServletOutputStream out = res.getOutputStream();
            res.flushBuffer();
            try {
                while (chunks.hasNext()) {
                    writeEvent(out, chunks.next());
                    out.flush();
                }
            } catch (ClientClosed e) {
                throw e;
            } catch (SmartflowException e) {
                // Headers are gone: the status can no longer change, so the failure travels as a last event.
                LOG.log(System.Logger.Level.WARNING, () -> ctx.attribute(Services.REQUEST_ID) + ": stream failed: "
                        + e.getMessage());
                if (errors == ErrorShape.ANTHROPIC) {
                    out.write(EVENT);
                    out.write(ERROR);
                    out.write(NEWLINE);
                }
                out.write(DATA);
                out.write(errors.body(e));
                out.write(END_OF_EVENT);
                out.flush();
                return;
            }
            if (openAiDone) {
                out.write(DONE);
            }
            out.flush();
        }
    }

    /**
     * A byte stream (audio) relayed chunk by chunk. A failure after the first byte cannot change the status, and no
     * event can carry it: the connection is aborted, so the client sees a broken answer rather than a short one.
     */
    private static void relay(Context ctx, ChunkStream chunks) throws IOException {
        HttpServletResponse res = ctx.res();
        try (chunks) {
            ServletOutputStream out = res.getOutputStream();
            try {
                while (chunks.hasNext()) {
                    chunks.next().data().writeTo(out);
                    out.flush();
                }
            } catch (ClientClosed e) {
                throw e;
            } catch (SmartflowException e) {
                LOG.log(System.Logger.Level.WARNING, () -> ctx.attribute(Services.REQUEST_ID) + ": relay failed: "
                        + e.getMessage());
                if (res.isCommitted()) {
                    Services.abort(ctx, e);
                    return;
                }
                throw e;
            }
        }
    }

    private static void writeEvent(ServletOutputStream out, Chunk chunk) throws IOException {
        if (!chunk.event().isEmpty()) {
            out.write(EVENT);
            out.write(chunk.event().getBytes(StandardCharsets.UTF_8));
            out.write(NEWLINE);
        }
        out.write(DATA);
        chunk.data().writeTo(out);
        out.write(END_OF_EVENT);
    }
}
