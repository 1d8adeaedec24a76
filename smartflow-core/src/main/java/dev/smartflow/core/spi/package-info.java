/**
 * The service-provider interfaces that deployments and later modules implement: {@link dev.smartflow.core.spi.Provider}
 * for each wire protocol.
 */
package dev.smartflow.core.spi;
