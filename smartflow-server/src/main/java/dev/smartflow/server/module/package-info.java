/**
 * What modules share beyond the seam itself: {@link dev.smartflow.server.module.SecretBox} seals upstream credentials
 * at rest, {@link dev.smartflow.server.module.LiveSnapshot} keeps durable records current on every instance.
 */
package dev.smartflow.server.module;
