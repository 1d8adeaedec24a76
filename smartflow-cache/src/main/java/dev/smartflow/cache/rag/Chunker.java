package dev.smartflow.cache.rag;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a document into chunks of at most {@code size} characters, each starting about {@code overlap} characters before
 * the previous one ended, so a sentence cut at a chunk's end is whole in the next one.
 *
 * <p>A chunk ends where the text's structure allows, in this order of preference, as long as the chunk keeps at least
 * half of its size: after a paragraph break (a blank line), after a sentence ({@code .}, {@code !} or {@code ?}
 * followed by white space, or a line break), at white space; only a single word longer than half a chunk is cut
 * inside. An overlap starts at a word's beginning, never inside a word nor a surrogate pair. Chunks are trimmed of
 * surrounding white space and never empty.
 */
final class Chunker {
    private Chunker() {
    }

    /**
     * The chunks of {@code text}, in order.
     *
     * @throws IllegalArgumentException when {@code size} is below 2 or {@code overlap} is negative or more than half
     *                                  of {@code size}
     */
    static List<String> split(String text, int size, int overlap) {
        if (size < 2 || overlap < 0 || overlap > size / 2) {
            throw new IllegalArgumentException("a chunk has at least 2 characters and overlaps at most half of them");
        }
        List<String> chunks = new ArrayList<>();
        int length = text.length();
        int start = skipWhitespace(text, 0);
        while (start < length) {
            int end = start + size >= length ? length : cut(text, start, start + size);
            String chunk = text.substring(start, end).strip();
            if (!chunk.isEmpty()) {
                chunks.add(chunk);
            }
            if (end == length) {
                break;
            }
            int next = overlapStart(text, end - overlap, end);
            start = skipWhitespace(text, next > start ? next : end);
        }
        return chunks;
    }

    /** Where a chunk from {@code start} that may run to {@code limit} (exclusive, inside the text) ends. */
    private static int cut(String text, int start, int limit) {
        int earliest = start + (limit - start) / 2;
        for (int i = limit - 1; i > earliest; i--) {
            if (text.charAt(i) == '\n' && text.charAt(i - 1) == '\n'
                    || text.charAt(i) == '\n' && i - 2 >= start && text.charAt(i - 1) == '\r'
                    && text.charAt(i - 2) == '\n') {
                return i + 1;
            }
        }
        for (int i = limit - 1; i >= earliest; i--) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '.' || c == '!' || c == '?') && Character.isWhitespace(text.charAt(i + 1))) {
                return i + 1;
            }
        }
        for (int i = limit; i > earliest; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
    }

    /**
     * Where the next chunk starts when the previous one ended at {@code end}: at {@code from}, or at the next word's
     * beginning when {@code from} is inside a word; {@code end} when no word begins in between.
     */
    private static int overlapStart(String text, int from, int end) {
        if (from >= end) {
            return end;
        }
        if (from == 0 || Character.isWhitespace(text.charAt(from - 1))) {
            return from;
        }
        for (int i = from; i < end; i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return end;
    }

    private static int skipWhitespace(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
