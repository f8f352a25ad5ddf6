package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OptionPairsTest {
    @Test
    void repeatedUsesAndCommaSeparatedPairsKeepTheirOrder() {
        Map<String, String> m = OptionPairs.parse("--opt", List.of("window=64,stride=2", "", "feature.map=elu"));
        assertEquals(List.of("window", "stride", "feature.map"), List.copyOf(m.keySet()));
        assertEquals("64", m.get("window"));
        assertEquals("elu", m.get("feature.map"));
    }

    @Test
    void pieceWithoutEqualsContinuesThePreviousValue() {
        assertEquals(Map.of("sizes", "1,2,3", "k", "v=w"), OptionPairs.parse("--opt", List.of("sizes=1,2,3,k=v=w")));
    }

    @Test
    void emptyValueIsAllowed() {
        assertEquals(Map.of("flag", ""), OptionPairs.parse("--opt", List.of("flag=")));
    }

    @Test
    void malformedTextIsNamed() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> OptionPairs.parse("--opt", List.of("window")));
        assertEquals("--opt: expected KEY=VALUE (e.g. window=64), got 'window'", f.getMessage());
        assertThrows(CommandFailure.class, () -> OptionPairs.parse("--opt", List.of("=3")));
    }

    @Test
    void keyGivenTwiceIsAnError() {
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> OptionPairs.parse("--opt", Arrays.asList("a=1", null, "a=2")));
        assertEquals("--opt: 'a' given twice", f.getMessage());
    }
}
