package io.github.fcpts4j.cli;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;
import io.github.fcpts4j.prune.FcptsConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsing of option values that picocli cannot type by itself, with errors naming the option. */
final class Options {
    private Options() {
    }

    /** Maps {@code value} through the pairs (name, constant, name, constant, ...). */
    static <E> E choice(String option, String value, Class<E> type, Object... pairs) {
        Map<String, E> names = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            names.put((String) pairs[i], type.cast(pairs[i + 1]));
        }
        E e = names.get(value);
        if (e == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, option + " '" + value + "': expected one of "
                    + String.join(", ", names.keySet()));
        }
        return e;
    }

    /** {@code GLOB=MIN:MAX} entries of {@code --layer-sparsity}. */
    static List<FcptsConfig.LayerBound> layerBounds(List<String> specs) {
        List<FcptsConfig.LayerBound> out = new ArrayList<>();
        for (String s : specs) {
            int eq = s.lastIndexOf('='), colon = s.lastIndexOf(':');
            if (eq <= 0 || colon < eq) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--layer-sparsity '" + s
                        + "': expected GLOB=MIN:MAX, e.g. conv_1=0:0.5");
            }
            try {
                out.add(new FcptsConfig.LayerBound(s.substring(0, eq), Double.parseDouble(s.substring(eq + 1, colon)),
                        Double.parseDouble(s.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new FcptsException(ErrorCode.INVALID_ARGUMENT, "--layer-sparsity '" + s
                        + "': MIN and MAX must be numbers");
            }
        }
        return out;
    }
}
