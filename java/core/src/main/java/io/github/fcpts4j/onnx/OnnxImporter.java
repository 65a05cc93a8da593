package io.github.fcpts4j.onnx;

import ai.onnx.proto.OnnxMl;

import com.google.protobuf.InvalidProtocolBufferException;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.Attributes;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.ir.ops.Ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX model (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}) into
 * the IR. Constant nodes become initializers; Identity and inference Dropout
 * disappear; Clip's opset-6 min/max attributes become constant inputs; shape
 * subgraphs fold into constants ({@link ShapeFolder}); the HardSwish patterns
 * of exporters become HardSwish ({@link HardSwishFusion}). Every
 * unsupported node is reported in one error (name, op type, opset) together
 * with the supported set. The file is only read, never written.
 */
public final class OnnxImporter {
    public static final int MIN_OPSET = 9;
    public static final int MAX_OPSET = 21;
    /** Ops that only quantized graphs have: such a model gets one clear error instead of a list. */
    private static final Set<String> QUANTIZED = Set.of("QuantizeLinear", "DequantizeLinear", "QLinearConv",
            "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear", "QLinearAdd", "QLinearMul",
            "QLinearConcat", "QLinearGlobalAveragePool", "QLinearSigmoid", "QLinearLeakyRelu", "QGemm");
    private static final Set<String> REMOVED = Set.of("Identity", "Dropout", "Constant");

    private OnnxImporter() {
    }

    public static OnnxModel read(Path file) {
        return read(file, Map.of());
    }

