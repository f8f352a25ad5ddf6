package org.attune.shell;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.imageio.ImageIO;

/**
 * A PNG of time against sequence length on log-log axes, one line (with markers) per method, drawn with java.awt
 * on an off-screen image (no display needed).
 */
final class BenchPlot {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private final Map<String, TreeMap<Integer, Double>> lines = new LinkedHashMap<>();

    /** Adds the point (n, ms) to the line of {@code method}. */
    void add(String method, int n, double ms) {
        lines.computeIfAbsent(method, m -> new TreeMap<>()).put(n, ms);
    }

    /** Draws the plot with this title into {@code file} (PNG). */
    void write(Path file, String title) throws IOException {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double[] x = range(lines.values().stream().flatMap(l -> l.keySet().stream()).map(Integer::doubleValue)
                .toList());
            double[] y = range(lines.values().stream().flatMap(l -> l.values().stream()).toList());
            int pw = WIDTH - LEFT - RIGHT;
            int ph = HEIGHT - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(0xdddddd));
            for (int e = (int) Math.floor(y[0]); e <= (int) Math.ceil(y[1]); e++) {
                int py = TOP + ph - (int) Math.round((e - y[0]) / (y[1] - y[0]) * ph);
                if (py >= TOP && py <= TOP + ph) {
                    g.drawLine(LEFT, py, LEFT + pw, py);
                    g.setColor(Color.BLACK);
                    g.drawString(label(Math.pow(10, e)) + " ms", 8, py + 4);
                    g.setColor(new Color(0xdddddd));
                }
            }
            for (int e = (int) Math.floor(x[0] / Math.log10(2)); e <= (int) Math.ceil(x[1] / Math.log10(2)); e++) {
                double lx = e * Math.log10(2);
                int px = LEFT + (int) Math.round((lx - x[0]) / (x[1] - x[0]) * pw);
                if (px >= LEFT && px <= LEFT + pw) {
                    g.drawLine(px, TOP, px, TOP + ph);
                    g.setColor(Color.BLACK);
                    g.drawString(Integer.toString(1 << e), px - 12, TOP + ph + 18);
                    g.setColor(new Color(0xdddddd));
                }
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            g.drawString("sequence length n (log scale)", LEFT + pw / 2 - 80, HEIGHT - 15);
            g.drawString(title, LEFT, TOP - 15);
            g.setStroke(new BasicStroke(2f));
            int i = 0;
            for (Map.Entry<String, TreeMap<Integer, Double>> line : lines.entrySet()) {
                g.setColor(COLORS[i % COLORS.length]);
                int lastX = -1;
                int lastY = -1;
                for (Map.Entry<Integer, Double> p : line.getValue().entrySet()) {
                    int px = LEFT + (int) Math.round((Math.log10(p.getKey()) - x[0]) / (x[1] - x[0]) * pw);
                    int py = TOP + ph - (int) Math.round((Math.log10(p.getValue()) - y[0]) / (y[1] - y[0]) * ph);
                    if (lastX >= 0) {
                        g.drawLine(lastX, lastY, px, py);
                    }
                    g.fillOval(px - 4, py - 4, 8, 8);
                    lastX = px;
                    lastY = py;
                }
                int ly = TOP + 20 + 20 * i;
                g.drawLine(LEFT + pw + 15, ly, LEFT + pw + 40, ly);
                g.drawString(line.getKey(), LEFT + pw + 48, ly + 4);
                i++;
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /** [min, max] of log10 of the values, widened so that a single value still spans an axis. */
    private static double[] range(List<Double> values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            double l = Math.log10(Math.max(v, 1e-6));
            lo = Math.min(lo, l);
            hi = Math.max(hi, l);
        }
        if (!(hi > lo)) {
            lo -= 0.5;
            hi += 0.5;
        }
        double pad = 0.05 * (hi - lo);
        return new double[] {lo - pad, hi + pad};
    }

    private static String label(double v) {
        return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
