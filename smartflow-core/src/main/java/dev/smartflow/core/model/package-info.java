/**
 * Typed views of the OpenAI-shaped requests and answers that the in-process API takes and returns: each keeps the
 * whole JSON, so fields Smartflow does not model still reach the caller.
 */
package dev.smartflow.core.model;
