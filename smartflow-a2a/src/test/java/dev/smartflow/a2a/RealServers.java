package dev.smartflow.a2a;

/** The real PostgreSQL and Redis of the multi-instance tests ({@link dev.smartflow.server.testing.RealServers}). */
final class RealServers extends dev.smartflow.server.testing.RealServers {
    private RealServers() {
    }
}
