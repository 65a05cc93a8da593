package io.github.fcpts4j.cli;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The words an option accepts and the values they stand for, both ways: {@link #parse} for what the user
 * typed (a typed error naming the option and the accepted words), {@link #word} for showing a default.
 */
final class OptionWords<E> {
    private final String option;
    private final Map<String, E> values = new LinkedHashMap<>();

    /** {@code pairs}: word, value, word, value, ... */
    @SuppressWarnings("unchecked")
    OptionWords(String option, Object... pairs) {
        this.option = option;
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((String) pairs[i], (E) pairs[i + 1]);
        }
    }

    E parse(String word) {
        E e = values.get(word);
        if (e == null) {
            throw new FcptsException(ErrorCode.INVALID_ARGUMENT, option + " '" + word + "': expected one of "
                    + String.join(", ", values.keySet()));
        }
        return e;
    }

    String word(E value) {
        for (Map.Entry<String, E> e : values.entrySet()) {
            if (e.getValue().equals(value)) {
                return e.getKey();
            }
        }
        throw new IllegalStateException(option + " has no word for " + value);
    }

    String option() {
        return option;
    }
}
