/**
 * What tests of every module share: {@link dev.smartflow.testkit.FakeClock}, and one abstract contract suite per SPI
 * ({@link dev.smartflow.testkit.SharedStateContract}, {@link dev.smartflow.testkit.DatabaseContract}) that each
 * implementation's test extends.
 */
package dev.smartflow.testkit;
