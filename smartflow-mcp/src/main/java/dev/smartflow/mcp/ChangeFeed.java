package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Cancellation;
import dev.smartflow.core.exchange.ChunkStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
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
        first.forEach(message -> feed.offer(message, Integer.MAX_VALUE));
        feeds.add(feed);
        cancellation.ifPresent(c -> c.onCancel(feed::close));
        return feed;
    }

    /** One stream: a queue the reader blocks on. */
    private final class Feed extends QueuedChunkStream {
        private static final int MAX_TOLD = 256;
        final Supplier<ObjectNode> notification;
        final Optional<ObjectNode> last;
        final Optional<String> tag;
        final Runnable whenClosed;

        Feed(Supplier<ObjectNode> notification, Optional<ObjectNode> last, Optional<String> tag, Runnable whenClosed) {
            this.notification = notification;
            this.last = last;
            this.tag = tag;
            this.whenClosed = whenClosed;
        }

        void tell(ObjectNode message) {
            offer(message, MAX_TOLD);
        }

        void changed() {
            if (notification != null && waiting() < 2) {
                // a client behind on reading needs one notification, not one per change
                offer(notification.get(), 2);
            }
        }

        void finish() {
            last.ifPresent(message -> offer(message, Integer.MAX_VALUE));
            end();
        }

        @Override
        void onClose() {
            feeds.remove(this);
            whenClosed.run();
        }
    }
}
