package io.github.fcpts4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 54 prunable weight tensors of torchvision's ResNet-50 (53 convs incl. 4
 * downsample 1x1, plus fc), as layer name -> {N_l, fan_in}: 25,502,912 weights.
 */
final class ResNet50Shapes {
    private ResNet50Shapes() {
    }

    static Map<String, long[]> layers() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("conv1", new long[] {64L * 3 * 49, 3 * 49});
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        int[] blocks = {3, 4, 6, 3};
        for (int stage = 0; stage < 4; stage++) {
            int w = widths[stage], out = 4 * w;
            for (int b = 0; b < blocks[stage]; b++) {
                String p = "layer" + (stage + 1) + "." + b;
                m.put(p + ".conv1", new long[] {(long) w * in, in});
                m.put(p + ".conv2", new long[] {(long) w * w * 9, w * 9L});
                m.put(p + ".conv3", new long[] {(long) out * w, w});
                if (b == 0) {
                    m.put(p + ".downsample", new long[] {(long) out * in, in});
                }
                in = out;
            }
        }
        m.put("fc", new long[] {1000L * 2048, 2048});
        return m;
    }
}
