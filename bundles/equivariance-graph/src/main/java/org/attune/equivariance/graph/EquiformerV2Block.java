package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;

/**
 * One EquiformerV2 transformer block with its weights (Liao, Wood, Das and Smidt, "EquiformerV2: Improved
 * Equivariant Transformer for Scaling to Higher-Degree Representations", arXiv:2306.12059, Sec. 4; the
 * reference code's {@code TransBlockV2} with {@code SO2EquivariantGraphAttention} and
 * {@code FeedForwardNetwork}, separable S² activations, {@code norm_type='layer_norm_sh'}, no dropout):
 * <pre>
 *   x  ← x + GA(SLN(x)),      x ← x + FFN(SLN(x))                                   ({@link SeparableLayerNorm})
 *   GA, per edge j → i in the frame R_ij (R_ij r̂_ij = ẑ, {@link EdgeFrame}):
 *     ỹ_ij   = SO2₁( D(R_ij)·[x_j ; x_i], |r_ij| )            2C → H at every degree, plus heads·A + H extra
 *                                                          degree-0 (m = 0) channels  ({@link So2Convolution})
 *     α_ij^h = softmax_{j→i}( a_hᵀ · SmoothLeakyReLU_{0.2}( LN( ỹ_ij^{α,h} ) ) )      (attention re-normalisation)
 *     v_ij   = SO2₂( S2Act( ỹ_ij^{gate}, ỹ_ij ) )              H → heads·V, weights independent of |r|
 *     GA_i   = W_proj Σ_{j→i} D(R_ij)ᵀ (α_ij^{h(c)} v_ij)                               ({@link DegreeLinear})
 *   FFN: g = SiLU-gates W_g x^{(0)} + b_g;  FFN(x) = W₂ · S2Act(g, W₁ x)                 ({@link SeparableS2Activation})
 * </pre>
 * LN over the A alpha channels of each head has no affine part (identity at the reference's initialisation);
 * SmoothLeakyReLU_a(x) = ((1 + a)/2)·x + ((1 − a)/2)·x·(2σ(x) − 1). The degree-0 channels of ỹ are ordered
 * [H message scalars, heads·A alpha features, H gating scalars]. The radial weights of SO2₁ are linear in a
 * Gaussian basis of |r| (the reference uses an MLP of the distance); the per-degree linears have no bias (the
 * reference's degree-0 bias starts at zero). Weights are drawn in the order SO2₁, a (uniform ±1/√A), SO2₂,
 * W_proj, W_g and b_g (uniform ±1/√C), W₁, W₂.
 */
final class EquiformerV2Block {
    final IrrepLayout sphere;
    final int heads;
    final int alphaChannels;
    final int valueChannels;
    final int hidden;
    final So2Convolution first;
    final double[][] alphaDot;
    final So2Convolution second;
    final DegreeLinear project;
    final double[][] gateWeight;
    final double[] gateBias;
    final DegreeLinear ffn1;
    final DegreeLinear ffn2;

    EquiformerV2Block(SplittableRandom random, int channels, int degree, int mmax, int heads, int alphaChannels,
                      int valueChannels, int hidden, int basis, double cutoff) {
        this.sphere = IrrepLayout.uniform(channels, degree);
        this.heads = heads;
        this.alphaChannels = alphaChannels;
        this.valueChannels = valueChannels;
        this.hidden = hidden;
        IrrepLayout hiddenLayout = IrrepLayout.uniform(hidden, degree);
        first = So2Convolution.init(random, IrrepLayout.uniform(2 * channels, degree),
            hiddenLayout.plus(0, heads * alphaChannels + hidden), mmax, basis, cutoff);
        alphaDot = new double[heads][alphaChannels];
        double bound = 1 / Math.sqrt(alphaChannels);
        for (double[] row : alphaDot) {
            for (int a = 0; a < alphaChannels; a++) {
                row[a] = random.nextDouble(-bound, bound);
            }
        }
        IrrepLayout values = IrrepLayout.uniform(heads * valueChannels, degree);
        second = So2Convolution.init(random, hiddenLayout, values, mmax, 1, cutoff);
        project = DegreeLinear.init(random, values, sphere);
        gateWeight = new double[hidden][channels];
        gateBias = new double[hidden];
        double g = 1 / Math.sqrt(channels);
        for (double[] row : gateWeight) {
            for (int c = 0; c < channels; c++) {
                row[c] = random.nextDouble(-g, g);
            }
        }
        for (int h = 0; h < hidden; h++) {
            gateBias[h] = random.nextDouble(-g, g);
        }
        ffn1 = DegreeLinear.init(random, sphere, hiddenLayout);
        ffn2 = DegreeLinear.init(random, hiddenLayout, sphere);
    }

