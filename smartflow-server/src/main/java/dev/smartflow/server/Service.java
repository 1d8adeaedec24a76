package dev.smartflow.server;

import java.util.Locale;

/** The five HTTP services of one Smartflow process, with their default ports and the variables that move them. */
public enum Service {
    PROXY(7775),
    MANAGEMENT(7778),
    COMPLIANCE(7777),
    POLICY(7782),
    BRIDGE(3500);

    private final int defaultPort;

    Service(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** {@code PROXY_PORT}, {@code MANAGEMENT_PORT}, ... */
    public String portVariable() {
        return name() + "_PORT";
    }

    /** The name used in {@code --services} and the config file: {@code proxy}, {@code management}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Service parse(String id) {
        for (Service service : values()) {
            if (service.id().equals(id.strip().toLowerCase(Locale.ROOT))) {
                return service;
            }
        }
        throw new IllegalArgumentException("unknown service '" + id.strip()
                + "'; expected proxy, management, compliance, policy or bridge");
    }
}
