package dev.smartflow.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import java.io.IOException;

/**
 * Parses a request body while charging its JSON tree to the {@link BodyBudget}: a parser that passes every token on
 * and adds what the tree node it becomes will take, so that a body of many small values is refused (503, or 413 if it
 * could never fit) before its tree fills the heap, rather than after.
 *
 * <p>The sizes are those of Jackson's nodes on a 64-bit JVM with compressed references, checked against the retained
 * heap of parsed bodies (chat messages of a few words, empty objects, nested arrays, integers, floats, many distinct
 * field names): the estimate is at most 10% below the measured size, and above it for most shapes. String contents
 * are not counted here: the up-front charge of the body's bytes covers them (see {@link BodyBudget}).
 */
public final class TreeMeter extends JsonParserDelegate {
    private static final int OBJECT = 80;              // ObjectNode and its LinkedHashMap
    private static final int FIRST_FIELD = 80;         // the map's table, made at the first field
    private static final int FIELD = 88;               // a map entry, a share of the table, a name (plus its length)
    private static final int ARRAY = 40;               // ArrayNode and its ArrayList
    private static final int FIRST_ELEMENT = 56;       // the list's array, made at the first element
    private static final int ELEMENT = 6;              // a slot in that array, with its growth
    private static final int STRING = 56;              // TextNode, String and the header of its byte array
    private static final int INT = 16;
    private static final int LONG_OR_DOUBLE = 24;
    /** The charge grows in steps of this much structure, to keep the semaphore off the per-token path. */
    private static final long STEP = 64 * 1024;

    private final BodyBudget.Charge charge;
    private final long base;
    private long structure;
    private long charged;

    private TreeMeter(JsonParser parser, BodyBudget.Charge charge) {
        super(parser);
        this.charge = charge;
        this.base = charge.bytes();
    }

    /**
     * Parses {@code body} now, metered into {@code charge}; the tree stays cached in the body. A body that is not JSON
     * is left for the pipeline to refuse (and audit): the body keeps that refusal, so it is not parsed a second time.
     *
     * @throws BodyBudget.Busy                    if the tree outgrows what the budget has room for
     * @throws io.javalin.http.HttpResponseException 413 if the tree could never fit the budget
     */
    public static void parse(Body body, BodyBudget.Charge charge) {
        try {
            body.json(parser -> new TreeMeter(parser, charge));
        } catch (InvalidRequest e) {
            // the pipeline's validation reports it, from the refusal the body keeps
        }
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken token = delegate.nextToken();
        if (token != null) {
            structure += cost(token);
            if (structure - charged >= STEP) {
                charged = structure;
                charge.growTo(base + structure * BodyBudget.STRUCTURE_COPIES);
            }
        }
        return token;
    }

    private long cost(JsonToken token) throws IOException {
        JsonStreamContext context = delegate.getParsingContext();
        long cost = switch (token) {
            case START_OBJECT -> OBJECT;
            case START_ARRAY -> ARRAY;
            case FIELD_NAME -> FIELD + delegate.currentName().length()
                    + (context.getCurrentIndex() == 0 ? FIRST_FIELD : 0);
            case VALUE_STRING -> STRING;
            case VALUE_NUMBER_INT -> delegate.getNumberType() == JsonParser.NumberType.INT ? INT : LONG_OR_DOUBLE;
            case VALUE_NUMBER_FLOAT -> LONG_OR_DOUBLE;
            default -> 0;
        };
        if (token == JsonToken.FIELD_NAME || token.isStructEnd()) {
            return cost;
        }
        // a value inside an array also takes a slot there; a container's context is its own, its holder's the parent
        JsonStreamContext holder = token.isStructStart() ? context.getParent() : context;
        if (holder != null && holder.inArray()) {
            cost += ELEMENT + (holder.getCurrentIndex() == 0 ? FIRST_ELEMENT : 0);
        }
        return cost;
    }
}
