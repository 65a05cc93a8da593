/**
 * The {@code fcpts} command line (picocli): prune, bench, export, inspect, check, train, eval, backends. Its entry
 * point is {@link io.github.fcpts4j.cli.FcptsCli#main}; the commands are package-private.
 */
package io.github.fcpts4j.cli;
