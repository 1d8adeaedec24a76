/**
 * Layer 1: validating recognizers for personal data and secrets, run in one pass by
 * {@link dev.smartflow.compliance.detect.Detector}; each {@link dev.smartflow.compliance.detect.Finding} names an
 * {@link dev.smartflow.compliance.detect.EntityType}, a span and a score.
 */
package dev.smartflow.compliance.detect;
