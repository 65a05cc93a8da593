package io.github.fcpts4j.bench;

import javax.imageio.ImageIO;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Cuts seeded random crops of real photographs into an {@code images:} folder for calibrating and scoring
 * the corpus detectors (bench/run-corpus-fidelity.sh). The photos are every PNG / JPEG at least 96 pixels on
 * each side under {@code --src} that decode, sorted by path; {@code --part calib} uses the even-numbered ones and
 * {@code --part test} the odd-numbered ones, so the two sets never share a photo; {@code --part all} uses
 * every one (a test set of chosen photos, e.g. those with faces). Each crop takes a random
 * photo, a random side between 40 % and 100 % of the largest H x W window of the output aspect that fits,
 * a random position, and is resized to H x W (bicubic); every second crop is mirrored left to right.
 * {@code --exclude NAME[,NAME...]} leaves out photos by file name (the photos of a test set).
 * {@code --paste FILE.npy} pastes one of the gray images of a NumPy stack [N, h, w] of values in [0, 1] (such
 * as the 100 faces that open scikit-image's {@code lfw_subset.npy}; {@code --paste-count K} takes the first K)
 * into every crop, bicubic, its side 30 % to 75 % of the crop's shorter one, at a random position: calibration
 * data for a face detector from photos that hold almost no faces.
 * <p>
 * Usage: {@code PhotoCrops --src DIR[,DIR...] --out DIR --count N --size HxW --part calib|test|all --seed S
 * [--exclude NAMES] [--paste FILE.npy [--paste-count K]]}
 */
public final class PhotoCrops {
    private static final String USAGE = "PhotoCrops --src DIR[,DIR...] --out DIR --count N --size HxW "
            + "--part calib|test|all --seed S [--exclude NAMES] [--paste FILE.npy [--paste-count K]]";

    private PhotoCrops() {
    }

    public static void main(String[] argv) throws IOException {
        Map<String, String> a = Args.parse(argv, USAGE);
        String[] size = a.get("size").split("x");
        int h = Integer.parseInt(size[0]), w = Integer.parseInt(size[1]), count = Integer.parseInt(a.get("count"));
        int parity = switch (a.get("part")) {
            case "calib" -> 0;
            case "test" -> 1;
            case "all" -> -1;
            default -> throw new IllegalArgumentException("--part must be calib, test or all: " + USAGE);
        };
        List<String> exclude = List.of(a.getOrDefault("exclude", "").split(","));
        List<BufferedImage> photos = photos(a.get("src").split(","), parity, exclude);
        List<BufferedImage> pastes = a.containsKey("paste") ? NpyImages.read(Path.of(a.get("paste")),
                Integer.parseInt(a.getOrDefault("paste-count", "-1"))) : List.of();
        if (photos.isEmpty()) {
            throw new IllegalArgumentException("no photo of at least 96 x 96 under " + a.get("src"));
        }
        Path out = Path.of(a.get("out"));
        Files.createDirectories(out);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(a.get("seed")));
        for (int i = 0; i < count; i++) {
            BufferedImage p = photos.get(rnd.nextInt(photos.size()));
            double fit = Math.min(p.getWidth() / (double) w, p.getHeight() / (double) h);
            double scale = fit * (0.4 + 0.6 * rnd.nextDouble());
            int cw = Math.max(1, (int) (w * scale)), ch = Math.max(1, (int) (h * scale));
            int x = rnd.nextInt(p.getWidth() - cw + 1), y = rnd.nextInt(p.getHeight() - ch + 1);
            BufferedImage crop = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            var g = crop.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            boolean mirror = i % 2 == 1;
            g.drawImage(p, mirror ? w : 0, 0, mirror ? 0 : w, h, x, y, x + cw, y + ch, null);
            if (!pastes.isEmpty()) {
                BufferedImage face = pastes.get(rnd.nextInt(pastes.size()));
                int side = (int) (Math.min(h, w) * (0.3 + 0.45 * rnd.nextDouble()));
                g.drawImage(face, rnd.nextInt(w - side + 1), rnd.nextInt(h - side + 1), side, side, null);
            }
            g.dispose();
            ImageIO.write(crop, "png", out.resolve(String.format(Locale.ROOT, "crop_%05d.png", i)).toFile());
        }
        System.out.printf(Locale.ROOT, "%d crops %dx%d of %d photos (%s) in %s%n", count, h, w, photos.size(),
                a.get("part"), out);
    }

    private static List<BufferedImage> photos(String[] dirs, int parity, List<String> exclude) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String d : dirs) {
            try (Stream<Path> s = Files.walk(Path.of(d))) {
                s.filter(Files::isRegularFile).filter(f -> f.toString().toLowerCase(Locale.ROOT)
                        .matches(".*\\.(png|jpe?g)")).filter(f -> !exclude.contains(f.getFileName().toString()))
                        .forEach(files::add);
            }
        }
        files.sort(null);
        List<BufferedImage> out = new ArrayList<>();
        int index = 0;
        for (Path f : files) {
            BufferedImage img = read(f);
            if (img == null || img.getWidth() < 96 || img.getHeight() < 96) {
                continue;
            }
            if (parity < 0 || index++ % 2 == parity) {
                out.add(img);
            }
        }
        return out;
    }

    private static BufferedImage read(Path f) {
        try {
            return ImageIO.read(f.toFile());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
