/** The compliance service (port 7777); its API arrives with its own issue. */
package dev.smartflow.server.compliance;
