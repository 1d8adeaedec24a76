package dev.smartflow.compliance.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cuts text into passages of a sentence or a few for embedding: a whole prompt compared with a policy measures how
 * alike their topics are, while a few sentences of it compared with one rule of the policy find the sentences that
 * break the rule. Sentences shorter than a window are joined to their neighbours; longer ones are cut. Each passage
 * keeps the exact pieces of text it was made of, so that redaction can find them again.
 */
final class Passages {
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?;])\\s+|\\n\\s*");
    private static final int WINDOW = 400;
    private static final int MAX = 1_000;

    private Passages() {
    }

    /** A passage: its text and the pieces of the original text it joins. */
    record Passage(String text, List<String> pieces) {
        Passage {
            pieces = List.copyOf(pieces);
        }
    }

    /** Each sentence of {@code text} alone (cut to a thousand characters), at most {@code limit}: a policy's rules. */
    static List<String> sentences(String text, int limit) {
        List<String> sentences = new ArrayList<>();
        for (String sentence : SENTENCE_END.split(text)) {
            String trimmed = sentence.strip();
            if (!trimmed.isEmpty() && sentences.size() < limit) {
                sentences.add(trimmed.length() > MAX ? trimmed.substring(0, MAX) : trimmed);
            }
        }
        return sentences;
    }

    /** The passages of {@code text}, at most {@code limit}: the first and last ones when there are more. */
    static List<Passage> of(String text, int limit) {
        List<Passage> passages = new ArrayList<>();
        List<String> window = new ArrayList<>();
        int windowLength = 0;
        for (String sentence : SENTENCE_END.split(text)) {
            String trimmed = sentence.strip();
            for (int at = 0; at < trimmed.length(); at += MAX) {
                String piece = trimmed.substring(at, Math.min(trimmed.length(), at + MAX));
                if (!window.isEmpty() && windowLength + piece.length() > WINDOW) {
                    passages.add(new Passage(String.join(" ", window), window));
                    window = new ArrayList<>();
                    windowLength = 0;
                }
                window.add(piece);
                windowLength += piece.length() + 1;
            }
        }
        if (!window.isEmpty()) {
            passages.add(new Passage(String.join(" ", window), window));
        }
        if (passages.size() <= limit) {
            return passages;
        }
        List<Passage> kept = new ArrayList<>(passages.subList(0, limit / 2));
        kept.addAll(passages.subList(passages.size() - (limit - limit / 2), passages.size()));
        return kept;
    }
}
