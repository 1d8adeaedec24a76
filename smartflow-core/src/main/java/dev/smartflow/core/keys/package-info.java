/**
 * Who may call: {@link dev.smartflow.core.keys.AuthStage} and the {@link dev.smartflow.core.keys.Authenticator}s behind
 * it (the master key today; virtual keys slot in as another authenticator).
 */
package dev.smartflow.core.keys;
