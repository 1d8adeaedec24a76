package dev.smartflow.server.http;

import dev.smartflow.core.metrics.Metrics;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: the gateway's {@link Metrics} written by the Prometheus client's own exposition writers, in
 * the Prometheus text format ({@code text/plain; version=0.0.4}), or in OpenMetrics when the scraper's
 * {@code Accept} asks for it. Served without a key, as scrapers expect; the series carry key ids, never tokens.
 * Mounted on the proxy and management ports.
 */
public final class MetricsRoute {
    public static final String PATH = "/metrics";

    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

    private MetricsRoute() {
    }

    public static void register(JavalinConfig app, Metrics metrics) {
        app.routes.get(PATH, ctx -> write(ctx, metrics));
    }

    private static void write(Context ctx, Metrics metrics) throws IOException {
        String accept = ctx.header("Accept");
        ExpositionFormatWriter writer = accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : TEXT;
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        writer.write(body, metrics.registry().scrape());
        ctx.status(200);
        ctx.res().setContentType(writer.getContentType());
        ctx.res().setContentLength(body.size());
        body.writeTo(ctx.res().getOutputStream());
    }
}
