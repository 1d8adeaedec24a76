/**
 * Who may call: {@link dev.smartflow.core.keys.AuthStage} and the {@link dev.smartflow.core.keys.Authenticator}s behind
 * it: the master key and virtual keys ({@link dev.smartflow.core.keys.VirtualKeys} issues them,
 * {@link dev.smartflow.core.keys.VirtualKeyAuthenticator} accepts them).
 */
package dev.smartflow.core.keys;
