/**
 * The Replicate adapter: chat with Replicate's language models through predictions (waited for, polled or streamed),
 * the conversation rendered to the models' {@code prompt} and {@code system_prompt} inputs.
 */
package dev.smartflow.providers.replicate;
