/**
 * What every adapter that translates OpenAI chat to another protocol shares, whatever that protocol is:
 * {@link dev.smartflow.providers.translate.ChatTranslation} merges repeated roles into one turn, reads base64 data
 * URLs and parses tool-call arguments, failing with the same {@code InvalidRequest} for every protocol;
 * {@link dev.smartflow.providers.translate.ChatChunks} builds the {@code chat.completion.chunk}s their stream
 * translators emit. An internal package: it is public only because Java has no module-private visibility here.
 */
package dev.smartflow.providers.translate;
