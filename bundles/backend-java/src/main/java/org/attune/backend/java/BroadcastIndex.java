package org.attune.backend.java;

/**
 * Where each element of a broadcast read comes from: for every row-major position of a target shape, the
 * offset into the source that {@link org.attune.api.tensor.Broadcast#strides} describes.
 */
final class BroadcastIndex {
    private BroadcastIndex() {
    }

    /**
     * @param strides source strides per target axis, 0 on broadcast axes
     * @param shape   the target shape
     * @return one source offset per target element, in row-major order of the target
     */
    static int[] offsets(int[] strides, int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        int[] out = new int[n];
        int[] index = new int[shape.length];
        int offset = 0;
        for (int f = 0; f < n; f++) {
            out[f] = offset;
            for (int axis = shape.length - 1; axis >= 0; axis--) {
                index[axis]++;
                offset += strides[axis];
                if (index[axis] < shape[axis]) {
                    break;
                }
                offset -= strides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
        return out;
    }
}
