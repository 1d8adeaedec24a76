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
    private static final String[] KEPT = {"authorization", "x-api-key"};

    private final Context ctx;

    public RequestHeaders(Context ctx) {
        this.ctx = ctx;
    }

    public Headers credentials() {
        List<String> pairs = new ArrayList<>(4);
        for (String name : KEPT) {
            String value = ctx.req().getHeader(name);
            if (value != null && !value.isEmpty() && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
                pairs.add(name);
                pairs.add(value);
            }
        }
        return pairs.isEmpty() ? Headers.EMPTY : Headers.of(pairs.toArray(String[]::new));
    }
}
