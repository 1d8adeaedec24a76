package dev.smartflow.server;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The setup most server tests share: a fake upstream and a real gateway in front of it, fresh for every test, on a
 * temporary data directory. A test may replace {@link #gateway} (e.g. to restart it); whatever is there is closed.
 */
abstract class GatewayTest {
    @TempDir
    Path data;
    Upstream upstream;
    Gateway gateway;

    @BeforeEach
    void startGateway() throws Exception {
        upstream = new Upstream();
        gateway = new Gateway(upstream, data);
    }

    @AfterEach
    void stopGateway() {
        gateway.close();
        upstream.close();
    }
}
