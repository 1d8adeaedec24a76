/**
 * The MCP tool gateway, a server module: a registry of upstream MCP servers (Streamable HTTP, stdio, or the operations
 * of an OpenAPI spec), served to MCP clients of every spec revision through the same keys, budgets, access control and
 * audit as LLM calls. {@link dev.smartflow.mcp.McpModule} installs it.
 */
package dev.smartflow.mcp;
