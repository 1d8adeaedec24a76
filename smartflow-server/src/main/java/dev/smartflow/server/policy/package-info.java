/** The policy service (port 7782); its API arrives with its own issue. */
package dev.smartflow.server.policy;
