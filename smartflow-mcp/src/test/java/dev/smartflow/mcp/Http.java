package dev.smartflow.mcp;

import dev.smartflow.server.testing.TestHttp;

/** The tests' HTTP client ({@link TestHttp}) under a short name. */
final class Http extends TestHttp {
    private Http() {
    }
}
