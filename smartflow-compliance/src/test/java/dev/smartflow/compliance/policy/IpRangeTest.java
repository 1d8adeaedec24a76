package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpRangeTest {
    private static boolean contains(String range, String address) {
        return IpRange.parse(range).orElseThrow().contains(IpRange.address(address).orElseThrow());
    }

    @Test
    void rangesHoldTheAddressesTheirPrefixCovers() {
        assertTrue(contains("10.0.0.0/8", "10.255.1.2"));
        assertFalse(contains("10.0.0.0/8", "11.0.0.1"));
        assertTrue(contains("192.168.4.0/22", "192.168.7.255"));
        assertFalse(contains("192.168.4.0/22", "192.168.8.0"));
        assertTrue(contains("127.0.0.1", "127.0.0.1"));
        assertFalse(contains("127.0.0.1", "127.0.0.2"));
        assertTrue(contains("0.0.0.0/0", "8.8.8.8"));
        assertTrue(contains("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(contains("2001:db8::/32", "2001:db9::1"));
        assertTrue(contains("::1", "[::1]"));
        assertTrue(contains("10.0.0.0/8", "::ffff:10.1.2.3"), "an IPv4-mapped address is its IPv4 address");
        assertFalse(contains("10.0.0.0/8", "2001:db8::1"), "families never mix");
    }

    @Test
    void onlyLiteralAddressesAreReadNeverHostNames() {
        for (String bad : List.of("intranet", "localhost", "example.com", "10.0.0.256", "10.0.0.0/33", "10.0.0/8",
                "::1/129", "10.0.0.0/", "10.0.0.0/x", "1.2.3.4.5", "")) {
            assertEquals(Optional.empty(), IpRange.parse(bad), bad);
        }
    }
}
