package dev.smartflow.compliance.detect;

import java.util.List;

/** What the standard detector finds in a text, as {@code TYPE:value} strings, for assertions that read well. */
final class Found {
    private Found() {
    }

    static List<String> in(String text) {
        return in(Detector.standard(), text);
    }

    static List<String> in(Detector detector, String text) {
        return detector.scan(text).stream()
                .map(f -> f.type() + ":" + text.substring(f.start(), f.end()))
                .toList();
    }
}
