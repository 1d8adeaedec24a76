package dev.smartflow.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.error.PermissionDenied;
import dev.smartflow.core.error.Unauthorized;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.Authenticator;
import dev.smartflow.core.spi.UserStore;
import dev.smartflow.core.spi.UserStore.Role;
import dev.smartflow.core.spi.UserStore.User;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /auth/login}, {@code /auth/logout}, {@code /auth/me} and {@code /auth/password} (on the management and the
 * proxy port), and the users API {@code /api/dashboard/users} (management port, master key or an admin's session).
 * The first login is user {@code admin} with the master key as its password, and must set a real password before
 * anything else.
 */
final class AuthRoutes {
    static final int MIN_PASSWORD = 12;
    private static final int MAX_BODY = 16 * 1024;

    private final UserStore users;
    private final Passwords passwords;
    private final Sessions sessions;
    private final LoginLimiter limiter;
    private final String masterKey;
    private final Authenticator master;
    private final InstantSource clock;
    private final DashboardSettings settings;

    AuthRoutes(UserStore users, Passwords passwords, Sessions sessions, LoginLimiter limiter, String masterKey,
               Authenticator master, InstantSource clock, DashboardSettings settings) {
        this.users = users;
        this.passwords = passwords;
        this.sessions = sessions;
        this.limiter = limiter;
        this.masterKey = masterKey;
        this.master = master;
        this.clock = clock;
        this.settings = settings;
    }

    /** The login routes, landing on {@code home} after a form login. */
    void login(JavalinConfig app, String home) {
        app.routes.post("/auth/login", ctx -> login(ctx, home));
        app.routes.post("/auth/logout", this::logout);
        app.routes.get("/auth/me", this::me);
        app.routes.post("/auth/password", this::changePassword);
    }

    void users(JavalinConfig app) {
        app.routes.get("/api/dashboard/users", ctx -> {
            Services.requireKey(ctx, master);
            ArrayNode list = Body.MAPPER.createArrayNode();
            users.users().forEach(u -> list.add(json(u)));
            ObjectNode out = Body.MAPPER.createObjectNode().put("success", true).put("total", list.size());
            out.set("users", list);
            answer(ctx, 200, out);
        });
        app.routes.post("/api/dashboard/users", ctx -> {
            Services.requireKey(ctx, master);
            JsonNode body = body(ctx);
            String name = text(body, "username");
            if (!User.NAME.matcher(name).matches()) {
                throw bad("username is 1 to 64 letters, digits, '.', '_', '@' or '-'", "username",
                        "invalid_username");
            }
            Role role;
            try {
                role = Role.of(body.path("role").asText("viewer"));
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage(), "role", "invalid_role");
            }
            String password = text(body, "password");
            requireStrong(password, "password");
            User user = new User(name, role, passwords.hash(password), false, clock.instant());
            if (!users.create(user)) {
                throw GatewayError.of(409, "invalid_request_error", "user_exists", "a user of that name exists");
            }
            ObjectNode out = Body.MAPPER.createObjectNode().put("success", true);
            out.set("user", json(user));
            answer(ctx, 201, out);
        });
        app.routes.patch("/api/dashboard/users/{name}", ctx -> {
            Services.requireKey(ctx, master);
            JsonNode body = body(ctx);
            User user = users.user(ctx.pathParam("name"))
                    .orElseThrow(() -> new NotFound("no such user", "user_not_found"));
            Role role = user.role();
            if (body.has("role")) {
                try {
                    role = Role.of(body.path("role").asText(""));
                } catch (IllegalArgumentException e) {
                    throw bad(e.getMessage(), "role", "invalid_role");
                }
            }
            String hash = user.passwordHash();
            boolean mustChange = user.mustChange();
            if (body.has("password")) {
                String password = text(body, "password");
                requireStrong(password, "password");
                hash = passwords.hash(password);
                mustChange = false;
            }
            if (!body.has("role") && !body.has("password")) {
                throw bad("name what to change: 'role' and/or 'password'", null, "missing_field");
            }
            User changed = new User(user.name(), role, hash, mustChange, clock.instant());
            if (!users.update(changed)) {
                throw new NotFound("no such user", "user_not_found");
            }
            // a new role or password takes effect at once: the user's sessions end on every instance
            sessions.endAll(changed.name());
            ObjectNode out = Body.MAPPER.createObjectNode().put("success", true);
            out.set("user", json(changed));
            answer(ctx, 200, out);
        });
        app.routes.delete("/api/dashboard/users/{name}", ctx -> {
            Services.requireKey(ctx, master);
            String name = ctx.pathParam("name");
            if (!users.delete(name)) {
                throw new NotFound("no such user", "user_not_found");
            }
            sessions.endAll(name);
            answer(ctx, 200, Body.MAPPER.createObjectNode().put("success", true).put("deleted", name));
        });
    }

    private void login(Context ctx, String home) {
        boolean form = Optional.ofNullable(ctx.contentType()).orElse("").toLowerCase(Locale.ROOT)
                .startsWith("application/x-www-form-urlencoded");
        String name;
        String password;
        if (form) {
            name = Optional.ofNullable(ctx.formParam("username")).orElse("");
            password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        } else {
            JsonNode body = body(ctx);
            name = body.path("username").asText("");
            password = body.path("password").asText("");
        }
        String address = ctx.ip();
        Optional<Duration> wait = limiter.wait(name, address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, wait.get().toSeconds());
            throw GatewayError.of(429, "rate_limit_error", "too_many_logins", "too many failed logins: try again in "
                    + seconds + " s").withHeader("Retry-After", Long.toString(seconds));
        }
        Optional<User> user = authenticate(name, password);
        if (user.isEmpty()) {
            limiter.failed(name, address);
            if (form) {
                ctx.redirect(home + "login.html?error=1", HttpStatus.SEE_OTHER);
                return;
            }
            throw new Unauthorized("wrong user name or password");
        }
        limiter.succeeded(name);
        Sessions.Issued issued = sessions.issue(user.get().name(), user.get().role(), user.get().mustChange());
        setCookies(ctx, issued);
        if (form) {
            ctx.redirect(home, HttpStatus.SEE_OTHER);
            return;
        }
        answer(ctx, 200, me(issued.session()));
    }

    /** The user that {@code name} and {@code password} prove; the first admin login creates user admin. */
    private Optional<User> authenticate(String name, String password) {
        if (!User.NAME.matcher(name).matches() || password.isEmpty() || password.length() > 1024) {
            return Optional.empty();
        }
        Optional<User> stored = users.user(name);
        if (stored.isEmpty()) {
            if (name.equals("admin") && MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                    masterKey.getBytes(StandardCharsets.UTF_8))) {
                User admin = new User("admin", Role.ADMIN, passwords.hash(password), true, clock.instant());
                users.create(admin);
                return users.user("admin").filter(u -> passwords.verify(password, u.passwordHash()));
            }
            // spend the time a real check would, so that a missing user is not told apart by timing
            passwords.verify(password, DUMMY);
            return Optional.empty();
        }
        return stored.filter(u -> !u.passwordHash().isEmpty() && passwords.verify(password, u.passwordHash()));
    }

    private static final String DUMMY = Passwords.standard().hash("no user has this password");

    private void logout(Context ctx) {
        Optional.ofNullable(ctx.cookie(SessionGate.COOKIE)).flatMap(sessions::verify).ifPresent(session -> {
            SessionGate.requireCsrf(session, ctx);
            sessions.revoke(session);
        });
        clearCookies(ctx);
        answer(ctx, 200, Body.MAPPER.createObjectNode().put("success", true));
    }

    private void me(Context ctx) {
        answer(ctx, 200, me(current(ctx)));
    }

    private void changePassword(Context ctx) {
        Session session = current(ctx);
        SessionGate.requireCsrf(session, ctx);
        JsonNode body = body(ctx);
        String next = text(body, "new_password");
        User user = users.user(session.user()).orElseThrow(() -> new Unauthorized("the user no longer exists"));
        if (!session.mustChange() && !passwords.verify(body.path("current_password").asText(""),
                user.passwordHash())) {
            throw new PermissionDenied("the current password is wrong", "wrong_password");
        }
        requireStrong(next, "new_password");
        if (MessageDigest.isEqual(next.getBytes(StandardCharsets.UTF_8), masterKey.getBytes(StandardCharsets.UTF_8))) {
            throw bad("the new password must not be the master key", "new_password", "weak_password");
        }
        User changed = new User(user.name(), user.role(), passwords.hash(next), false, clock.instant());
        users.update(changed);
        // the new password ends every other session of the user, on every instance; this one gets a new token
        sessions.endAll(changed.name());
        Sessions.Issued issued = sessions.issue(changed.name(), changed.role(), false);
        setCookies(ctx, issued);
        answer(ctx, 200, me(issued.session()));
    }

    private Session current(Context ctx) {
        return Optional.ofNullable(ctx.cookie(SessionGate.COOKIE)).flatMap(sessions::verify)
                .orElseThrow(() -> new Unauthorized("not logged in"));
    }

    private static ObjectNode me(Session session) {
        return Body.MAPPER.createObjectNode().put("success", true).put("user", session.user())
                .put("role", session.role().id()).put("must_change_password", session.mustChange())
                .put("csrf_token", session.csrf()).put("expires_at", session.expiresAt().toString());
    }

    private void setCookies(Context ctx, Sessions.Issued issued) {
        long age = sessions.ttl().toSeconds();
        String secure = settings.secure(ctx) ? "; Secure" : "";
        ctx.res().addHeader("Set-Cookie", SessionGate.COOKIE + "=" + issued.token() + "; Path=/; Max-Age=" + age
                + "; HttpOnly; SameSite=Strict" + secure);
        ctx.res().addHeader("Set-Cookie", SessionGate.CSRF_COOKIE + "=" + issued.session().csrf()
                + "; Path=/; Max-Age=" + age + "; SameSite=Strict" + secure);
        ctx.header("Cache-Control", "no-store");
    }

    private void clearCookies(Context ctx) {
        String secure = settings.secure(ctx) ? "; Secure" : "";
        ctx.res().addHeader("Set-Cookie", SessionGate.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + secure);
        ctx.res().addHeader("Set-Cookie", SessionGate.CSRF_COOKIE + "=; Path=/; Max-Age=0; SameSite=Strict" + secure);
    }

    private static void requireStrong(String password, String field) {
        if (password.length() < MIN_PASSWORD || password.length() > 1024) {
            throw bad("a password has " + MIN_PASSWORD + " to 1024 characters", field,
                    "weak_password");
        }
    }

    private static ObjectNode json(User user) {
        return Body.MAPPER.createObjectNode().put("username", user.name()).put("role", user.role().id())
                .put("must_change_password", user.mustChange()).put("has_password", !user.passwordHash().isEmpty())
                .put("updated_at", user.updatedAt().toString());
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw bad("'" + field + "' is required (a string)", field, "missing_field");
        }
        return value.asText();
    }

    private static JsonNode body(Context ctx) {
        byte[] bytes;
        try {
            bytes = ctx.req().getInputStream().readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw bad("the body could not be read", null, "invalid_body");
        }
        if (bytes.length > MAX_BODY) {
            throw GatewayError.of(413, "invalid_request_error", "request_too_large", "the body is over 16 KiB");
        }
        try {
            JsonNode node = Body.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw bad("the body must be a JSON object", null, "invalid_json");
            }
            return node;
        } catch (IOException e) {
            throw bad("the body is not valid JSON", null, "invalid_json");
        }
    }

    /** A 400 naming the field at fault ({@code param}) and why ({@code code}). */
    static InvalidRequest bad(String message, String param, String code) {
        return new InvalidRequest(message, code, param);
    }

    static void answer(Context ctx, int status, JsonNode json) {
        try {
            ctx.header("Cache-Control", "no-store");
            Services.json(ctx, status, Body.MAPPER.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
    }
}
