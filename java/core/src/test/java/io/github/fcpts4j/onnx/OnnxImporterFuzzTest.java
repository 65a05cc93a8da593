package io.github.fcpts4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;

import com.google.protobuf.ByteString;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.ir.DataType;
import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.OpType;
import io.github.fcpts4j.ir.ShapeInference;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.ir.ValueInfo;
import io.github.fcpts4j.testing.CorpusModels;
import io.github.fcpts4j.testing.Fuzz;
import io.github.fcpts4j.testing.TestData;
import io.github.fcpts4j.testing.TestNets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the ONNX importer (see {@link Fuzz} for seeds, replay and the allocation guard). Seeds:
 * the shipped example models, two generated nets that together hold every IR op, a hand-built model with
 * the constructs only imports have (folded shape subgraphs, Constant, Dropout, Clip with constant bounds, a sparse
 * initializer), and the corpus models already extracted under {@code target/corpus} that are small enough
 * (none is fetched for this test). File cases mutate the bytes and go through {@link OnnxImporter#read};
 * model cases edit the parsed protobuf (nodes, edges, initializers, dims, types, raw data, attributes,
 * opsets) and go through {@link OnnxImporter#fromProto}. Each case imports, or is refused with
 * INVALID_MODEL or UNSUPPORTED_MODEL (INVALID_ARGUMENT only where the case passes input shapes); an
 * imported graph whose input shapes are all known must then pass {@link ShapeInference} with a shape for
 * every output. Which seed a case mutates depends on how many there are, so a replay needs the same corpus
 * files present (the seeds are printed).
 */
class OnnxImporterFuzzTest {
    private static final int FILE_CASES = 300;
    private static final int MODEL_CASES = 1000;
    /** Corpus models above this size cost too much per case; the two shipped models are 0.4 and 1.1 MB. */
    private static final long MAX_CORPUS_BYTES = 3L << 20;
    /**
     * An honest import of a seed (at most 3 MB) allocates under 130 MiB (a few copies of each weight); a
     * sparse initializer may expand to 2^27 floats (SparseInitializers.MAX_DENSE_ELEMENTS: 512 MiB, twice
     * with the copy TensorData keeps), so the bound is 1 GiB, far below what a lying dimension would take
     * (2^31 floats: 8 GiB).
     */
    private static final long ALLOCATION_LIMIT = 1L << 30;
    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.INVALID_MODEL, ErrorCode.UNSUPPORTED_MODEL);
    /** Where the case passes input shapes (a corpus seed's, or random ones), they may not fit: INVALID_ARGUMENT. */
    private static final Set<ErrorCode> WITH_SHAPES = Set.of(ErrorCode.INVALID_MODEL, ErrorCode.UNSUPPORTED_MODEL,
            ErrorCode.INVALID_ARGUMENT);

    private record Seed(String name, byte[] bytes, OnnxMl.ModelProto proto, Map<String, long[]> shapes) {
    }

    private static final List<Seed> SEEDS = new ArrayList<>();

    @BeforeAll
    static void seeds(@TempDir Path dir) throws Exception {
        for (String name : List.of("resnet20_fashion_mnist.onnx", "mobilenetv2_small_fashion_mnist.onnx")) {
            seed(name, Files.readAllBytes(Path.of("../../examples/models", name)), Map.of());
        }
        Path allOps = dir.resolve("all_ops.onnx"), realOps = dir.resolve("real_ops.onnx");
        OnnxExporter.write(TestNets.allOpsNet(1), allOps);
        OnnxExporter.write(TestNets.realModelOpsNet(2), realOps);
        seed("all_ops", Files.readAllBytes(allOps), Map.of());
        // its Resize sizes fix the batch at 2, so the file declares it (the exporter writes it symbolic)
        OnnxMl.ModelProto.Builder real = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(realOps)).toBuilder();
        real.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(0).setDimValue(2);
        seed("real_model_ops", real.build().toByteArray(), Map.of());
        seed("import_constructs", importConstructs().toByteArray(), Map.of());
        for (CorpusModels.Model m : CorpusModels.ALL) {
            Path dirOf = CorpusModels.directory().resolve(m.source().name().toLowerCase())
                    .resolve(m.pkg().replace(':', '_'));
            Path file = dirOf.resolve(Path.of(m.entry()).getFileName());
            if (Files.isRegularFile(file) && Files.size(file) <= MAX_CORPUS_BYTES) {
                seed("corpus:" + m.id(), Files.readAllBytes(file), m.inputShapes());
            }
        }
        System.out.println("[fuzz] onnx seeds: " + SEEDS.stream().map(s -> s.name() + " (" + s.bytes().length
                + " bytes)").toList());
    }

    private static void seed(String name, byte[] bytes, Map<String, long[]> shapes) throws Exception {
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(bytes);
        checkImported(OnnxImporter.fromProto(proto, name, shapes).graph(), shapes);  // every seed imports as is
        SEEDS.add(new Seed(name, bytes, proto, shapes));
    }

    @Test
    void mutatedFilesImportOrAreRefusedWithATypedError(@TempDir Path dir) throws Exception {
        Fuzz.Run run = new Fuzz.Run("onnx-file", REFUSALS, ALLOCATION_LIMIT);
        Fuzz.Run withShapes = new Fuzz.Run("onnx-file-with-input-shapes", WITH_SHAPES, ALLOCATION_LIMIT);
        Path file = dir.resolve("case.onnx");
        for (int i = 0; i < Fuzz.cases(FILE_CASES); i++) {
            if (!Fuzz.selected(i)) {
                continue;
            }
            Random r = Fuzz.random("onnx-file", run.seed(), i);
            Seed seed = SEEDS.get(r.nextInt(SEEDS.size()));
            StringBuilder what = new StringBuilder(seed.name()).append(": ");
            byte[] bytes = switch (r.nextInt(4)) {
                case 0 -> Fuzz.flipBits(seed.bytes(), r, 1 + r.nextInt(16), what);
                case 1 -> Fuzz.truncate(seed.bytes(), r.nextInt(seed.bytes().length), what);
                case 2 -> Fuzz.deleteOrDuplicateSlice(seed.bytes(), r, 64, what);
                default -> r.nextBoolean() ? Fuzz.truncate(seed.bytes(), r.nextInt(64), what)
                        : Fuzz.flipBits(Fuzz.truncate(seed.bytes(), r.nextInt(seed.bytes().length), what), r, 4,
                        what.append(", "));
            };
            Files.write(file, bytes);
            (seed.shapes().isEmpty() ? run : withShapes).check(i, what.toString(), null,
                    () -> checkImported(OnnxImporter.read(file, seed.shapes()).graph(), seed.shapes()));
        }
        Fuzz.finish(run, withShapes);
    }

    @Test
    void mutatedModelsImportOrAreRefusedWithATypedError() {
        Fuzz.Run run = new Fuzz.Run("onnx-model", REFUSALS, ALLOCATION_LIMIT);
        Fuzz.Run withShapes = new Fuzz.Run("onnx-model-with-input-shapes", WITH_SHAPES, ALLOCATION_LIMIT);
        for (int i = 0; i < Fuzz.cases(MODEL_CASES); i++) {
            if (!Fuzz.selected(i)) {
                continue;
            }
            Random r = Fuzz.random("onnx-model", run.seed(), i);
            Seed seed = SEEDS.get(r.nextInt(SEEDS.size()));
            OnnxMl.ModelProto.Builder m = seed.proto().toBuilder();
            List<String> what = new ArrayList<>();
            int count = 1 + (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
            for (int k = 0; k < count; k++) {
                what.add(mutate(m, r));
            }
            Map<String, long[]> shapes = seed.shapes();
            if (r.nextInt(8) == 0 && m.getGraph().getInputCount() > 0) {
                shapes = givenShapes(m.getGraph(), r);
                what.add("input shapes " + describe(shapes));
            }
            boolean given = !shapes.isEmpty();
            OnnxMl.ModelProto mutated = m.build();
            Map<String, long[]> inputShapes = shapes;
            (given ? withShapes : run).check(i, seed.name() + ": " + String.join("; ", what), null,
                    () -> checkImported(OnnxImporter.fromProto(mutated, seed.name(), inputShapes).graph(),
                            inputShapes));
        }
        Fuzz.finish(run, withShapes);
    }

    /** A tensor claiming 2^40 elements with a few bytes of data is refused by its size, before any allocation. */
    @Test
    void aTensorClaimingTwoToTheFortyElementsIsRefusedBeforeAllocating() {
        for (int type : new int[] {1, 7, 10, 11}) {
            OnnxMl.TensorProto t = OnnxMl.TensorProto.newBuilder().setName("huge").setDataType(type)
                    .addDims(1L << 20).addDims(1L << 20).setRawData(ByteString.copyFrom(new byte[16])).build();
            FcptsException e = assertThrows(FcptsException.class, () -> OnnxTensors.read(t, "m.onnx"));
            assertEquals(ErrorCode.INVALID_MODEL, e.code());
            assertTrue(e.getMessage().contains("tensor 'huge'"), e.getMessage());
        }
        OnnxMl.TensorProto typed = OnnxMl.TensorProto.newBuilder().setName("big").setDataType(1).addDims(1L << 30)
                .addFloatData(1f).build();
        FcptsException e = assertThrows(FcptsException.class, () -> OnnxTensors.read(typed, "m.onnx"));
        assertTrue(e.getMessage().contains("tensor 'big' has 1 values, its shape [1073741824] needs 1073741824"),
                e.getMessage());
    }

    /** An imported graph is consistent: with every input shape known, shape inference reaches every output. */
    private static void checkImported(Graph g, Map<String, long[]> given) {
        Map<String, long[]> inputs = new HashMap<>();
        for (ValueInfo in : g.inputs()) {
            long[] s = in.shape();
            for (int d = 0; d < s.length; d++) {
                if (s[d] < 0 && d == 0) {
                    s[d] = 1;
                } else if (s[d] < 0) {
                    return;  // symbolic: the importer could not check it either
                }
            }
            inputs.put(in.name(), s);
        }
        Map<String, long[]> shapes = ShapeInference.infer(g, inputs);
        for (ValueInfo out : g.outputs()) {
            if (!shapes.containsKey(out.name())) {
                throw new AssertionError("imported graph: no shape for output '" + out.name() + "'");
            }
        }
    }

    private static Map<String, long[]> givenShapes(OnnxMl.GraphProto g, Random r) {
        OnnxMl.ValueInfoProto in = g.getInput(r.nextInt(g.getInputCount()));
        long[] s = new long[in.getType().getTensorType().getShape().getDimCount() + (r.nextInt(6) == 0 ? 1 : 0)];
        for (int d = 0; d < s.length; d++) {
            s[d] = r.nextInt(3) == 0 ? Fuzz.oddSize(r, 8) : 1 + r.nextInt(40);
        }
        return Map.of(in.getName(), s);
    }

    private static String describe(Map<String, long[]> shapes) {
        StringBuilder sb = new StringBuilder();
        shapes.forEach((k, v) -> sb.append(k).append('=').append(Arrays.toString(v)));
        return sb.toString();
    }

    private static final List<String> OP_NAMES;

    static {
        Set<String> names = new TreeSet<>(OpType.onnxNames());
        names.addAll(ShapeFolder.FOLDABLE);
        names.addAll(List.of("Identity", "Dropout", "Constant", "LSTM", "QLinearConv", ""));
        OP_NAMES = List.copyOf(names);
    }

    /** Applies one random edit to the model; returns what it did. */
    private static String mutate(OnnxMl.ModelProto.Builder m, Random r) {
        OnnxMl.GraphProto.Builder g = m.getGraphBuilder();
        int nodes = g.getNodeCount();
        int n = nodes == 0 ? -1 : r.nextInt(nodes);
        switch (r.nextInt(22)) {
            case 0: {
                if (n < 0 || g.getNode(n).getInputCount() == 0) {
                    return "nothing (no node input to remove)";
                }
                OnnxMl.NodeProto.Builder b = g.getNodeBuilder(n);
                int k = r.nextInt(b.getInputCount());
                List<String> ins = new ArrayList<>(b.getInputList());
                String removed = ins.remove(k);
                b.clearInput().addAllInput(ins);
                return "node " + n + ": input " + k + " ('" + removed + "') removed";
            }
            case 1: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                int to = r.nextInt(nodes + 1);
                g.addNode(to, g.getNode(n));
                return "node " + n + " duplicated at " + to;
            }
            case 2: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                g.removeNode(n);
                return "node " + n + " deleted";
            }
            case 3: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                OnnxMl.NodeProto moved = g.getNode(n);
                g.removeNode(n);
                int to = r.nextInt(nodes);
                g.addNode(to, moved);
                return "node " + n + " moved to " + to;
            }
            case 4: {
                if (g.getInitializerCount() == 0) {
                    return "nothing (no initializer)";
                }
                int k = r.nextInt(g.getInitializerCount());
                String name = g.getInitializer(k).getName();
                g.removeInitializer(k);
                return "initializer '" + name + "' deleted";
            }
            case 5: {
                int which = r.nextInt(3);
                if (which == 0) {
                    g.clearValueInfo();
                    return "value_info removed";
                }
                if (which == 1 && g.getInputCount() > 0) {
                    int k = r.nextInt(g.getInputCount());
                    g.removeInput(k);
                    return "graph input " + k + " removed";
                }
                if (g.getOutputCount() > 0) {
                    int k = r.nextInt(g.getOutputCount());
                    g.removeOutput(k);
                    return "graph output " + k + " removed";
                }
                return "nothing (no graph output)";
            }
            case 6: {
                if (g.getInitializerCount() == 0) {
                    return "nothing (no initializer)";
                }
                int k = r.nextInt(g.getInitializerCount());
                OnnxMl.TensorProto.Builder t = g.getInitializerBuilder(k);
                return "initializer '" + t.getName() + "': " + editDims(t, r);
            }
            case 7: {
                boolean input = r.nextBoolean() || g.getOutputCount() == 0;
                if (input && g.getInputCount() == 0) {
                    return "nothing (no graph input)";
                }
                OnnxMl.ValueInfoProto.Builder v = input ? g.getInputBuilder(r.nextInt(g.getInputCount()))
                        : g.getOutputBuilder(r.nextInt(g.getOutputCount()));
                OnnxMl.TensorShapeProto.Builder shape = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                if (shape.getDimCount() == 0 || r.nextInt(5) == 0) {
                    shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(r.nextInt(5)));
                    return "graph value '" + v.getName() + "': a dim added";
                }
                int d = r.nextInt(shape.getDimCount());
                if (r.nextInt(4) == 0) {
                    shape.getDimBuilder(d).setDimParam("sym");
                    return "graph value '" + v.getName() + "': dim " + d + " symbolic";
                }
                long size = Fuzz.oddSize(r, shape.getDim(d).getDimValue());
                shape.getDimBuilder(d).setDimValue(size);
                return "graph value '" + v.getName() + "': dim " + d + " = " + size;
            }
            case 8: {
                OnnxMl.TensorProto.Builder t = anyTensor(g, r);
                if (t == null) {
                    return "nothing (no tensor)";
                }
                int type = r.nextInt(5) == 0 ? 99 + r.nextInt(1000) : r.nextInt(17);
                t.setDataType(type);
                return "tensor '" + t.getName() + "': data_type " + type;
            }
            case 9: {
                OnnxMl.TensorProto.Builder t = anyTensor(g, r);
                if (t == null) {
                    return "nothing (no tensor)";
                }
                return "tensor '" + t.getName() + "': " + editData(t, r);
            }
            case 10: {
                OnnxMl.AttributeProto.Builder a = anyAttribute(g, r);
                if (a == null) {
                    return "nothing (no attribute)";
                }
                OnnxMl.AttributeProto.AttributeType[] types = OnnxMl.AttributeProto.AttributeType.values();
                OnnxMl.AttributeProto.AttributeType type = types[r.nextInt(types.length - 1)];  // not UNRECOGNIZED
                a.setType(type);
                if (r.nextBoolean()) {
                    a.clearI().clearF().clearInts().clearFloats().clearS().clearT();
                }
                return "attribute '" + a.getName() + "': type " + type;
            }
            case 11: {
                OnnxMl.AttributeProto.Builder a = anyAttribute(g, r);
                if (a == null) {
                    return "nothing (no attribute)";
                }
                return "attribute '" + a.getName() + "': " + editAttribute(a, r);
            }
            case 12: {
                return editOpset(m, r);
            }
            case 13: {
                if (n < 0 || g.getNode(n).getInputCount() == 0) {
                    return "nothing (no node input)";
                }
                int k = r.nextInt(g.getNode(n).getInputCount());
                g.getNodeBuilder(n).setInput(k, "fuzz_dangling");
                return "node " + n + ": input " + k + " dangling";
            }
            case 14: {
                if (n < 0 || g.getNode(n).getInputCount() == 0) {
                    return "nothing (no node input)";
                }
                int k = r.nextInt(g.getNode(n).getInputCount());
                int from = r.nextBoolean() ? n : n + r.nextInt(nodes - n);
                if (g.getNode(from).getOutputCount() == 0) {
                    return "nothing (no output)";
                }
                String out = g.getNode(from).getOutput(0);
                g.getNodeBuilder(n).setInput(k, out);
                return "node " + n + ": input " + k + " reads '" + out + "' of node " + from + " (cycle)";
            }
            case 15: {
                if (n < 0 || g.getNode(n).getOutputCount() == 0) {
                    return "nothing (no node output)";
                }
                int k = r.nextInt(g.getNode(n).getOutputCount());
                String to = switch (r.nextInt(4)) {
                    case 0 -> "fuzz_renamed";
                    case 1 -> "";
                    case 2 -> g.getInitializerCount() > 0 ? g.getInitializer(0).getName() : "x";
                    default -> g.getNode(r.nextInt(nodes)).getOutputCount() > 0
                            ? g.getNode(r.nextInt(nodes)).getOutput(0) : "y";
                };
                g.getNodeBuilder(n).setOutput(k, to);
                return "node " + n + ": output " + k + " renamed '" + to + "'";
            }
            case 16: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                String op = OP_NAMES.get(r.nextInt(OP_NAMES.size()));
                String was = g.getNode(n).getOpType();
                g.getNodeBuilder(n).setOpType(op);
                return "node " + n + ": op " + was + " -> " + op;
            }
            case 17: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                String domain = List.of("com.example", "ai.onnx", "ai.onnx.ml", "com.microsoft").get(r.nextInt(4));
                g.getNodeBuilder(n).setDomain(domain);
                return "node " + n + ": domain " + domain;
            }
            case 18: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                OnnxMl.NodeProto.Builder b = g.getNodeBuilder(n);
                if (r.nextBoolean()) {
                    b.clearOutput();
                    return "node " + n + ": outputs removed";
                }
                b.addOutput("fuzz_extra_" + b.getOutputCount());
                return "node " + n + ": an output added";
            }
            case 19: {
                OnnxMl.TensorProto.Builder t = anyTensor(g, r);
                if (t == null) {
                    return "nothing (no tensor)";
                }
                t.setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
                return "tensor '" + t.getName() + "': external data";
            }
            case 20: {
                if (g.getInitializerCount() == 0) {
                    return "nothing (no initializer)";
                }
                int k = r.nextInt(g.getInitializerCount());
                OnnxMl.TensorProto t = g.getInitializer(k);
                g.removeInitializer(k);
                g.addSparseInitializer(randomSparse(t, r));
                return "initializer '" + t.getName() + "' made sparse";
            }
            default: {
                if (n < 0) {
                    return "nothing (no node)";
                }
                OnnxMl.NodeProto.Builder c = OnnxMl.NodeProto.newBuilder().setOpType("Constant")
                        .setName("fuzz_const").addOutput(g.getNode(n).getInputCount() > 0
                                ? g.getNode(n).getInput(0) : "fuzz_const_out");
                c.addAttribute(randomConstantValue(r));
                g.addNode(n, c);
                return "a Constant node before node " + n + " (" + c.getAttribute(0).getName() + ")";
            }
        }
    }

    private static OnnxMl.TensorProto.Builder anyTensor(OnnxMl.GraphProto.Builder g, Random r) {
        if (g.getInitializerCount() > 0 && r.nextInt(4) != 0) {
            return g.getInitializerBuilder(r.nextInt(g.getInitializerCount()));
        }
        for (int tries = 0; tries < 8 && g.getNodeCount() > 0; tries++) {
            OnnxMl.NodeProto.Builder n = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
            for (OnnxMl.AttributeProto.Builder a : n.getAttributeBuilderList()) {
                if (a.hasT()) {
                    return a.getTBuilder();
                }
            }
        }
        return g.getInitializerCount() > 0 ? g.getInitializerBuilder(0) : null;
    }

    private static OnnxMl.AttributeProto.Builder anyAttribute(OnnxMl.GraphProto.Builder g, Random r) {
        for (int tries = 0; tries < 16 && g.getNodeCount() > 0; tries++) {
            OnnxMl.NodeProto.Builder n = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
            if (n.getAttributeCount() > 0) {
                return n.getAttributeBuilder(r.nextInt(n.getAttributeCount()));
            }
        }
        return null;
    }

    private static String editDims(OnnxMl.TensorProto.Builder t, Random r) {
        if (t.getDimsCount() == 0 || r.nextInt(5) == 0) {
            long d = r.nextBoolean() ? Fuzz.oddSize(r, 1) : 1 + r.nextInt(4);
            t.addDims(d);
            return "dim " + d + " added";
        }
        int k = r.nextInt(t.getDimsCount());
        if (r.nextInt(5) == 0) {
            List<Long> dims = new ArrayList<>(t.getDimsList());
            dims.remove(k);
            t.clearDims().addAllDims(dims);
            return "dim " + k + " removed";
        }
        long size = Fuzz.oddSize(r, t.getDims(k));
        t.setDims(k, size);
        return "dim " + k + " = " + size;
    }

    private static String editData(OnnxMl.TensorProto.Builder t, Random r) {
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            switch (r.nextInt(4)) {
                case 0: {
                    int len = r.nextInt(raw.size() + 1);
                    t.setRawData(raw.substring(0, len));
                    return "raw_data cut " + raw.size() + " -> " + len + " bytes";
                }
                case 1: {
                    int extra = 1 + r.nextInt(16);
                    t.setRawData(raw.concat(ByteString.copyFrom(new byte[extra])));
                    return "raw_data " + extra + " bytes longer";
                }
                case 2:
                    t.clearRawData();
                    return "raw_data removed";
                default: {
                    t.clearRawData();
                    int count = r.nextInt(8);
                    for (int i = 0; i < count; i++) {
                        t.addFloatData(r.nextFloat()).addInt64Data(r.nextInt()).addInt32Data(r.nextInt())
                                .addDoubleData(r.nextDouble());
                    }
                    return "raw_data replaced by " + count + " typed values";
                }
            }
        }
        int count = r.nextInt(8);
        t.clearFloatData().clearInt32Data().clearInt64Data().clearDoubleData();
        for (int i = 0; i < count; i++) {
            t.addFloatData(r.nextFloat()).addInt64Data(r.nextInt()).addInt32Data(r.nextInt())
                    .addDoubleData(r.nextDouble());
        }
        if (r.nextBoolean()) {
            t.setRawData(ByteString.copyFrom(new byte[r.nextInt(32)]));
            return count + " typed values and raw_data of " + t.getRawData().size() + " bytes";
        }
        return "typed data replaced by " + count + " values";
    }

    private static String editAttribute(OnnxMl.AttributeProto.Builder a, Random r) {
        switch (a.getType()) {
            case INT -> {
                long v = r.nextBoolean() ? Fuzz.oddSize(r, a.getI()) : r.nextInt(9) - 4;
                a.setI(v);
                return "i = " + v;
            }
            case INTS -> {
                if (a.getIntsCount() == 0 || r.nextInt(4) == 0) {
                    int len = r.nextInt(6);
                    a.clearInts();
                    for (int i = 0; i < len; i++) {
                        a.addInts(r.nextInt(7) - 2);
                    }
                    return "ints of length " + len;
                }
                int k = r.nextInt(a.getIntsCount());
                long v = r.nextBoolean() ? Fuzz.oddSize(r, a.getInts(k)) : r.nextInt(9) - 4;
                a.setInts(k, v);
                return "ints[" + k + "] = " + v;
            }
            case FLOAT -> {
                float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, -1f, 0f, 1e30f, -0f};
                float v = odd[r.nextInt(odd.length)];
                a.setF(v);
                return "f = " + v;
            }
            case FLOATS -> {
                a.clearFloats();
                int len = r.nextInt(5);
                for (int i = 0; i < len; i++) {
                    a.addFloats(r.nextFloat() * 4 - 1);
                }
                return "floats of length " + len;
            }
            case STRING -> {
                String v = List.of("", "bogus", "NOTSET", "SAME_UPPER", "VALID", "nearest", "linear", "cubic",
                        "reflect", "edge", "align_corners").get(r.nextInt(11));
                a.setS(ByteString.copyFromUtf8(v));
                return "s = '" + v + "'";
            }
            case TENSOR -> {
                return "t: " + editDims(a.getTBuilder(), r);
            }
            default -> {
                return "nothing (type " + a.getType() + ")";
            }
        }
    }

    private static String editOpset(OnnxMl.ModelProto.Builder m, Random r) {
        long[] versions = {0, 1, 6, 8, 9, 10, 11, 12, 13, 17, 21, 22, 999, -1, Long.MAX_VALUE, 1L << 32};
        switch (r.nextInt(4)) {
            case 0: {
                m.clearOpsetImport();
                return "no opset";
            }
            case 1: {
                m.clearOpsetImport().addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.example")
                        .setVersion(1));
                return "no default-domain opset";
            }
            case 2: {
                long v = versions[r.nextInt(versions.length)];
                m.addOpsetImport(0, OnnxMl.OperatorSetIdProto.newBuilder().setDomain("ai.onnx").setVersion(v));
                return "a first opset ai.onnx " + v;
            }
            default: {
                long v = versions[r.nextInt(versions.length)];
                for (OnnxMl.OperatorSetIdProto.Builder id : m.getOpsetImportBuilderList()) {
                    id.setVersion(v);
                }
                return "opset " + v;
            }
        }
    }

    private static OnnxMl.SparseTensorProto randomSparse(OnnxMl.TensorProto dense, Random r) {
        int nnz = r.nextInt(6);
        float[] values = new float[nnz];
        long[] idx = new long[nnz];
        for (int i = 0; i < nnz; i++) {
            values[i] = r.nextFloat();
            idx[i] = r.nextInt(4) == 0 ? Fuzz.oddSize(r, 3) : r.nextInt(64);
        }
        OnnxMl.SparseTensorProto.Builder b = OnnxMl.SparseTensorProto.newBuilder()
                .setValues(OnnxTensors.write(dense.getName(), TensorData.ofFloats(new long[] {nnz}, values)))
                .setIndices(OnnxTensors.write(dense.getName() + "_idx", r.nextInt(4) == 0
                        ? TensorData.ofLongs(DataType.INT64, new long[] {nnz, 1}, idx)
                        : TensorData.int64Vector(idx)));
        b.addAllDims(dense.getDimsList());
        if (r.nextInt(3) == 0 && b.getDimsCount() > 0) {
            b.setDims(0, Fuzz.oddSize(r, b.getDims(0)));
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto randomConstantValue(Random r) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder();
        switch (r.nextInt(5)) {
            case 0 -> a.setName("value_float").setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(r.nextFloat());
            case 1 -> a.setName("value_ints").setType(OnnxMl.AttributeProto.AttributeType.INTS).addInts(1).addInts(-1);
            case 2 -> a.setName("sparse_value").setType(OnnxMl.AttributeProto.AttributeType.SPARSE_TENSOR);
            case 3 -> a.setName("value").setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                    .setT(OnnxMl.TensorProto.newBuilder().setDataType(1).addDims(Fuzz.oddSize(r, 4)).addDims(3)
                            .setRawData(ByteString.copyFrom(new byte[48])));
            default -> a.setName("value").setType(OnnxMl.AttributeProto.AttributeType.TENSOR);
        }
        return a.build();
    }

    /**
     * What only imports hold, at opset 11: a Constant shape target, PyTorch's flatten shape subgraph (Shape,
     * Gather, Unsqueeze, Concat into Reshape), Dropout, Clip with constant bounds, a sparse initializer, and
     * a ConstantOfShape of a Slice of the shape multiplied in. Input [N, 2, 4, 4], output [N, 3].
     */
    private static OnnxMl.ModelProto importConstructs() {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("import_constructs")
                .addInput(value("x", -1, 2, 4, 4)).addOutput(value("y", -1, 3))
                .addInitializer(OnnxTensors.write("w", TensorData.ofFloats(new long[] {4, 2, 3, 3},
                        TestData.uniform(72, 1))))
                .addSparseInitializer(SparseInitializers.write("fc_w", TensorData.ofFloats(new long[] {3, 16},
                        sparseValues(48))))
                .addInitializer(OnnxTensors.write("zero", TensorData.ofLongs(DataType.INT64, new long[0],
                        new long[] {0})))
                .addInitializer(OnnxTensors.write("axes0", TensorData.int64Vector(0)))
                .addInitializer(OnnxTensors.write("lo", TensorData.ofFloats(new long[0], new float[] {0f})))
                .addInitializer(OnnxTensors.write("hi", TensorData.ofFloats(new long[0], new float[] {6f})))
                .addInitializer(OnnxTensors.write("s0", TensorData.int64Vector(2)))
                .addInitializer(OnnxTensors.write("s1", TensorData.int64Vector(4)))
                .addNode(node("conv", "Conv", List.of("x", "w"), List.of("c"), ints("kernel_shape", 3, 3),
                        ints("pads", 0, 0, 0, 0)))
                .addNode(node("drop", "Dropout", List.of("c"), List.of("d")))
                .addNode(node("clip", "Clip", List.of("d", "lo", "hi"), List.of("r")))
                .addNode(node("shape", "Shape", List.of("r"), List.of("s")))
                .addNode(node("dims", "Slice", List.of("s", "s0", "s1"), List.of("sd")))
                .addNode(node("ones", "ConstantOfShape", List.of("sd"), List.of("o"),
                        OnnxMl.AttributeProto.newBuilder().setName("value")
                                .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                                .setT(OnnxTensors.write("", TensorData.ofFloats(new long[] {1}, new float[] {1f})))
                                .build()))
                .addNode(node("gather", "Gather", List.of("s", "zero"), List.of("n"), integer("axis", 0)))
                .addNode(node("unsq", "Unsqueeze", List.of("n"), List.of("n1"), ints("axes", 0)))
                .addNode(OnnxMl.NodeProto.newBuilder().setName("minus1").setOpType("Constant").addOutput("m1")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                                .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                                .setT(OnnxTensors.write("", TensorData.int64Vector(-1))))
                        .build())
                .addNode(node("cat", "Concat", List.of("n1", "m1"), List.of("target"), integer("axis", 0)))
                .addNode(node("mul", "Mul", List.of("r", "o"), List.of("ro")))
                .addNode(node("view", "Reshape", List.of("ro", "target"), List.of("flat")))
                .addNode(node("fc", "Gemm", List.of("flat", "fc_w"), List.of("y"), integer("transB", 1)));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(6)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).setGraph(g)
                .build();
    }

    private static float[] sparseValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i += 5) {
            v[i] = 0.1f * i - 1;
        }
        return v;
    }

    private static OnnxMl.NodeProto node(String name, String op, List<String> in, List<String> out,
                                         OnnxMl.AttributeProto... attrs) {
        return OnnxMl.NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out)
                .addAllAttribute(Arrays.asList(attrs)).build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static OnnxMl.AttributeProto integer(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(v).build();
    }

    private static OnnxMl.ValueInfoProto value(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }
}
