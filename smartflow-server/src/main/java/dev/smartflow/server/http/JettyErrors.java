package dev.smartflow.server.http;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request Jetty refuses before any route sees it (a malformed request line or header, a control byte,
 * {@code %00} or bad UTF-8 in the path, a URI or headers beyond their limits, an unknown HTTP version): the same JSON
 * error shape as every other error, with Jetty's status, instead of Jetty's HTML page. Anthropic's shape under its
 * paths, as {@link ErrorShape#forPath} says.
 *
 * <p>Jetty's reason is kept in the message: it names the rule broken (e.g. {@code Illegal character CNTL=0x1}) and
 * never the offending value, so nothing a caller sent (such as a key) is echoed.
 */
final class JettyErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = (String) request.getAttribute(ERROR_MESSAGE);
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
            status = http.getCode();
            response.setStatus(status);
            if (reason == null) {
                reason = http.getReason();
            }
        }
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        HttpURI uri = request.getHttpURI();
        ErrorShape shape = ErrorShape.forPath(uri == null ? null : uri.getPath());
        boolean clientError = status < 500;
        byte[] body = shape.body(status, message(status, reason, request), clientError ? "invalid_request_error"
                : "server_error", code(status));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        return true;
    }

    private static String message(int status, String reason, Request request) {
        HttpConfiguration http = request.getConnectionMetaData().getHttpConfiguration();
        String detail = reason == null || reason.isBlank() || reason.equals(HttpStatus.getMessage(status)) ? ""
                : " (" + (reason.length() > 200 ? reason.substring(0, 200) : reason) + ")";
        return switch (status) {
            case 400 -> "the HTTP request is malformed" + detail;
            case 413 -> "the request is too large" + detail;
            case 414 -> String.format(Locale.ROOT, "the request URI is longer than %d bytes",
                    http.getRequestHeaderSize());
            case 431 -> String.format(Locale.ROOT, "the request headers are larger than %d bytes",
                    http.getRequestHeaderSize());
            case 505 -> "unsupported HTTP version: use HTTP/1.1 or HTTP/1.0" + detail;
            case 500 -> "internal error";
            default -> HttpStatus.getMessage(status) + detail;
        };
    }

    private static String code(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 413 -> "request_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            case 500 -> "internal_error";
            default -> null;
        };
    }
}
