package dev.smartflow.providers.openai;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * A fake upstream's answer body that sends its first part, then holds the rest until the test {@link #release}s it:
 * shows that an adapter hands on what arrived without waiting for the whole answer, with no timing in the test.
 */
final class GatedBody implements MockResponseBody {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch restSent = new CountDownLatch(1);
    private final byte[] first;
    private final byte[] rest;

    GatedBody(byte[] first, byte[] rest) {
        this.first = first;
        this.rest = rest;
    }

    GatedBody(String first, String rest) {
        this(first.getBytes(StandardCharsets.UTF_8), rest.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long getContentLength() {
        return first.length + rest.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        sink.write(first);
        sink.flush();
        try {
            if (!release.await(15, TimeUnit.SECONDS)) {
                throw new IOException("the test never released the rest");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
        sink.write(rest);
        sink.flush();
        restSent.countDown();
    }
}
