package dev.smartflow.core.audit;

import dev.smartflow.core.spi.AuditRecord;

/**
 * Told of every call once it is over, with the call's {@link AuditRecord}: the audit writer, metrics and alerts all
 * listen here. Registered with {@link dev.smartflow.core.Smartflow.Builder#addAuditListener}.
 *
 * <pre>{@code
 * Smartflow smartflow = Smartflow.builder().resolver(registry)
 *         .addAuditListener(record -> slowCalls.add(record.latencyMicros()))
 *         .build();
 * }</pre>
 *
 * <p>Called on the thread that finished the call (the request's thread, or whichever read a stream to its end), before
 * the client has the whole answer: a complete answer's record once the pipeline has the answer and before the server
 * writes it, a stream's once its last chunk was read (or it failed, or was closed) and before the server writes its
 * end (OpenAI's {@code [DONE]}, or a last error event). So it must not block: a listener that does I/O queues the
 * record and does the work elsewhere (the audit writer only appends it to a local journal file). A listener that
 * throws is logged and ignored; the call is not affected.
 */
@FunctionalInterface
public interface AuditListener {
    void onRecord(AuditRecord record);
}
