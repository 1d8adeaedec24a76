package dev.smartflow.providers.bedrock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import okio.Buffer;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/**
 * AWS event-stream messages as Bedrock sends them, encoded by the AWS SDK's own event-stream codec (not by the
 * adapter's decoder), CRCs included: what a {@code converse-stream} body is made of.
 */
final class Frames {
    private Frames() {
    }

    /** An event: {@code :message-type event}, its type, JSON content. */
    static byte[] event(String type, String json) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString(type));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        return encode(headers, json);
    }

    /** An exception: {@code :message-type exception} and the exception's type. */
    static byte[] exception(String type, String json) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":exception-type", HeaderValue.fromString(type));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("exception"));
        return encode(headers, json);
    }

    /** A body of these messages, one after another. */
    static Buffer body(byte[]... messages) {
        Buffer buffer = new Buffer();
        for (byte[] message : messages) {
            buffer.write(message);
        }
        return buffer;
    }

    private static byte[] encode(Map<String, HeaderValue> headers, String json) {
        ByteBuffer encoded = new Message(headers, json.getBytes(StandardCharsets.UTF_8)).toByteBuffer();
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }
}
