package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Text that looks like personal data and is not: none of it may fire. */
class NearMissTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "request 123e4567-e89b-12d3-a456-426614174000 failed",
        "trace 550e8400-e29b-41d4-a716-446655440000",
        "upgrade to v2.14.3 or 10.4.1",
        "build 1.0.0-beta.2+20240312",
        "Order #112-4567890-1234567 shipped",
        "order number 4532015112830366",
        "IMEI: 35-209900-176148-1",
        "commit 4f2a9c81e0d3b7a6c5d4e3f2a1b0c9d8e7f6a5b4",
        "it costs $1,234,567.89 in 2024",
        "timestamp 1700000000123",
        "ISBN 978-3-16-148410-0",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "at 2024-03-12T10:30:00Z",
        "room 4111, floor 12, call center",
    })
    void lookAlikesDoNotFire(String text) {
        assertEquals(List.of(), Found.in(text));
    }
}
