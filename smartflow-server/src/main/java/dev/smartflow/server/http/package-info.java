/**
 * What every service shares: the Javalin setup, the error shapes (OpenAI's, and Anthropic's on its native routes), and
 * the writer that relays complete answers and server-sent event streams.
 */
package dev.smartflow.server.http;
