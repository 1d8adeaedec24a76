/**
 * Core's SPIs on Redis through Lettuce: {@link dev.smartflow.store.redis.RedisSharedState}, the
 * {@link dev.smartflow.core.spi.SharedState} that several gateway instances share.
 */
package dev.smartflow.store.redis;
