package dev.smartflow.providers;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in an upstream's error messages before they reach callers and logs: some upstreams echo what they
 * were sent (OpenAI's 401 quotes the key). The configured key is masked wherever it appears, and anything shaped like
 * a token is masked whatever key it belongs to. For adapters only; public because the protocol packages are
 * subpackages. Immutable and thread-safe.
 */
public final class Scrubber {
    /** What a secret is replaced with. */
    public static final String MASK = "[redacted]";
    /** Enough for any real error message; a proxy's HTML page is cut. */
    static final int MAX_MESSAGE_CHARS = 1000;
    /** Keys shorter than this are not masked as literals: masking "abc" would garble ordinary words. */
    static final int MIN_LITERAL_KEY = 6;
    /**
     * Bearer credentials, and keys by their vendor prefixes: OpenAI {@code sk-} (Anthropic's {@code sk-ant-} too),
     * generic {@code key-}, Groq {@code gsk_}, xAI {@code xai-}, NVIDIA {@code nvapi-}, Perplexity {@code pplx-},
     * Hugging Face {@code hf_}, Replicate {@code r8_}; Google OAuth access tokens ({@code ya29.}) and AWS access key
     * ids ({@code AKIA}, {@code ASIA}). The {@code *} covers keys that the upstream half-masked itself
     * ({@code sk-proj-****abcd}).
     */
    private static final Pattern TOKEN = Pattern.compile(
            "(?i)\\bbearer\\s+[A-Za-z0-9._~+/=*-]+|\\b(?:sk|key|gsk|xai|nvapi|pplx|hf|r8)[-_][A-Za-z0-9_*-]{6,}"
                    + "|\\bya29\\.[A-Za-z0-9._-]+|\\b(?-i:(?:AKIA|ASIA)[A-Z0-9]{16})\\b");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final List<String> keys;

    /** @param key the provider's configured key, masked as a literal when it is at least six characters long */
    public Scrubber(Optional<String> key) {
        this(Objects.requireNonNull(key, "key").map(List::of).orElse(List.of()));
    }

    /**
     * @param secrets every secret the provider holds (an access key id, its secret, a session token), each masked as a
     *                literal when it is at least six characters long
     */
    public Scrubber(List<String> secrets) {
        this.keys = secrets.stream().filter(k -> k.length() >= MIN_LITERAL_KEY)
                // longest first, so a secret that contains another is masked whole
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** {@code text} with the configured secrets and anything token-shaped masked. */
    public String scrub(String text) {
        String out = text;
        for (String key : keys) {
            out = out.replace(key, MASK);
        }
        Matcher matcher = TOKEN.matcher(out);
        return matcher.find() ? matcher.replaceAll(MASK) : out;
    }

    /**
     * {@code text} made fit for a one-line message: whitespace runs flattened to one space, {@linkplain #scrub
     * scrubbed}, and cut to 1000 characters with an ellipsis. Error fields are optional, so a {@code null} or blank
     * {@code text} gives {@code null}.
     */
    public String clean(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String flat = WHITESPACE.matcher(text.strip()).replaceAll(" ");
        // Scrub before cutting, so a cut cannot leave half a key that no longer looks like one.
        String scrubbed = scrub(flat);
        return scrubbed.length() <= MAX_MESSAGE_CHARS ? scrubbed : scrubbed.substring(0, MAX_MESSAGE_CHARS) + "…";
    }

    @Override
    public String toString() {
        return "Scrubber[keys=" + (keys.isEmpty() ? "none" : MASK) + "]";
    }
}
