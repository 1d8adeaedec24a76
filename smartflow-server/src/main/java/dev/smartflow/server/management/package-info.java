/** The management API (port 7778), behind the master key. */
package dev.smartflow.server.management;