    /**
     * Reads a model; {@code inputShapes} fixes the shapes of graph inputs whose
     * non-batch dimensions are symbolic (needed to fold shape subgraphs then).
     */
    public static OnnxModel read(Path file, Map<String, long[]> inputShapes) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "model file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "cannot read model file " + file + ": " + e, e);
        }
        OnnxMl.ModelProto proto;
        try {
            proto = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, file + " is not a valid ONNX model (corrupt or "
                    + "truncated file): " + e.getMessage(), e);
        }
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, file + " is not an ONNX model: it holds no graph "
                    + "with nodes (" + bytes.length + " bytes)");
        }
        return fromProto(proto, file.toString(), inputShapes);
    }

    /** Converts a parsed model; {@code origin} names it in error messages. */
    static OnnxModel fromProto(OnnxMl.ModelProto proto, String origin, Map<String, long[]> inputShapes) {
        int opset = opset(proto, origin);
        OnnxMl.GraphProto g = proto.getGraph();
        List<String> unsupported = new ArrayList<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            boolean known = OpType.fromOnnx(n.getOpType()) != null || REMOVED.contains(n.getOpType())
                    || ShapeFolder.FOLDABLE.contains(n.getOpType());
            if (!defaultDomain || !known) {
                unsupported.add("'" + n.getName() + "' (" + (defaultDomain ? "" : n.getDomain() + ":") + n.getOpType()
                        + ", opset " + opset + ")");
            }
        }
        List<String> quantized = g.getNodeList().stream().map(OnnxMl.NodeProto::getOpType)
                .filter(QUANTIZED::contains).distinct().sorted().toList();
        if (!quantized.isEmpty()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, origin + " is a quantized model (it has "
                    + String.join(", ", quantized) + "); fcpts4j prunes float models: give it the float (fp32 or "
                    + "fp16) export of the network");
        }
        if (!unsupported.isEmpty()) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, origin + ": " + unsupported.size()
                    + " unsupported node(s): " + String.join(", ", unsupported) + ". Supported: "
                    + String.join(", ", OpType.onnxNames()) + ", plus Identity, Dropout and Constant, and "
                    + String.join(", ", new java.util.TreeSet<>(ShapeFolder.FOLDABLE)) + " on shape tensors.");
        }

        Map<String, TensorData> initializers = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), OnnxTensors.read(t, origin));
        }
        for (OnnxMl.SparseTensorProto t : g.getSparseInitializerList()) {
            initializers.put(t.getValues().getName(), SparseInitializers.read(t, origin));
        }
        Map<String, String> constantOrigin = new HashMap<>();
        Map<String, String> alias = new HashMap<>();
        List<ValueInfo> inputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(valueInfo(v, origin, inputShapes.get(v.getName())));
            }
        }
        Map<String, TensorData> constants = new HashMap<>(initializers);
        Map<String, long[]> shapes = new HashMap<>();
        boolean shapesKnown = true;
        for (ValueInfo in : inputs) {
            long[] s = in.shape();
            for (int i = 0; i < s.length; i++) {
                shapesKnown &= s[i] >= 0 || i == 0;
                s[i] = s[i] < 0 && i == 0 ? ShapeFolder.BATCH : s[i];
            }
            shapes.put(in.name(), s);
        }
        ShapeFolder folder = new ShapeFolder(constants, shapes, opset, origin);
        Set<String> graphOutputs = new HashSet<>();
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        List<Node> nodes = new ArrayList<>();
        int index = 0;
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            String name = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
            index++;
            String where = origin + ": node '" + name + "' (" + n.getOpType() + ")";
            List<String> nodeInputs = inputs(n, alias);
            if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, where + " has no output");
            }
            if (folder.canFold(n, nodeInputs)) {
                List<TensorData> folded = folder.foldAll(n, nodeInputs,
                        OnnxTensors.readAttributes(n.getAttributeList(), where));
                for (int o = 0; o < folded.size(); o++) {
                    constants.put(n.getOutput(o), folded.get(o));
                }
                continue;
            }
            TensorData first = nodeInputs.isEmpty() ? null : constants.get(nodeInputs.get(0));
            boolean onData = OpType.fromOnnx(n.getOpType()) != null && !nodeInputs.isEmpty()
                    && (first == null || first.isFloat());
            if (ShapeFolder.FOLDABLE.contains(n.getOpType()) && !onData) {
                throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": cannot fold this shape computation"
                        + (shapesKnown ? "" : "; the model has symbolic input dimensions, give them with --input-shape"));
            }
            switch (n.getOpType()) {
                case "Constant" -> {
                    TensorData value = constantValue(n, where);
                    initializers.put(n.getOutput(0), value);
                    constants.put(n.getOutput(0), value);
                    constantOrigin.put(n.getOutput(0), n.getName());
                }
                case "Identity", "Dropout" -> {
                    if (nodeInputs.isEmpty() || nodeInputs.get(0).isEmpty()) {
                        throw new FcptsException(ErrorCode.INVALID_MODEL, where + " has no input");
                    }
                    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                        throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where
                                + ": the dropout mask output is used; export the model in inference mode");
                    }
                    if (graphOutputs.contains(n.getOutput(0))) {
                        renameProducer(nodes, nodeInputs.get(0), n.getOutput(0), alias, where);
                    } else {
                        alias.put(n.getOutput(0), nodeInputs.get(0));
                    }
                }
                default -> {
                    OpType op = OpType.fromOnnx(n.getOpType());
                    Attributes attributes = OnnxTensors.readAttributes(n.getAttributeList(), where);
                    Map<String, TensorData> added = new LinkedHashMap<>();
                    Node node = Ops.of(op).fromOpset(new Node(name, op, nodeInputs, n.getOutputList(), attributes),
                            opset, added);
                    initializers.putAll(added);
                    constants.putAll(added);
                    adoptFoldedConstants(node, constants, initializers, where);
                    nodes.add(node);
                    if (shapesKnown) {
                        folder.propagate(node);
                    }
                }
            }
        }
        List<ValueInfo> outputs = g.getOutputList().stream().map(v -> valueInfo(v, origin, null)).toList();
        nodes = HardSwishFusion.apply(nodes, constants, graphOutputs);
        nodes = LayerNormFusion.apply(nodes, constants, shapes, graphOutputs, initializers);
        Graph graph = new Graph(g.getName().isEmpty() ? "main" : g.getName(), inputs, outputs, nodes, initializers);
        return new OnnxModel(graph, opset, proto, constantOrigin);
    }

    private static List<String> inputs(OnnxMl.NodeProto n, Map<String, String> alias) {
        return n.getInputList().stream().map(i -> alias.getOrDefault(i, i)).toList();
    }

    /**
     * A compute node reading a folded constant gets it as an initializer; a
     * folded shape input (a Reshape target) keeps the batch dynamic (see {@link ShapeFolder}).
     */
    private static void adoptFoldedConstants(Node node, Map<String, TensorData> constants,
                                             Map<String, TensorData> initializers, String where) {
        List<String> ins = node.inputs();
        for (int i = 0; i < ins.size(); i++) {
            String in = ins.get(i);
            if (in.isEmpty() || initializers.containsKey(in) || !constants.containsKey(in)) {
                continue;
            }
            TensorData value = constants.get(in);
            if (Ops.of(node.op()).shapeInput(i)) {
                if (value.isFloat()) {
                    throw new FcptsException(ErrorCode.INVALID_MODEL, where + ": shape input '" + in + "' is "
                            + value + ", expected an int64 vector");
                }
                value = ShapeFolder.reshapeTarget(value);
                if (value == null) {
                    throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": the reshape target uses the "
                            + "batch size outside its first entry; give a fixed --input-shape");
                }
            }
            initializers.put(in, value);
        }
    }

    private static int opset(OnnxMl.ModelProto proto, String origin) {
        for (OnnxMl.OperatorSetIdProto id : proto.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                long v = id.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, origin + ": opset " + v
                            + " is outside the supported range " + MIN_OPSET + " to " + MAX_OPSET);
                }
                return (int) v;
            }
        }
        throw new FcptsException(ErrorCode.INVALID_MODEL, origin + ": the model imports no default-domain opset");
    }

    private static TensorData constantValue(OnnxMl.NodeProto n, String where) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return OnnxTensors.read(a.getT(), where);
                case "value_float":
                    return TensorData.ofFloats(new long[0], new float[] {a.getF()});
                case "value_floats": {
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = a.getFloats(i);
                    }
                    return TensorData.ofFloats(new long[] {f.length}, f);
                }
                case "value_int":
                    return TensorData.ofLongs(DataType.INT64, new long[0], new long[] {a.getI()});
                case "value_ints":
                    return TensorData.int64Vector(a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                default:
                    break;
            }
        }
        throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": Constant without a numeric value");
    }

    /** Graph output produced through Identity: the producing node writes the graph output's name directly. */
    private static void renameProducer(List<Node> nodes, String from, String to, Map<String, String> alias,
                                       String where) {
        for (int i = 0; i < nodes.size(); i++) {
            Node p = nodes.get(i);
            int k = p.outputs().indexOf(from);
            if (k >= 0) {
                List<String> outs = new ArrayList<>(p.outputs());
                outs.set(k, to);
                nodes.set(i, new Node(p.name(), p.op(), p.inputs(), outs, p.attributes()));
                for (int j = i + 1; j < nodes.size(); j++) {
                    Node c = nodes.get(j);
                    if (c.inputs().contains(from)) {
                        nodes.set(j, new Node(c.name(), c.op(), c.inputs().stream().map(s -> s.equals(from) ? to : s)
                                .toList(), c.outputs(), c.attributes()));
                    }
                }
                alias.put(from, to);
                return;
            }
        }
        throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, where + ": a graph output that copies a graph input "
                + "or initializer ('" + from + "') is not supported");
    }

    private static ValueInfo valueInfo(OnnxMl.ValueInfoProto v, String origin, long[] given) {
        OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
        DataType type = DataType.fromOnnx(t.getElemType());
        if (type == null) {
            throw new FcptsException(ErrorCode.UNSUPPORTED_MODEL, origin + ": graph value '" + v.getName()
                    + "' has ONNX element type " + t.getElemType());
        }
        long[] shape = t.getShape().getDimList().stream()
                .mapToLong(d -> d.hasDimValue() ? d.getDimValue() : -1).toArray();
        // -1 is how some exporters (Paddle2ONNX) write an unknown dimension; other negative ones are errors
        if (java.util.Arrays.stream(shape).anyMatch(d -> d < -1)) {
            throw new FcptsException(ErrorCode.INVALID_MODEL, origin + ": graph value '" + v.getName()
                    + "' has a negative dimension " + java.util.Arrays.toString(shape) + " (-1 marks an unknown one)");
        }
        if (given != null) {
            if (given.length != shape.length || java.util.Arrays.stream(given).skip(1).anyMatch(d -> d < 0)) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, origin + ": --input-shape for '" + v.getName()
                        + "' is " + java.util.Arrays.toString(given) + ", the model declares "
                        + java.util.Arrays.toString(shape) + " (same rank, no negative dimension)");
            }
            for (int i = 1; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? given[i] : shape[i];
            }
        }
        // with the batch at its folding placeholder, the element count must fit a long (ShapeInference's bound)
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = shape[i] < 0 && i == 0 ? ShapeFolder.BATCH : Math.max(shape[i], 1);
            if (count > ShapeInference.MAX_ELEMENTS / d) {
                throw new FcptsException(ErrorCode.INVALID_MODEL, origin + ": graph value '" + v.getName()
                        + "' has shape " + java.util.Arrays.toString(shape) + ", more than 2^62 elements");
            }
            count *= d;
        }
        return new ValueInfo(v.getName(), type, shape);
    }
}
