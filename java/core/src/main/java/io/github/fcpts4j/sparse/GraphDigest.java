package io.github.fcpts4j.sparse;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of a model for {@link PlanChoices}: SHA-256 (hex) over its nodes in order (name, op, attributes as
 * {@link io.github.fcpts4j.ir.Attributes#toString} writes them, inputs, outputs) and its initializers sorted by name
 * (name, type, dims, then every element: floats as their IEEE bits, integers as int64, little-endian). The same graph
 * read from a renamed or re-saved file has the same digest; pruning one more weight, or any other change of a weight,
 * changes it.
 */
final class GraphDigest {
    private GraphDigest() {
    }

    static String sha256(Graph graph) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        for (Node n : graph.nodes()) {
            text(md, "node " + n.name() + " " + n.op() + " " + n.attributes() + " " + n.inputs() + " -> "
                    + n.outputs());
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, TensorData> e : new TreeMap<>(graph.initializers()).entrySet()) {
            TensorData t = e.getValue();
            text(md, "initializer " + e.getKey() + " " + t);
            long[] ints = t.isFloat() ? null : t.longs();
            for (int i = 0; i < t.size(); i++) {
                if (buf.remaining() < Long.BYTES) {
                    md.update(buf.flip());
                    buf.clear();
                }
                if (ints == null) {
                    buf.putInt(Float.floatToRawIntBits((float) t.get(i)));
                } else {
                    buf.putLong(ints[i]);
                }
            }
            md.update(buf.flip());
            buf.clear();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void text(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
    }
}
