package org.attune.equivariance.canonicalization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;

import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/** The bad-input checks the tests of this bundle share. */
final class Rejections {
    private Rejections() {
    }

    /**
     * Each case is {argument, inputs…}: running it throws an {@link InvalidInputException} that names that argument.
     */
    static void assertEachNamesItsArgument(Object[][] cases, Consumer<Object[]> run) {
        for (Object[] c : cases) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> run.accept(c));
            assertEquals(c[0], e.argument());
        }
    }

    /** A valid run leaves its input tensor as it was. */
    static void assertInputUnchanged(Tensor input, Runnable run) {
        Tensor before = input.copy();
        run.run();
        assertTrue(before.contentEquals(input), "inputs are not modified");
    }
}
