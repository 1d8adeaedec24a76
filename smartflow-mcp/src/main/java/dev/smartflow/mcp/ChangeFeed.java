package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * Tells the long-lived notification streams of this instance that the tools a client sees may have changed: a
 * server registered, changed or removed (on any instance: the registry's snapshot hears of it), a grant approved or
 * revoked, a server's catalog read anew. Each stream (a legacy client's GET stream, a modern client's
 * {@code subscriptions/listen}) then sends {@code notifications/tools/list_changed}; the client lists again and sees
 * exactly what it may use now.
 *
 * <p>Thread-safe.
 */
final class ChangeFeed {
    private final Set<Feed> feeds = new CopyOnWriteArraySet<>();

    /** Something changed: every open stream gets its notification. */
    void changed() {
        feeds.forEach(Feed::changed);
    }

    /** A message for the streams tagged {@code tag} only (a session's resource updates, say). */
    void tell(String tag, ObjectNode message) {
        feeds.stream().filter(feed -> feed.tag.filter(tag::equals).isPresent()).forEach(feed -> feed.tell(message));
    }

    /** Open streams; for tests. */
    int open() {
        return feeds.size();
    }

    /** Ends every stream, each with {@code last} when it has one (a graceful end); at shutdown. */
    void closeAll() {
        feeds.forEach(Feed::finish);
    }

    /**
     * A stream of events: {@code first} at once, then {@code notification} at every change, until the client goes
     * away (its cancellation) or the gateway stops ({@code last}, if any, ends it).
     */
    ChunkStream stream(List<ObjectNode> first, Supplier<ObjectNode> notification, Optional<ObjectNode> last,
                       Optional<Cancellation> cancellation) {
        return stream(first, notification, last, cancellation, Optional.empty(), () -> { });
    }

    /**
     * As above (a null {@code notification}: changes are not sent), the stream tagged {@code tag} (it also gets what is {@linkplain #tell told} that tag); {@code onClose}
     * runs once when it ends.
     */
    ChunkStream stream(List<ObjectNode> first, Supplier<ObjectNode> notification, Optional<ObjectNode> last,
                       Optional<Cancellation> cancellation, Optional<String> tag, Runnable onClose) {
        Feed feed = new Feed(notification, last, tag, onClose);
        first.forEach(message -> feed.queue.add(chunk(message)));
        feeds.add(feed);
        cancellation.ifPresent(c -> c.onCancel(feed::close));
        return feed;
    }

    private static Chunk chunk(ObjectNode message) {
        return Chunk.data(Body.of(message));
    }

    /** One stream: a queue the reader blocks on. */
    private final class Feed implements ChunkStream {
        private static final Chunk END = Chunk.data(Body.EMPTY);
        private static final int MAX_TOLD = 256;
        final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        final Supplier<ObjectNode> notification;
        final Optional<ObjectNode> last;
        final Optional<String> tag;
        final Runnable onClose;
        Chunk next;
        volatile boolean closed;

        Feed(Supplier<ObjectNode> notification, Optional<ObjectNode> last, Optional<String> tag, Runnable onClose) {
            this.notification = notification;
            this.last = last;
            this.tag = tag;
            this.onClose = onClose;
        }

        void tell(ObjectNode message) {
            if (!closed && queue.size() < MAX_TOLD) {
                queue.add(chunk(message));
            }
        }

        void changed() {
            if (!closed && notification != null && queue.size() < 2) {
                // a client behind on reading needs one notification, not one per change
                queue.add(chunk(notification.get()));
            }
        }

        void finish() {
            last.ifPresent(message -> queue.add(chunk(message)));
            queue.add(END);
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (closed) {
                return false;
            }
            try {
                Chunk taken = queue.take();
                if (taken == END) {
                    close();
                    return false;
                }
                next = taken;
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                return false;
            }
        }

        @Override
        public Chunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Chunk chunk = next;
            next = null;
            return chunk;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                feeds.remove(this);
                queue.add(END);
                onClose.run();
            }
        }
    }
}
