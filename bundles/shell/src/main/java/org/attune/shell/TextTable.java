package org.attune.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of text under a header, printed in columns two spaces apart; numeric columns can be right-aligned.
 * Trailing blanks are trimmed so that output diffs cleanly.
 */
final class TextTable {
    private final String[] header;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** A table with these column titles. */
    TextTable(String... header) {
        this.header = header.clone();
        this.right = new boolean[header.length];
    }

    /** Right-aligns the given columns (numbers). */
    TextTable alignRight(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    /** Adds a row; {@code null} cells print empty, missing cells are empty. */
    TextTable row(Object... cells) {
        String[] r = new String[header.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(r);
        return this;
    }

    /** Number of rows, header excluded. */
    int size() {
        return rows.size();
    }

    @Override
    public String toString() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (String[] r : rows) {
            sb.append('\n');
            line(sb, r, width);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, String[] cells, int[] width) {
        int start = sb.length();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            sb.append(right[i] ? pad + cells[i] : cells[i] + pad);
        }
        int end = sb.length();
        while (end > start && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
    }
}
