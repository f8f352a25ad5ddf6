package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void padsColumnsTwoSpacesApartAndTrimsLineEnds() {
        String t = new TextTable("ID", "N", "NAME").alignRight(1).row("sdpa", 512, "x").row("a", 16384, "").toString();
        assertEquals("""
            ID        N  NAME
            sdpa    512  x
            a     16384""", t);
    }

    @Test
    void missingAndNullCellsPrintEmpty() {
        assertEquals("A  B\n1", new TextTable("A", "B").row(1, null).toString());
        assertEquals("A  B\n1", new TextTable("A", "B").row(1).toString());
    }
}
