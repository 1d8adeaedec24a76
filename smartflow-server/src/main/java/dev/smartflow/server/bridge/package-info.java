/** The bridge service (port 3500); its API arrives with its own issue. */
package dev.smartflow.server.bridge;
