package org.attune.api.equivariance;

import org.attune.api.tensor.Tensor;

/** New coordinates [nodes, dim] (null for invariant-only methods) and features [nodes, channels_out]. */
public record GeometricOutput(Tensor coords, Tensor feats) {
}
