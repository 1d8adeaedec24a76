/**
 * The admin dashboard ({@code /dashboard/} on the management port) and SafeChat ({@code /safechat/} on the proxy
 * port) as a server module: {@link dev.smartflow.dashboard.DashboardModule}. Users and roles live in the database's
 * {@link dev.smartflow.core.spi.UserStore}; a login sets the {@code smartflow_token} cookie, an HS256 JWT that the
 * admin APIs accept beside the master key (with a CSRF token on every change).
 */
package dev.smartflow.dashboard;
