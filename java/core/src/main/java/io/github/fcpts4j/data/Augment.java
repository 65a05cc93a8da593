package io.github.fcpts4j.data;

import java.util.SplittableRandom;

/**
 * Light augmentation of single-channel images in place: a random crop after
 * zero-padding by {@code pad} pixels (the image shifts by up to pad in each
 * direction) and a horizontal flip with probability 1/2 (FCPTS.md section 6).
 */
public final class Augment {
    private Augment() {
    }

    public static void cropAndFlip(float[] batch, int offset, int rows, int cols, int pad, SplittableRandom rng) {
        int dy = rng.nextInt(-pad, pad + 1), dx = rng.nextInt(-pad, pad + 1);
        boolean flip = rng.nextBoolean();
        float[] src = new float[rows * cols];
        System.arraycopy(batch, offset, src, 0, src.length);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int sr = r + dy, sc = c + dx;
                sc = flip ? cols - 1 - sc : sc;
                boolean inside = sr >= 0 && sr < rows && sc >= 0 && sc < cols;
                batch[offset + r * cols + c] = inside ? src[sr * cols + sc] : 0f;
            }
        }
    }
}
