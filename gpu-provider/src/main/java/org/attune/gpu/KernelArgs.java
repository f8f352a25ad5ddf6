package org.attune.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one kernel launch, in the order of the kernel's parameters: each value is written to native
 * memory and {@link #array()} gives the {@code void*[]} that {@code cuLaunchKernel} reads them through.
 */
final class KernelArgs {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    KernelArgs(Arena arena) {
        this.arena = arena;
    }

    /** A device pointer; 0 is the null pointer. */
    KernelArgs pointer(long devicePointer) {
        values.add(arena.allocateFrom(JAVA_LONG, devicePointer));
        return this;
    }

    /** An {@code int}. */
    KernelArgs i32(int value) {
        values.add(arena.allocateFrom(JAVA_INT, value));
        return this;
    }

    /** A {@code long long} or {@code unsigned long long}. */
    KernelArgs i64(long value) {
        values.add(arena.allocateFrom(JAVA_LONG, value));
        return this;
    }

    /** A {@code float}. */
    KernelArgs f32(float value) {
        values.add(arena.allocateFrom(JAVA_FLOAT, value));
        return this;
    }

    /** A struct of {@code int}s passed by value. */
    KernelArgs ints(int... fields) {
        values.add(arena.allocateFrom(JAVA_INT, fields));
        return this;
    }

    /** The number of arguments so far. */
    int size() {
        return values.size();
    }

    /** The {@code void*[]} of argument addresses. */
    MemorySegment array() {
        MemorySegment array = arena.allocate(ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, values.get(i));
        }
        return array;
    }
}
