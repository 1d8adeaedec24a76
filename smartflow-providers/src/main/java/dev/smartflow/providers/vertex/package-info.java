/**
 * The Vertex AI adapter: Gemini and Claude models on Google Cloud, served through the Gemini and Anthropic protocols
 * of this module with Vertex's URLs and credentials (an API key, or a service account's OAuth tokens).
 */
package dev.smartflow.providers.vertex;
