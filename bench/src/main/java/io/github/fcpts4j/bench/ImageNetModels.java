package io.github.fcpts4j.bench;

import io.github.fcpts4j.ir.Graph;
import io.github.fcpts4j.ir.Node;
import io.github.fcpts4j.ir.TensorData;
import io.github.fcpts4j.models.ImageNetArchitectures;
import io.github.fcpts4j.models.NetBuilder;
import io.github.fcpts4j.onnx.OnnxExporter;
import io.github.fcpts4j.sparsity.Allocations;
import io.github.fcpts4j.sparsity.Budget;
import io.github.fcpts4j.sparsity.MagnitudeAllocation;
import io.github.fcpts4j.sparsity.PrunableLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a torchvision-shaped ImageNet model (seeded weights, 3 x 224 x 224) as ONNX, global-magnitude pruned
 * (or uniformly, the same sparsity in every layer, or by ERK / LAMP) to a sparsity: the latency benchmark's
 * inputs (timing does not depend on trained weights).
 * Usage: {@code ImageNetModels --arch resnet18|resnet50|mobilenetv2 --sparsity S
 * [--allocation global|uniform|erk|lamp] --out FILE.onnx}.
 */
public final class ImageNetModels {
    private ImageNetModels() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = Args.parse(args, "ImageNetModels --arch resnet18|resnet50|mobilenetv2 "
                + "--sparsity S [--allocation global|uniform|erk|lamp] --out FILE.onnx");
        MagnitudeAllocation allocation = MagnitudeAllocation.valueOf(opt.getOrDefault("allocation", "global")
                .toUpperCase(java.util.Locale.ROOT));
        String arch = opt.getOrDefault("arch", "resnet18");
        double sparsity = Double.parseDouble(opt.getOrDefault("sparsity", "0"));
        Graph g = switch (arch) {
            case "resnet18" -> ImageNetArchitectures.resnet18(1, NetBuilder.Init.TRAINING);
            case "resnet50" -> ImageNetArchitectures.resnet50(1, NetBuilder.Init.TRAINING);
            case "mobilenetv2" -> ImageNetArchitectures.mobilenetV2(1, NetBuilder.Init.TRAINING);
            default -> throw new IllegalArgumentException("--arch " + arch + ": expected resnet18, resnet50 or "
                    + "mobilenetv2");
        };
        if (sparsity > 0) {
            List<PrunableLayer> layers = new ArrayList<>();
            for (Node n : g.prunableNodes()) {
                TensorData w = g.initializer(n.input(1)).orElseThrow();
                layers.add(new PrunableLayer(n.name(), w.dims(), w.floats()));
            }
            g = Allocations.baseline(allocation, layers, Budget.parameters(sparsity))
                    .applyTo(g, g.prunableNodes(), layers);
        }
        OnnxExporter.write(g, Path.of(opt.getOrDefault("out", arch + ".onnx")));
    }
}
