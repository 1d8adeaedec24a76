package dev.smartflow.compliance.policy;

import java.util.List;

/**
 * A named, deterministic finder of something a policy forbids in text (an SSN, a card number), which a policy asks for
 * by name ({@code detectors}) or by naming the thing in its content ("social security numbers"). The built-in ones
 * are {@link PolicyDetectors#builtIn()}; the compliance engine may put its own recognizers in their place under the
 * same names.
 *
 * <p>Thread-safe and side-effect free; called on the request path.
 */
public interface PolicyDetector {
    /** The name policies use, e.g. {@code us_ssn}. */
    String name();

    /** Where the text holds what this detector finds, in order; empty when nowhere. */
    List<Span> find(String text);

    /** Characters {@code start} (inclusive) to {@code end} (exclusive) of a text. */
    record Span(int start, int end) {
        public Span {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("a span runs forwards from 0: " + start + ".." + end);
            }
        }
    }
}
