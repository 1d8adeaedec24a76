package dev.smartflow.providers.vertex;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.smartflow.core.error.UpstreamFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How Vertex AI calls are authorised: an API key in {@code x-goog-api-key}, or an OAuth access token of a Google
 * credentials file (a service account's key, or a user's application default credentials) obtained through Google's
 * auth library. The library caches the token and exchanges a new one before the old one expires (within minutes of
 * its expiry, never after), so most calls reuse the token in memory and the exchange happens at most about once an
 * hour; calls that arrive while a token is being exchanged wait for it.
 *
 * <p>Scoped to {@value #SCOPE}. Thread-safe. The token and the key never appear in {@link #toString()}.
 */
final class VertexCredentials {
    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private final Optional<String> apiKey;
    private final Optional<GoogleCredentials> google;

    private VertexCredentials(Optional<String> apiKey, Optional<GoogleCredentials> google) {
        this.apiKey = apiKey;
        this.google = google;
    }

    static VertexCredentials none() {
        return new VertexCredentials(Optional.empty(), Optional.empty());
    }

    static VertexCredentials apiKey(String key) {
        return new VertexCredentials(Optional.of(Objects.requireNonNull(key, "key")), Optional.empty());
    }

    static VertexCredentials google(GoogleCredentials credentials) {
        return new VertexCredentials(Optional.empty(), Optional.of(credentials.createScoped(List.of(SCOPE))));
    }

    /**
     * The credentials file at {@code path} ({@code GOOGLE_APPLICATION_CREDENTIALS}), read now.
     *
     * @throws IllegalArgumentException if it cannot be read or is not a Google credentials file; the message names
     *                                  the variable, never the file's content
     */
    static VertexCredentials fromFile(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return google(GoogleCredentials.fromStream(in));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("provider 'vertex_ai': the file named by GOOGLE_APPLICATION_CREDENTIALS"
                    + " cannot be read as Google credentials (" + e.getClass().getSimpleName() + ")");
        }
    }

    boolean present() {
        return apiKey.isPresent() || google.isPresent();
    }

    boolean isApiKey() {
        return apiKey.isPresent();
    }

    /** The project of a service account's key, if that is what the credentials are. */
    Optional<String> project() {
        return google.filter(ServiceAccountCredentials.class::isInstance)
                .map(c -> ((ServiceAccountCredentials) c).getProjectId())
                .filter(p -> !p.isBlank());
    }

    /** The key, for masking in error messages. */
    Optional<String> key() {
        return apiKey;
    }

    /**
     * Adds the credentials to {@code headers}: the key, or a bearer token, exchanged first if the cached one is about
     * to expire.
     *
     * @throws UpstreamFailure if a token cannot be obtained (the token endpoint failed or refused the credentials)
     */
    void authorise(okhttp3.Headers.Builder headers, String provider) {
        if (apiKey.isPresent()) {
            headers.set("x-goog-api-key", apiKey.get());
            return;
        }
        GoogleCredentials credentials = google.orElseThrow();
        AccessToken token;
        try {
            credentials.refreshIfExpired();
            token = credentials.getAccessToken();
        } catch (IOException | RuntimeException e) {
            // the library's message may quote the token endpoint's answer; it stays out of ours
            throw UpstreamFailure.io(provider, "cannot obtain an access token for the credentials in"
                    + " GOOGLE_APPLICATION_CREDENTIALS (" + e.getClass().getSimpleName() + ")", null);
        }
        if (token == null) {
            throw UpstreamFailure.io(provider, "the token endpoint answered no access token", null);
        }
        headers.set("Authorization", "Bearer " + token.getTokenValue());
    }

    @Override
    public String toString() {
        return apiKey.isPresent() ? "api key" : google.isPresent() ? "google credentials" : "none";
    }
}
