/**
 * The server shell: {@link dev.smartflow.server.Main} ({@code smartflow serve}),
 * {@link dev.smartflow.server.ServerConfig} (defaults, YAML, environment) and
 * {@link dev.smartflow.server.SmartflowServer}, which starts the five services over one pipeline. No business logic
 * lives here: handlers parse, call the pipeline, write.
 */
package dev.smartflow.server;
