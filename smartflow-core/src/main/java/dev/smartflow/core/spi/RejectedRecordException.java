package dev.smartflow.core.spi;

/**
 * {@link AuditLog#append} refused a batch for what a record in it holds (a data error: a value or a constraint the
 * store cannot take), not because the store is out of reach. Nothing of the batch was appended, and the same batch
 * fails the same way however often it is retried, so the audit writer looks for the record at fault by appending
 * smaller batches, and sets that record aside, rather than retrying. Every other exception from {@code append} means
 * the store could not take the batch now (an outage), to be retried as it is.
 *
 * <p>The message names the kind of refusal (e.g. an SQLState), never a value of the record: the caller logs it.
 */
public final class RejectedRecordException extends RuntimeException {
    public RejectedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
