package dev.smartflow.compliance.policy;

/** What models wrap JSON answers in, taken off: a Markdown code fence, text before the first brace. */
final class ModelJson {
    private ModelJson() {
    }

    /** The JSON object in {@code content}: from its first {@code {} to its last {@code }}, or the text as it is. */
    static String unfenced(String content) {
        int start = content.indexOf('{');
        int end = content.lastIndexOf('}');
        return start >= 0 && end > start ? content.substring(start, end + 1) : content.strip();
    }
}
