/**
 * Smartflow as a library: {@link dev.smartflow.core.Smartflow} (built by its builder) runs every call through a
 * {@link dev.smartflow.core.Pipeline} of {@link dev.smartflow.core.Stage}s, as OkHttp runs a call through interceptors.
 */
package dev.smartflow.core;
