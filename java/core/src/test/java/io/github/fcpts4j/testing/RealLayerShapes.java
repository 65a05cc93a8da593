package io.github.fcpts4j.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prunable weight counts of real ImageNet networks (torchvision definitions):
 * every conv and the classifier, in execution order, as layer name -> N_l.
 */
public final class RealLayerShapes {
    private RealLayerShapes() {
    }

    /** ResNet-18: 20 convs (incl. 3 downsample 1x1) + fc, 11,678,912 weights. */
    public static Map<String, Long> resnet18() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("conv1", 64L * 3 * 7 * 7);
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int c = widths[stage];
            for (int block = 0; block < 2; block++) {
                String p = "layer" + (stage + 1) + "." + block;
                m.put(p + ".conv1", (long) c * in * 9);
                m.put(p + ".conv2", (long) c * c * 9);
                if (block == 0 && in != c) {
                    m.put(p + ".downsample", (long) c * in);
                }
                in = c;
            }
        }
        m.put("fc", 1000L * 512);
        return m;
    }

    /** MobileNetV2 (width 1.0): stem, 17 inverted residual blocks (depthwise included), last 1x1 and fc. */
    public static Map<String, Long> mobilenetV2() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("features.0", 32L * 3 * 3 * 3);
        int[][] settings = {{1, 16, 1}, {6, 24, 2}, {6, 32, 3}, {6, 64, 4}, {6, 96, 3}, {6, 160, 3}, {6, 320, 1}};
        int in = 32, index = 1;
        for (int[] s : settings) {
            for (int r = 0; r < s[2]; r++, index++) {
                int hidden = in * s[0];
                String p = "features." + index;
                if (s[0] != 1) {
                    m.put(p + ".expand", (long) hidden * in);
                }
                m.put(p + ".depthwise", (long) hidden * 9);
                m.put(p + ".project", (long) s[1] * hidden);
                in = s[1];
            }
        }
        m.put("features.18", 1280L * 320);
        m.put("classifier", 1000L * 1280);
        return m;
    }

    public static List<String> names(Map<String, Long> shapes) {
        return new ArrayList<>(shapes.keySet());
    }

    public static long[] sizes(Map<String, Long> shapes) {
        return shapes.values().stream().mapToLong(Long::longValue).toArray();
    }
}
