package dev.smartflow.core.exchange;

import java.util.Objects;

/**
 * How a streamed answer ended, as {@link ChunkStream#onEnd} reports it once: read to its end, closed before its end
 * (the caller went away), or failed while being read.
 */
public sealed interface StreamEnd {
    /** Every chunk was read. */
    record Completed() implements StreamEnd {
    }

    /** Closed before its end: the caller stopped reading. */
    record Closed() implements StreamEnd {
    }

    /** Reading the next chunk threw {@code failure}. */
    record Failed(RuntimeException failure) implements StreamEnd {
        public Failed {
            Objects.requireNonNull(failure, "failure");
        }
    }

    StreamEnd COMPLETED = new Completed();
    StreamEnd CLOSED = new Closed();
}