    /** The block on x[node] over graph g at positions pos; {@code act} is the S² activation of the grid. */
    double[][][][] apply(IrrepAlgebra algebra, SeparableS2Activation act, double[][] pos, double[][][][] x,
                         Neighbours g) {
        int n = x.length;
        int degree = sphere.maxDegree();
        double[][][][] normed = new double[n][][][];
        for (int i = 0; i < n; i++) {
            normed[i] = SeparableLayerNorm.apply(x[i]);
        }
        double[][] logits = new double[g.count()][heads];
        double[][][][] values = new double[g.count()][][][];
        double[][] frames = new double[g.count()][];
        for (int e = 0; e < g.count(); e++) {
            int i = g.target()[e];
            int j = g.source()[e];
            double[] r = EdgeGeometry.of(algebra, pos[i], pos[j], 0, 1, 1).r();
            frames[e] = EdgeFrame.align(r, 0);
            double[][][] message = new double[degree + 1][][];
            for (int l = 0; l <= degree; l++) {
                message[l] = new double[2 * sphere.mul(l)][];
                for (int c = 0; c < sphere.mul(l); c++) {
                    message[l][c] = normed[j][l][c];
                    message[l][sphere.mul(l) + c] = normed[i][l][c];
                }
            }
            double distance = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
            double[][][] y = first.inFrame(So2Convolution.rotate(algebra, frames[e], message, false),
                algebra.gaussianBasis(distance, first.basis(), first.cutoff()));
            for (int h = 0; h < heads; h++) {
                double[] a = new double[alphaChannels];
                for (int c = 0; c < alphaChannels; c++) {
                    a[c] = y[0][hidden + h * alphaChannels + c][0];
                }
                logits[e][h] = dot(alphaDot[h], smoothLeakyRelu(layerNorm(a)));
            }
            double[] gates = new double[hidden];
            for (int c = 0; c < hidden; c++) {
                gates[c] = y[0][hidden + heads * alphaChannels + c][0];
            }
            double[][][] s2in = new double[degree + 1][][];
            s2in[0] = java.util.Arrays.copyOf(y[0], hidden);
            for (int l = 1; l <= degree; l++) {
                s2in[l] = y[l];
            }
            values[e] = second.inFrame(act.apply(gates, s2in), new double[] {1});
        }
        // α per head over the incoming edges; each weighted value is rotated back from its own frame, then summed
        double[][][][] attended = new double[n][][][];
        for (int i = 0; i < n; i++) {
            attended[i] = IrrepLayout.uniform(heads * valueChannels, degree).zeros();
        }
        for (int i = 0; i < n; i++) {
            int[] incoming = g.incoming()[i];
            double[] max = new double[heads];
            double[] z = new double[heads];
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int e : incoming) {
                for (int h = 0; h < heads; h++) {
                    max[h] = Math.max(max[h], logits[e][h]);
                }
            }
            for (int e : incoming) {
                for (int h = 0; h < heads; h++) {
                    z[h] += Math.exp(logits[e][h] - max[h]);
                }
            }
            for (int e : incoming) {
                double[][][] weighted = new double[degree + 1][][];
                for (int l = 0; l <= degree; l++) {
                    weighted[l] = new double[heads * valueChannels][];
                    for (int c = 0; c < heads * valueChannels; c++) {
                        int h = c / valueChannels;
                        double alpha = Math.exp(logits[e][h] - max[h]) / z[h];
                        weighted[l][c] = values[e][l][c].clone();
                        for (int m = 0; m <= 2 * l; m++) {
                            weighted[l][c][m] *= alpha;
                        }
                    }
                }
                double[][][] back = So2Convolution.rotate(algebra, frames[e], weighted, true);
                for (int l = 0; l <= degree; l++) {
                    for (int c = 0; c < heads * valueChannels; c++) {
                        for (int m = 0; m <= 2 * l; m++) {
                            attended[i][l][c][m] += back[l][c][m];
                        }
                    }
                }
            }
        }
        double[][][][] result = new double[n][][][];
        for (int i = 0; i < n; i++) {
            double[][][] mid = add(x[i], project.apply(attended[i]));
            double[][][] normedMid = SeparableLayerNorm.apply(mid);
            double[] gates = new double[hidden];
            for (int h = 0; h < hidden; h++) {
                double s = gateBias[h];
                for (int c = 0; c < sphere.mul(0); c++) {
                    s += gateWeight[h][c] * normedMid[0][c][0];
                }
                gates[h] = s;
            }
            result[i] = add(mid, ffn2.apply(act.apply(gates, ffn1.apply(normedMid))));
        }
        return result;
    }

    /** Layer normalisation without affine parameters, ε = 1e-5 ({@code torch.nn.LayerNorm} at initialisation). */
    static double[] layerNorm(double[] a) {
        double mean = 0;
        for (double v : a) {
            mean += v / a.length;
        }
        double var = 0;
        for (double v : a) {
            var += (v - mean) * (v - mean) / a.length;
        }
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (a[i] - mean) / Math.sqrt(var + 1e-5);
        }
        return out;
    }

    /** SmoothLeakyReLU with negative slope 0.2. */
    static double[] smoothLeakyRelu(double[] a) {
        double slope = 0.2;
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            out[i] = (1 + slope) / 2 * x + (1 - slope) / 2 * x * (2 / (1 + Math.exp(-x)) - 1);
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[][][] add(double[][][] a, double[][][] b) {
        double[][][] out = new double[a.length][][];
        for (int l = 0; l < a.length; l++) {
            out[l] = new double[a[l].length][];
            for (int c = 0; c < a[l].length; c++) {
                out[l][c] = a[l][c].clone();
                for (int m = 0; m < out[l][c].length; m++) {
                    out[l][c][m] += b[l][c][m];
                }
            }
        }
        return out;
    }
}
