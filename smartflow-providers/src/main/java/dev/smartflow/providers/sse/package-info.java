/**
 * Server-sent-events framing shared by the protocol packages of this module:
 * {@link dev.smartflow.providers.sse.SseDecoder} turns an upstream's {@code text/event-stream} body into events,
 * {@link dev.smartflow.providers.sse.SseCall} reads them from a call under its idle deadline and owns the call's
 * end, and {@link dev.smartflow.providers.sse.UpstreamChunkStream} is the chunk stream the protocols' decoders and
 * translators build on: it pulls upstream events until one yields a chunk. An internal package: it is public only
 * because Java has no module-private visibility here.
 *
 * <pre>{@code
 * SseDecoder decoder = new SseDecoder(response.body().source());
 * for (SseDecoder.Event event = decoder.next(); event != null; event = decoder.next()) { ... }
 * }</pre>
 */
package dev.smartflow.providers.sse;
