package dev.smartflow.providers.bedrock;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.RecordedRequest;

/**
 * A reference implementation of AWS Signature Version 4 as AWS documents it ("Create a signed AWS API request"),
 * written here from the specification, independently of the SDK signer the adapter uses: it recomputes the signature
 * of a request as the server received it, from known credentials, and tells whether the adapter's matches.
 */
final class SigV4Check {
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?"
                    + "Signature=([0-9a-f]{64})");

    private SigV4Check() {
    }

    /** What the Authorization header says, parsed. */
    record Parsed(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                  String signature) {
    }

    static Parsed parse(RecordedRequest request) {
        String header = request.getHeaders().get("Authorization");
        if (header == null) {
            throw new AssertionError("no Authorization header");
        }
        Matcher m = AUTHORIZATION.matcher(header);
        if (!m.matches()) {
            throw new AssertionError("not a SigV4 Authorization header: " + header);
        }
        return new Parsed(m.group(1), m.group(2), m.group(3), m.group(4), List.of(m.group(5).split(";")), m.group(6));
    }

    /** The signature the request should carry, computed from the request as received and the secret key. */
    static String expectedSignature(RecordedRequest request, String secretKey) {
        Parsed parsed = parse(request);
        String amzDate = request.getHeaders().get("X-Amz-Date");
        String target = request.getTarget();
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? "" : target.substring(question + 1);

        StringBuilder canonicalUri = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            // every service but S3 encodes the (already encoded) path segments a second time
            canonicalUri.append('/').append(uriEncode(segment));
        }
        Map<String, String> params = new TreeMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                params.put(uriEncode(name), uriEncode(value));
            }
        }
        List<String> query2 = new ArrayList<>();
        params.forEach((k, v) -> query2.add(k + "=" + v));
        StringBuilder headers = new StringBuilder();
        for (String name : parsed.signedHeaders()) {
            String value = request.getHeaders().get(name);
            if (value == null) {
                throw new AssertionError("signed header " + name + " was not sent");
            }
            headers.append(name.toLowerCase(Locale.ROOT)).append(':')
                    .append(value.strip().replaceAll(" +", " ")).append('\n');
        }
        String payloadHash = hex(sha256(request.getBody() == null ? new byte[0] : request.getBody().toByteArray()));
        String canonical = request.getMethod() + "\n" + canonicalUri + "\n" + String.join("&", query2) + "\n"
                + headers + "\n" + String.join(";", parsed.signedHeaders()) + "\n" + payloadHash;
        String scope = parsed.date() + "/" + parsed.region() + "/" + parsed.service() + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), parsed.date());
        key = hmac(key, parsed.region());
        key = hmac(key, parsed.service());
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    private static String uriEncode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
