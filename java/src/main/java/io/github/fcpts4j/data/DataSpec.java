package io.github.fcpts4j.data;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.nio.file.Path;

/**
 * Data specifications shared by the commands: {@code idx:DIR} (MNIST-style IDX
 * files in a folder) and {@code embedded:fashion-mnist} (the test set and
 * calibration slice shipped inside the jar).
 */
public final class DataSpec {
    public static final String DEFAULT = "embedded:fashion-mnist";

    private DataSpec() {
    }

    public static IdxDataset open(String spec, IdxDataset.Split split) {
        if (spec.startsWith("idx:")) {
            return IdxDataset.load(Path.of(spec.substring(4)), split);
        }
        if (spec.startsWith("embedded:")) {
            return IdxDataset.embedded(spec.substring(9), split);
        }
        throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "unknown data spec '" + spec
                + "': expected idx:DIR or embedded:fashion-mnist");
    }
}
