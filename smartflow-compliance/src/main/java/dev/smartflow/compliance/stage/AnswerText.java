package dev.smartflow.compliance.stage;

import dev.smartflow.compliance.redact.Restorer;

/**
 * One streamed text of an answer (a choice's content, a content block, a tool call's arguments): scanned with a
 * sliding window, then restored (pseudonyms back to values), each with its own hold-back. Not thread-safe.
 */
final class AnswerText {
    private final StreamScanner scanner;
    private final Restorer restorer;

    AnswerText(StreamScanner scanner, Restorer restorer) {
        this.scanner = scanner;
        this.restorer = restorer;
    }

    String push(String piece) {
        return restorer.push(scanner == null ? piece : scanner.push(piece));
    }

    String flush() {
        String rest = scanner == null ? "" : restorer.push(scanner.flush());
        return rest + restorer.flush();
    }

    int holding() {
        return (scanner == null ? 0 : scanner.holding()) + restorer.holding();
    }
}
