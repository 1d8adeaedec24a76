package dev.smartflow.compliance.redact;

import dev.smartflow.compliance.detect.Finding;
import java.util.List;
import java.util.function.Function;

/**
 * Replaces findings in a text: with their labels ({@code [SSN]}, {@code [EMAIL]}) for redaction, or with whatever a
 * caller chooses (a pseudonym). One pass over the text; the findings are those a detector returned for it (by
 * position, not overlapping).
 *
 * <pre>{@code
 * String text = "Call me at 555-867-5309, email john@example.com";
 * Redactor.redact(text, Detector.standard().scan(text));   // "Call me at [PHONE], email [EMAIL]"
 * }</pre>
 */
public final class Redactor {
    private Redactor() {
    }

    /** {@code text} with each finding replaced by its type's label. */
    public static String redact(String text, List<Finding> findings) {
        return replace(text, findings, finding -> finding.type().label());
    }

    /** {@code text} with each finding replaced by what {@code replacement} gives for it; text itself when none. */
    public static String replace(String text, List<Finding> findings, Function<Finding, String> replacement) {
        if (findings.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16 * findings.size());
        int at = 0;
        for (Finding finding : findings) {
            if (finding.start() < at || finding.end() > text.length()) {
                throw new IllegalArgumentException("findings must be in order, apart, and inside the text");
            }
            out.append(text, at, finding.start()).append(replacement.apply(finding));
            at = finding.end();
        }
        return out.append(text, at, text.length()).toString();
    }
}
