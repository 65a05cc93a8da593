package io.github.fcpts4j.data;

/**
 * A random-access set of text-line images with their transcriptions, for CTC recognizers: the images as
 * {@link LabeledImages} samples (no class labels: {@link #read} returns -1, {@link #labelled()} is false), the
 * text of line {@code i} from {@link #text}. {@link TextLineFolder} ({@code textlines:}) is the one the data
 * specs open.
 */
public interface LabeledTextLines extends LabeledImages {

    /** The transcription of line {@code i}: never empty. */
    String text(int i);

    /** Where line {@code i} comes from, for messages and reports (its file, for a folder). */
    default String source(int i) {
        return "line " + i;
    }

    @Override
    default boolean labelled() {
        return false;
    }
}
