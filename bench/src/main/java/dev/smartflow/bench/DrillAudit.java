package dev.smartflow.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the gateway's audit log through its management API for the reliability drills ({@code bench/drills.sh}).
 *
 * <pre>
 * DrillAudit count  --url MGMT --master KEY --since-ms MS [--until-ms MS]
 *     the number of audited calls in the range ({@code GET /api/analytics}), or exit 1 if the API did not answer
 * DrillAudit settle --url MGMT --master KEY --since-ms MS [--until-ms MS] [--origin-ms MS]
 *                   [--every-ms 500] [--stable-ms 3000] [--max-ms 90000]
 *     polls the count until it stops changing for --stable-ms; prints audited=N settled=0|1 reached_ms=T where T is
 *     when the final count was first seen, from --origin-ms (default: the start of the polling)
 * DrillAudit ids    --url MGMT --master KEY --since-ms MS --keys key_a,key_b --out FILE
 *     writes the request id of every audited call of those virtual keys since MS, one a line
 *     ({@code GET /api/vas/logs}, one page of at most 10,000 per key: spread a drill's calls over enough keys);
 *     prints fetched=N truncated=K (keys whose page was full)
 * </pre>
 */
public final class DrillAudit {

    private static final int PAGE = 10_000;
    private static final Pattern REQUESTS = Pattern.compile("\"requests\"\\s*:\\s*(\\d+)");
    private static final Pattern REQUEST_ID = Pattern.compile("\"request_id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern HAS_MORE = Pattern.compile("\"has_more\"\\s*:\\s*true");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String base;
    private final String master;

    DrillAudit(String base, String master) {
        URI uri = URI.create(base);
        if (!"127.0.0.1".equals(uri.getHost())) {
            throw new IllegalArgumentException("only 127.0.0.1 targets are allowed: " + base);
        }
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.master = master;
    }

    /** The audited calls in [since, until), or empty if the API did not answer 200. */
    OptionalLong count(Instant since, Instant until) throws InterruptedException {
        String body = get("/api/analytics?start_date=" + encode(since) + "&end_date=" + encode(until));
        if (body == null) {
            return OptionalLong.empty();
        }
        Matcher m = REQUESTS.matcher(body);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    record Settled(long audited, boolean settled, long reachedAtMs) {}

    Settled settle(Instant since, Instant until, long everyMs, long stableMs, long maxMs) throws InterruptedException {
        long start = System.currentTimeMillis();
        long last = -1;
        long lastChangeMs = start;
        while (true) {
            long now = System.currentTimeMillis();
            OptionalLong n = count(since, until);
            if (n.isPresent() && n.getAsLong() != last) {
                last = n.getAsLong();
                lastChangeMs = now;
            } else if (last >= 0 && now - lastChangeMs >= stableMs) {
                return new Settled(last, true, lastChangeMs);
            }
            if (now - start >= maxMs) {
                return new Settled(last, false, lastChangeMs);
            }
            Thread.sleep(everyMs);
        }
    }

    record Ids(List<String> ids, int truncated) {}

    Ids ids(Instant since, List<String> keys) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        int truncated = 0;
        for (String key : keys) {
            String body = get("/api/vas/logs?limit=" + PAGE + "&since=" + encode(since) + "&key="
                    + URLEncoder.encode(key, StandardCharsets.UTF_8));
            if (body == null) {
                throw new IllegalStateException("the audit log did not answer for key " + key);
            }
            Matcher m = REQUEST_ID.matcher(body);
            int n = 0;
            while (m.find()) {
                ids.add(m.group(1));
                n++;
            }
            if (n >= PAGE || HAS_MORE.matcher(body).find()) {
                truncated++;
            }
        }
        return new Ids(ids, truncated);
    }

    private String get(String pathAndQuery) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .header("Authorization", "Bearer " + master)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String encode(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length % 2 != 1) {
            usage();
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        String url = opts.get("--url");
        String master = opts.get("--master");
        String sinceMs = opts.get("--since-ms");
        if (url == null || master == null || sinceMs == null) {
            usage();
        }
        DrillAudit audit = new DrillAudit(url, master);
        Instant since = Instant.ofEpochMilli(Long.parseLong(sinceMs));
        // the analytics range is end-exclusive; an hour ahead covers every record of a drill
        Instant until = opts.containsKey("--until-ms") ? Instant.ofEpochMilli(Long.parseLong(opts.get("--until-ms")))
                : Instant.now().plus(Duration.ofHours(1));
        switch (args[0]) {
            case "count" -> {
                OptionalLong n = audit.count(since, until);
                if (n.isEmpty()) {
                    System.err.println("DrillAudit: the analytics API did not answer");
                    System.exit(1);
                }
                System.out.println(n.getAsLong());
            }
            case "settle" -> {
                long origin = Long.parseLong(opts.getOrDefault("--origin-ms", "" + System.currentTimeMillis()));
                Settled s = audit.settle(since, until, Long.parseLong(opts.getOrDefault("--every-ms", "500")),
                        Long.parseLong(opts.getOrDefault("--stable-ms", "3000")),
                        Long.parseLong(opts.getOrDefault("--max-ms", "90000")));
                System.out.println("audited=" + s.audited() + " settled=" + (s.settled() ? 1 : 0) + " reached_ms="
                        + (s.reachedAtMs() - origin));
            }
            case "ids" -> {
                String keys = opts.get("--keys");
                String out = opts.get("--out");
                if (keys == null || out == null) {
                    usage();
                }
                Ids ids = audit.ids(since, List.of(keys.split(",")));
                Files.write(Path.of(out), ids.ids());
                System.out.println("fetched=" + ids.ids().size() + " truncated=" + ids.truncated());
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: DrillAudit count|settle|ids --url MGMT_URL --master KEY --since-ms MS [...]"
                + " (see the class comment)");
        System.exit(2);
    }
}
