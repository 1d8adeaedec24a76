/**
 * Which provider serves a call: {@link dev.smartflow.core.routing.ModelResolver},
 * {@link dev.smartflow.core.routing.RouteStage} and {@link dev.smartflow.core.routing.ModelsStage}.
 */
package dev.smartflow.core.routing;
