/**
 * What tests of every module share: {@link dev.smartflow.testkit.FakeClock}, one abstract contract suite per SPI
 * ({@link dev.smartflow.testkit.SharedStateContract}, {@link dev.smartflow.testkit.DatabaseContract}) that each
 * implementation's test extends, and for outage tests a {@link dev.smartflow.testkit.TcpProxy} to cut between a client
 * and a real server, with {@link dev.smartflow.testkit.Await} for what happens in the background.
 */
package dev.smartflow.testkit;
