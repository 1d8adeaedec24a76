package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * The network address a call came from, as the server's socket saw it (a reverse proxy's address when one stands in
 * front): for stages that treat callers by where they are, such as policies that target source IPs. Absent for
 * in-process calls.
 *
 * @param ip the address in text form, e.g. {@code 10.1.2.3} or {@code 2001:db8::1}
 */
public record ClientAddress(String ip) {
    public static final Attribute<ClientAddress> KEY = Attribute.of("client-address", ClientAddress.class);

    public ClientAddress {
        Objects.requireNonNull(ip, "ip");
    }
}
