package dev.smartflow.server.http;

import dev.smartflow.core.exchange.Headers;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The inbound headers a pipeline may need, copied once per request. Only these are copied: allocation on the hot path
 * grows with every header kept.
 */
public final class RequestHeaders {
    private static final String[] CREDENTIALS = {"authorization", "x-api-key"};
    /** Credentials plus what a native Anthropic caller chose: its API version and beta features. */
    private static final String[] ANTHROPIC = {"authorization", "x-api-key", "anthropic-version", "anthropic-beta"};

    private static final String[] NONE = {};

    private final Context ctx;
    private final String[] extra;

    public RequestHeaders(Context ctx) {
        this(ctx, NONE);
    }

    /** @param extra further headers to copy (lower case), e.g. the cache controls modules asked for */
    public RequestHeaders(Context ctx, String[] extra) {
        this.ctx = ctx;
        this.extra = extra;
    }

    /** {@code Authorization} and {@code x-api-key}, and the extra headers. */
    public Headers credentials() {
        return keep(CREDENTIALS);
    }

    /** The credentials, plus {@code anthropic-version} and {@code anthropic-beta} for the provider to pass on. */
    public Headers anthropic() {
        return keep(ANTHROPIC);
    }

    private Headers keep(String[] kept) {
        List<String> pairs = new ArrayList<>((kept.length + extra.length) * 2);
        add(kept, pairs);
        add(extra, pairs);
        return pairs.isEmpty() ? Headers.EMPTY : Headers.of(pairs.toArray(String[]::new));
    }

    private void add(String[] names, List<String> pairs) {
        for (String name : names) {
            String value = ctx.req().getHeader(name);
            if (value != null && !value.isEmpty() && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
                pairs.add(name);
                pairs.add(value);
            }
        }
    }
}
