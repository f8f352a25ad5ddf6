package org.attune.positional.bias;

import java.util.List;

import org.attune.api.position.PositionalCall;
import org.attune.api.tensor.InvalidInputException;

/**
 * The patch serialisation orders of REOrder ("REOrdering Patches Improves Vision Models",
 * arXiv:2505.23751), as its reference {@code src/models/layers/hilbert.py} defines them on a grid W wide and H high,
 * cells numbered row-major g = y·W + x:
 * <pre>
 *   row-major       g = 0, 1, …
 *   column-major    x = 0 … W−1, within it y = 0 … H−1
 *   diagonal        diagonals x − y = −(H−1) … W−1, x increasing along each
 *   snake-diagonal  anti-diagonals x + y = s, x increasing for even s, decreasing for odd s
 *   spiral          clockwise from the top-left cell: right, down, left, up, turning at the border or a visited cell
 *   hilbert         the Hilbert curve of the smallest 2^k × 2^k square holding the grid, cells outside skipped
 * </pre>
 * {@code scan[i]} is the cell visited i-th, {@code rank} its inverse ({@code rank[scan[i]] = i}).
 *
 * @param scan cells in visiting order
 * @param rank visiting index of each cell
 */
record PatchOrderings(int[] scan, int[] rank) {
    /** The orders, by option value. */
    static final List<String> NAMES = List.of("row-major", "column-major", "diagonal", "snake-diagonal", "spiral",
        "hilbert");

    /** The order {@code name} of a grid {@code width} wide and {@code height} high. */
    static PatchOrderings of(String name, int width, int height) {
        int n = width * height;
        int[] scan = new int[n];
        int f = 0;
        switch (name) {
            case "row-major" -> {
                for (int g = 0; g < n; g++) {
                    scan[f++] = g;
                }
            }
            case "column-major" -> {
                for (int x = 0; x < width; x++) {
                    for (int y = 0; y < height; y++) {
                        scan[f++] = y * width + x;
                    }
                }
            }
            case "diagonal" -> {
                for (int c = -(height - 1); c < width; c++) {
                    for (int x = Math.max(0, c); x <= Math.min(width - 1, c + height - 1); x++) {
                        scan[f++] = (x - c) * width + x;
                    }
                }
            }
            case "snake-diagonal" -> {
                for (int s = 0; s <= width + height - 2; s++) {
                    int lo = Math.max(0, s - (height - 1)), hi = Math.min(s, width - 1);
                    for (int t = 0; t <= hi - lo; t++) {
                        int x = s % 2 == 1 ? hi - t : lo + t;
                        scan[f++] = (s - x) * width + x;
                    }
                }
            }
            case "spiral" -> spiral(scan, width, height);
            case "hilbert" -> hilbert(scan, width, height);
            default -> throw new InvalidInputException(PositionalCall.option("order"),
                "expected one of " + NAMES + ", got '" + name + "'");
        }
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) {
            rank[scan[i]] = i;
        }
        return new PatchOrderings(scan, rank);
    }

    private static void spiral(int[] scan, int width, int height) {
        boolean[] seen = new boolean[width * height];
        int[][] steps = {{0, 1}, {1, 0}, {0, -1}, {-1, 0}};
        int y = 0, x = 0, dir = 0;
        for (int i = 0; i < scan.length; i++) {
            scan[i] = y * width + x;
            seen[y * width + x] = true;
            int ny = y + steps[dir][0], nx = x + steps[dir][1];
            if (ny < 0 || ny >= height || nx < 0 || nx >= width || seen[ny * width + nx]) {
                dir = (dir + 1) % 4;
                ny = y + steps[dir][0];
                nx = x + steps[dir][1];
            }
            y = ny;
            x = nx;
        }
    }

    /** Cells sorted by the Hilbert index of (row, column) in the enclosing power-of-two square. */
    private static void hilbert(int[] scan, int width, int height) {
        int side = 1;
        while (side < Math.max(width, height)) {
            side *= 2;
        }
        for (int d = 0, f = 0; d < side * side; d++) {
            int[] rc = hilbertCell(d, side);
            if (rc[0] < height && rc[1] < width) {
                scan[f++] = rc[0] * width + rc[1];
            }
        }
    }

    /** (row, column) of Hilbert index d in a square of side n (a power of 2), the reference's d → (x, y). */
    static int[] hilbertCell(int d, int n) {
        int x = 0, y = 0, t = d;
        for (int s = 1; s < n; s *= 2) {
            int rx = 1 & (t / 2), ry = 1 & (t ^ rx);
            if (ry == 0) {
                if (rx == 1) {
                    x = s - 1 - x;
                    y = s - 1 - y;
                }
                int swap = x;
                x = y;
                y = swap;
            }
            x += s * rx;
            y += s * ry;
            t /= 4;
        }
        return new int[] {x, y};
    }
}
