package dev.smartflow.mcp;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * The networks whose callers count as private ({@code mcp.private_networks}): a server registered with
 * {@code available_on_public_internet: false} serves only callers whose address falls in one of them.
 */
final class Networks {
    private final List<Block> blocks;

    private Networks(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    static Networks of(List<String> cidrs) {
        return new Networks(cidrs.stream().map(c -> parse(c, "mcp.private_networks")).toList());
    }

    /** Whether {@code address} (a literal IPv4 or IPv6 address) falls in one of the networks. */
    boolean contains(String address) {
        InetAddress parsed = literal(address);
        if (parsed == null) {
            return false;
        }
        byte[] bytes = parsed.getAddress();
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @throws IllegalArgumentException naming {@code setting} when {@code cidr} is not an address and prefix length
     */
    static Block parse(String cidr, String setting) {
        Objects.requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        InetAddress address = literal(slash < 0 ? cidr : cidr.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException(setting + ": '" + cidr + "' is not an IP address or CIDR block");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(setting + ": '" + cidr + "' has no valid prefix length");
            }
        }
        return new Block(address.getAddress(), prefix);
    }

    /** The address a literal names, never a name lookup; null for anything else. */
    private static InetAddress literal(String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        boolean ipv4 = trimmed.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = trimmed.contains(":") && trimmed.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(trimmed);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int bits = network.length * 8;
            BigInteger mask = prefix == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE).shiftLeft(bits - prefix);
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }
}
