package dev.smartflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.Slot;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.routing.RoutePlan;
import dev.smartflow.server.http.Services;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A module as a later issue's would be, found on the test class path through {@code META-INF/services}: it does
 * nothing unless the configuration file has a {@code notes_module} section, so every other server test runs without
 * it. With one, it adds a pre-call stage that notes a compliance verdict and tells where it ran, and a management
 * route that counts the calls it saw; it is closed with the server.
 */
public final class NotesModule implements ServerModule {
    static final AtomicInteger CLOSED = new AtomicInteger();

    @Override
    public String name() {
        return "notes_module";
    }

    @Override
    public void install(ModuleContext context) {
        JsonNode config = context.config();
        if (config.isMissingNode()) {
            return;
        }
        double score = config.path("score").asDouble();
        AtomicInteger calls = new AtomicInteger();
        context.pipeline().addStage(Slot.PRE_CALL, (exchange, chain) -> {
            calls.incrementAndGet();
            exchange.get(Trail.KEY).ifPresent(trail -> trail.note(Facts.COMPLIANCE,
                    new Facts.Compliance(score, List.of("notes.module"))));
            // pre-call: the caller is authenticated, and the route plan is not made yet
            String where = (exchange.principal().authenticated() ? "authenticated" : "anonymous")
                    + (exchange.get(RoutePlan.KEY).isPresent() ? "-after-plan" : "-before-plan");
            return chain.proceed(exchange).withHeader("x-notes-module", where);
        });
        context.routes(Service.MANAGEMENT, app -> app.routes.get("/api/notes-module", ctx -> {
            Services.requireKey(ctx, context.master());
            Services.json(ctx, 200, ("{\"calls\":" + calls.get() + "}").getBytes(StandardCharsets.UTF_8));
        }));
        // a browser session's way in to the admin APIs, as the dashboard module's cookie is
        context.adminSession(ctx -> {
            String session = ctx.header("x-notes-session");
            if (session == null) {
                return false;
            }
            if (!session.equals("let-me-in")) {
                throw new PermissionDenied("that notes session may not", "notes_refused");
            }
            return true;
        });
        context.closeWith(CLOSED::incrementAndGet);
    }
}
