/**
 * Internal: the graph IR (nodes, constant tensors, value infos), shape inference and layer costs. Not part of the
 * public API.
 */
package io.github.fcpts4j.ir;
