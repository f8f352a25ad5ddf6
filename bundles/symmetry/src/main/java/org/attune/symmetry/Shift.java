package org.attune.symmetry;

import java.util.Arrays;

import org.attune.api.equivariance.GroupElement;

/**
 * An integer shift by {@code offsets} (one per axis), in a group of integer or cyclic shifts.
 *
 * @param group   the group id
 * @param offsets the shift per axis
 */
record Shift(String group, long[] offsets) implements GroupElement {
    @Override
    public String describe() {
        return "shift " + Arrays.toString(offsets);
    }
}
