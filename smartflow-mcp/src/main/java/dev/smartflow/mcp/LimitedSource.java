package dev.smartflow.mcp;

import java.io.IOException;
import okio.Buffer;
import okio.ForwardingSource;
import okio.Source;

/** A source that fails once more than a cap of bytes was read from it: an upstream cannot fill the heap. */
final class LimitedSource extends ForwardingSource {
    private final long limit;
    private long read;

    LimitedSource(Source delegate, long limit) {
        super(delegate);
        this.limit = limit;
    }

    /** Starts counting again: for a long-lived stream, whose cap is per event rather than for all it carries. */
    void reset() {
        read = 0;
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
        long count = super.read(sink, byteCount);
        if (count > 0) {
            read += count;
            if (read > limit) {
                throw new IOException("the upstream's answer is larger than " + limit + " bytes");
            }
        }
        return count;
    }
}
