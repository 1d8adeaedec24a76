/** Request shape checks that turn bad input into clear 400s: {@link dev.smartflow.core.validation.ValidationStage}. */
package dev.smartflow.core.validation;
