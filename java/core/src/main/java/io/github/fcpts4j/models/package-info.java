/**
 * Internal: the example architectures, the network builder and the trainer behind {@code fcpts train}. Not part
 * of the public API.
 */
package io.github.fcpts4j.models;
