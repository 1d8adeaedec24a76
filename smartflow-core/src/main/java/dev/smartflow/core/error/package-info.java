/**
 * The errors Smartflow reports: {@link dev.smartflow.core.error.SmartflowException} and its sealed subclasses, each
 * with an HTTP status and an OpenAI error type, so the server maps them with one exhaustive switch.
 */
package dev.smartflow.core.error;
