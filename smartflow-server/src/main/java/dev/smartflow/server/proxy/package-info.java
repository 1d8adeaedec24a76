/** The LLM proxy (port 7775): the OpenAI-compatible routes and Anthropic's native Messages routes. */
package dev.smartflow.server.proxy;
