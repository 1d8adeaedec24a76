package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpRecognizerTest {
    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.10", "8.8.8.8", "255.255.255.255", "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "2001:db8::1", "fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128"})
    void addressesAreFound(String address) {
        assertEquals(List.of("IP_ADDRESS:" + address), Found.in("from " + address + " today"));
    }

    @Test
    void fourOneDigitPartsNeedAWordThatSaysIp() {
        assertEquals(List.of(), Found.in("build 8.8.8.8"));
        assertEquals(List.of("IP_ADDRESS:8.8.8.8"), Found.in("the DNS server 8.8.8.8"));
    }

    @Test
    void aPortAfterTheAddressIsLeftOut() {
        assertEquals(List.of("IP_ADDRESS:10.0.0.7"), Found.in("connect to 10.0.0.7:8080"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"version 10.0.1.2", "v1.2.3.4", "release 4.2.0.1", "256.1.1.1", "1.2.3", "1.2.3.4.5",
        "at 10:30:45", "std::vector", "MAC 00:1A:2B:3C:4D:5E", "a::b", "0.1.2.3", "Running 4.2.1.0 in production"})
    void versionsTimesAndCodeAreNotAddresses(String text) {
        assertEquals(List.of(), Found.in(text + " here"));
    }
}
