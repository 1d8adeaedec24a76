package dev.smartflow.core;

import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.Optional;

/** The rest of the pipeline, as seen by one stage. */
public interface Chain {
    /** Runs the remaining stages on {@code exchange} and returns their response. */
    Response proceed(Exchange exchange);

    /** The provider attempt under way: present only for attempt stages, which run inside the route loop. */
    Optional<Attempt> attempt();
}
