package dev.smartflow.dashboard;

import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.spi.UserStore.Role;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves one web app's static files ({@code /dashboard/} or {@code /safechat/}) from the module's resources, with a
 * strict Content-Security-Policy (scripts and styles from this origin only, no inline script), so that text from the
 * APIs can never run even if a page forgot to escape it. An HTML page other than {@code login.html} needs a session
 * of one of the app's roles; without one the browser is sent to the login page.
 */
final class Pages {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Pattern FILE = Pattern.compile("[a-z0-9-]{1,64}\\.(html|js|css|svg|png)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js",
            "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png",
            "image/png");

    private final String app;
    private final Set<Role> roles;
    private final Sessions sessions;
    private final Map<String, Optional<byte[]>> files = new ConcurrentHashMap<>();

    Pages(String app, Set<Role> roles, Sessions sessions) {
        this.app = app;
        this.roles = roles;
        this.sessions = sessions;
    }

    void register(JavalinConfig app) {
        String root = "/" + this.app;
        // Javalin ignores a trailing slash: the page's relative links need it, so it is added
        app.routes.get(root + "/", ctx -> {
            if (!ctx.path().endsWith("/")) {
                ctx.redirect(root + "/", HttpStatus.FOUND);
                return;
            }
            serve(ctx, "index.html");
        });
        app.routes.get(root + "/{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(Context ctx, String name) {
        if (!FILE.matcher(name).matches()) {
            throw new NotFound("no such page", "not_found");
        }
        byte[] bytes = files.computeIfAbsent(name, this::load)
                .orElseThrow(() -> new NotFound("no such page", "not_found"));
        String extension = name.substring(name.lastIndexOf('.') + 1);
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        if (extension.equals("html")) {
            ctx.header("Cache-Control", "no-store");
            if (!name.equals("login.html") && !loggedIn(ctx)) {
                ctx.redirect("/" + app + "/login.html", HttpStatus.FOUND);
                return;
            }
        }
        ctx.contentType(TYPES.get(extension));
        ctx.result(bytes);
    }

    private boolean loggedIn(Context ctx) {
        return Optional.ofNullable(ctx.cookie(SessionGate.COOKIE)).flatMap(sessions::verify)
                .filter(session -> roles.contains(session.role())).isPresent();
    }

    /** The app's own file, else the one both apps share ({@code web/shared}: base styles, the login script). */
    private Optional<byte[]> load(String name) {
        return read("web/" + app + "/" + name).or(() -> read("web/shared/" + name));
    }

    private static Optional<byte[]> read(String resource) {
        try (InputStream in = Pages.class.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
