package dev.smartflow.providers.bedrock;

import dev.smartflow.core.error.UpstreamFailure;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.Request;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * How Bedrock calls are authorised: a Bedrock API key sent as a bearer token, or AWS Signature Version 4 computed by
 * the AWS SDK's signer ({@link AwsV4HttpSigner}, service {@value #SIGNING_NAME}) from credentials found, in order, in
 * {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN} of the registry's environment,
 * else in the SDK's default chain (system properties, the process environment, the profile files, container and
 * instance credentials), resolved at each call (the chain caches and refreshes them itself). The region comes from
 * {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}.
 *
 * <p>Secrets never leave this class except in the signature and the headers the signer adds; {@link #secrets()}
 * lists them for the error scrubber. Thread-safe.
 */
final class BedrockAuth {
    static final String SIGNING_NAME = "bedrock";

    private final Optional<String> region;
    private final Optional<String> apiKey;
    private final Optional<AwsCredentialsIdentity> fixed;
    private final Supplier<AwsCredentialsIdentity> chain;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    BedrockAuth(Optional<String> region, Optional<String> apiKey, Optional<AwsCredentialsIdentity> fixed,
                Supplier<AwsCredentialsIdentity> chain, Clock clock) {
        this.region = Objects.requireNonNull(region, "region");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.fixed = Objects.requireNonNull(fixed, "fixed");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * From the environment: the region, the static keys if both are set (with the session token if that is), and the
     * API key given in the settings or {@code AWS_BEARER_TOKEN_BEDROCK}.
     */
    static BedrockAuth fromEnvironment(Map<String, String> environment, Optional<String> apiKey, Clock clock) {
        Optional<String> region = variable(environment, "AWS_REGION")
                .or(() -> variable(environment, "AWS_DEFAULT_REGION"));
        Optional<String> keyId = variable(environment, "AWS_ACCESS_KEY_ID");
        Optional<String> secret = variable(environment, "AWS_SECRET_ACCESS_KEY");
        Optional<String> token = variable(environment, "AWS_SESSION_TOKEN");
        Optional<AwsCredentialsIdentity> fixed = keyId.isPresent() && secret.isPresent()
                ? Optional.of(token.<AwsCredentialsIdentity>map(t -> AwsSessionCredentialsIdentity.create(keyId.get(),
                        secret.get(), t)).orElseGet(() -> AwsCredentialsIdentity.create(keyId.get(), secret.get())))
                : Optional.empty();
        Optional<String> bearer = apiKey.or(() -> variable(environment, "AWS_BEARER_TOKEN_BEDROCK"));
        return new BedrockAuth(region, bearer, fixed, new DefaultChain(), clock);
    }

    /** The region calls are signed for and sent to. */
    Optional<String> region() {
        return region;
    }

    /** True once a region is known: credentials come from the environment or, failing that, the default chain. */
    boolean configured() {
        return region.isPresent();
    }

    /** True when credentials were given in the environment rather than left to the default chain. */
    boolean explicit() {
        return apiKey.isPresent() || fixed.isPresent();
    }

    /** The configured secrets, for masking in error messages. */
    List<String> secrets() {
        List<String> secrets = new ArrayList<>(4);
        apiKey.ifPresent(secrets::add);
        fixed.ifPresent(identity -> {
            secrets.add(identity.accessKeyId());
            secrets.add(identity.secretAccessKey());
            if (identity instanceof AwsSessionCredentialsIdentity session) {
                secrets.add(session.sessionToken());
            }
        });
        return List.copyOf(secrets);
    }

    /**
     * {@code request} (whose URL, method and headers are set) authorised for {@code body}: the bearer key, or the
     * SigV4 headers ({@code Authorization}, {@code X-Amz-Date}, {@code Host}, and {@code X-Amz-Security-Token} with
     * a session) over the method, encoded path, query, the headers it has and the body's SHA-256.
     *
     * @throws UpstreamFailure if no credentials can be found (the default chain found none)
     */
    Request authorise(Request request, byte[] body, String provider) {
        if (apiKey.isPresent()) {
            return request.newBuilder().header("Authorization", "Bearer " + apiKey.get()).build();
        }
        AwsCredentialsIdentity identity = fixed.orElseGet(() -> resolveChain(provider));
        HttpUrl url = request.url();
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(request.method()))
                .protocol(url.scheme())
                .host(url.host())
                .port(url.port())
                .encodedPath(url.encodedPath());
        for (String name : url.queryParameterNames()) {
            for (String value : url.queryParameterValues(name)) {
                unsigned.appendRawQueryParameter(name, value);
            }
        }
        request.headers().forEach(header -> unsigned.appendHeader(header.getFirst(), header.getSecond()));
        SignedRequest signed = signer.sign(r -> r
                .identity(identity)
                .request(unsigned.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.orElseThrow())
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        Request.Builder out = request.newBuilder();
        signed.request().forEachHeader((name, values) -> {
            out.removeHeader(name);
            values.forEach(value -> out.addHeader(name, value));
        });
        return out.build();
    }

    private AwsCredentialsIdentity resolveChain(String provider) {
        try {
            return chain.get();
        } catch (SdkException e) {
            // the SDK's message lists where it looked; none of it is a secret, but none of it is needed either
            throw UpstreamFailure.io(provider, "no AWS credentials found: set AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY, a profile, or an instance or container role", null);
        }
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    @Override
    public String toString() {
        return "BedrockAuth[region=" + region.orElse("unset") + ", credentials="
                + (apiKey.isPresent() ? "api key" : fixed.isPresent() ? "environment" : "default chain") + "]";
    }

    /** The SDK's default credentials chain, created on first use so that a registry that never signs never looks. */
    private static final class DefaultChain implements Supplier<AwsCredentialsIdentity> {
        private volatile DefaultCredentialsProvider provider;

        @Override
        public AwsCredentialsIdentity get() {
            DefaultCredentialsProvider chain = provider;
            if (chain == null) {
                synchronized (this) {
                    chain = provider;
                    if (chain == null) {
                        chain = DefaultCredentialsProvider.builder().build();
                        provider = chain;
                    }
                }
            }
            return chain.resolveCredentials();
        }
    }
}
