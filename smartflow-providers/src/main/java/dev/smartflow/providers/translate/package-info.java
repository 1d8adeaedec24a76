/**
 * What every adapter that translates OpenAI chat to another protocol shares, whatever that protocol is:
 * {@link dev.smartflow.providers.translate.ChatTranslation} merges repeated roles into one turn, reads base64 data
 * URLs and parses tool-call arguments, failing with the same {@code InvalidRequest} for every protocol;
 * {@link dev.smartflow.providers.translate.ChatChunks} builds the {@code chat.completion.chunk}s their stream
 * translators emit and tells when a stream should end with a usage chunk;
 * {@link dev.smartflow.providers.translate.EmbeddingVectors} encodes vectors as OpenAI's base64. An internal package:
 * it is public only because Java has no module-private visibility here.
 */
package dev.smartflow.providers.translate;
