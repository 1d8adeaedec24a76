package dev.smartflow.core.exchange;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.smartflow.core.error.InvalidRequest;
import java.io.IOException;
import java.util.Optional;

/**
 * The parser limits of {@link Body#MAPPER}, each failing with a refusal that names it. Jackson's own violations carry
 * only a message, and its defaults (20 million characters per string among them) would turn a valid body into "not
 * valid JSON"; here strings and documents are not limited at all, since a body's size is capped where it is accepted.
 */
final class JsonLimits extends StreamReadConstraints {
    /** Not limited: the body's own length is the bound. */
    private static final int NO_STRING_LIMIT = Integer.MAX_VALUE;
    private static final long NO_DOCUMENT_LIMIT = -1;
    private static final long NO_TOKEN_LIMIT = -1;

    JsonLimits(int maxDepth, int maxNumberLength, int maxNameLength) {
        super(maxDepth, NO_DOCUMENT_LIMIT, maxNumberLength, NO_STRING_LIMIT, maxNameLength, NO_TOKEN_LIMIT);
    }

    /** The refusal for a failed parse that went past one of these limits; empty for any other failure. */
    static Optional<InvalidRequest> refusal(IOException failure) {
        return failure instanceof Exceeded exceeded ? Optional.of(exceeded.refusal) : Optional.empty();
    }

    @Override
    public void validateNestingDepth(int depth) throws StreamConstraintsException {
        if (depth > _maxNestingDepth) {
            throw new Exceeded("request body nests objects and arrays deeper than " + _maxNestingDepth + " levels",
                    "json_too_deep");
        }
    }

    @Override
    public void validateIntegerLength(int length) throws StreamConstraintsException {
        validateNumberLength(length);
    }

    @Override
    public void validateFPLength(int length) throws StreamConstraintsException {
        validateNumberLength(length);
    }

    @Override
    public void validateNameLength(int length) throws StreamConstraintsException {
        if (length > _maxNameLen) {
            throw new Exceeded("request body has a field name longer than " + _maxNameLen + " characters",
                    "json_name_too_long");
        }
    }

    private void validateNumberLength(int length) throws StreamConstraintsException {
        if (length > _maxNumLen) {
            throw new Exceeded("request body has a number longer than " + _maxNumLen + " characters",
                    "json_number_too_long");
        }
    }

    /** Jackson's exception type, so the parser unwinds as it would for its own limits, carrying our refusal. */
    private static final class Exceeded extends StreamConstraintsException {
        private final transient InvalidRequest refusal;

        Exceeded(String message, String code) {
            super(message);
            this.refusal = new InvalidRequest(message, code, null);
        }
    }
}
