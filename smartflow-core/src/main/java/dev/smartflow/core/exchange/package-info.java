/**
 * The data of one call: {@link dev.smartflow.core.exchange.Exchange} (what is asked, by whom, with which body),
 * {@link dev.smartflow.core.exchange.Response} (complete or streamed) and the small immutable types they hold.
 */
package dev.smartflow.core.exchange;
