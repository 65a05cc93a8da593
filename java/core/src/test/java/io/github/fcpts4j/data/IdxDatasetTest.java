package io.github.fcpts4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fcpts4j.ErrorCode;
import io.github.fcpts4j.FcptsException;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {

    private static byte[] idx(int magic, int[] header, byte[] body) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int h : header) {
                out.writeInt(h);
            }
            out.write(body);
        }
        return bytes.toByteArray();
    }

    @Test
    void readsPixelsAsUnitFloatsAndLabels(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {2, 2, 2},
                new byte[] {0, (byte) 255, (byte) 128, 1, 2, 3, 4, 5}));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[] {7, 9}));
        IdxDataset d = IdxDataset.load(dir, IdxDataset.Split.TRAIN);
        assertEquals(2, d.size());
        float[] img = new float[4];
        d.copyImage(0, img, 0);
        assertEquals(1f, img[1], 0f);
        assertEquals(128 / 255f, img[2], 0f);
        assertEquals(9, d.label(1));
    }

    @Test
    void truncatedAndForeignFilesAreNamed(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {3, 2, 2}, new byte[5]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {3}, new byte[3]));
        FcptsException cut = assertThrows(FcptsException.class, () -> IdxDataset.load(dir, IdxDataset.Split.TEST));
        assertTrue(cut.getMessage().contains("shorter than its header says"), cut.getMessage());
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x801, new int[] {3}, new byte[3]));
        FcptsException magic = assertThrows(FcptsException.class, () -> IdxDataset.load(dir, IdxDataset.Split.TEST));
        assertTrue(magic.getMessage().contains("is not an IDX image file (magic 0x801"), magic.getMessage());
        FcptsException missing = assertThrows(FcptsException.class,
                () -> IdxDataset.load(dir, IdxDataset.Split.TRAIN));
        assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
        assertTrue(missing.getMessage().contains("has no train-images-idx3-ubyte[.gz]"), missing.getMessage());
    }

    @Test
    void embeddedFashionMnistHasTheTestSetAndTheCalibrationSlice() {
        IdxDataset test = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.TEST);
        IdxDataset calib = DataSpec.open(DataSpec.DEFAULT, IdxDataset.Split.CALIBRATION);
        assertEquals(10_000, test.size());
        assertEquals(2_048, calib.size());
        assertEquals(28, test.rows());
        int[] perClass = new int[10];
        for (int i = 0; i < test.size(); i++) {
            perClass[test.label(i)]++;
        }
        for (int c : perClass) {
            assertEquals(1000, c, "Fashion-MNIST's test set has 1,000 images per class");
        }
        assertThrows(FcptsException.class, () -> DataSpec.open("s3://bucket", IdxDataset.Split.TEST));
    }

    @Test
    void augmentationShiftsAndFlipsWithoutChangingTheRange() {
        float[] img = new float[28 * 28];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i % 28) / 27f;
        }
        float[] before = img.clone();
        Augment.cropAndFlip(img, 0, 28, 28, 2, new SplittableRandom(4));
        boolean changed = false;
        for (int i = 0; i < img.length; i++) {
            assertTrue(img[i] >= 0f && img[i] <= 1f);
            changed |= img[i] != before[i];
        }
        assertTrue(changed);
    }
}
