package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * T5's bucketed relative position bias: one learned scalar per head and bucket of the relative position,
 * exact buckets for small distances and logarithmic ones up to a maximum distance. Raffel et al., "Exploring the
 * Limits of Transfer Learning with a Unified Text-to-Text Transformer", arXiv:1910.10683, §2.1; buckets
 * transcribed from the reference {@code _relative_position_bucket} (Mesh TensorFlow / HF transformers T5).
 * <pre>
 *   r = pⱼ − pᵢ
 *   bidirectional (non-causal): n = B/2, bucket = n·[r &gt; 0] + f(|r|)
 *   causal:                     n = B,   bucket = f(max(−r, 0))
 *   f(a) = a if a &lt; n/2, else min(n − 1, n/2 + ⌊ln(a/(n/2)) / ln(max-distance/(n/2)) · (n − n/2)⌋)
 *   b[h, i, j] = table[bucket, h]
 * </pre>
 * Bias [H, Nq, Nk] float64. Options: {@code buckets} B (32), {@code max-distance} (128), {@code table=FILE.npy}
 * [B, H], or else {@code seed} (0) draws the table ~ N(0, 1).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "t5", name = "T5 relative position bias", family = "bias",
    paper = "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer", arxiv = "1910.10683",
    year = 2019, cost = "O(n^2)",
    options = {"buckets=number of buckets B; default 32", "max-distance=distance of the last bucket; default 128",
        "table=.npy file [buckets, heads]; default a seeded table",
        "seed=seed of the N(0, 1) table (SplittableRandom); default 0"},
    symmetries = SymmetryCertificate.RELATIVE)
public final class T5RelativeBias implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int buckets = call.intParam("buckets", 32);
        int maxDistance = call.intParam("max-distance", 128);
        if (buckets < 2 || (!call.causal() && buckets % 2 != 0)) {
            throw new InvalidInputException(PositionalCall.option("buckets"), "expected an even integer >= 2, got "
                + buckets);
        }
        int heads = call.q() != null ? call.q().dim(1) : call.heads();
        Tensor table = ParameterTables.of(call, "table", "[buckets, heads]", ParameterTables.Draw.NORMAL, 1, buckets,
            heads);
        boolean bidirectional = !call.causal();
        return PositionalResult.bias(BiasTables.of(call, (h, i, j) ->
            table.get(bucket(j - i, bidirectional, buckets, maxDistance), h)));
    }

    /** The bucket of relative position r = pⱼ − pᵢ. */
    static int bucket(long r, boolean bidirectional, int buckets, int maxDistance) {
        int n = buckets;
        int out = 0;
        long a;
        if (bidirectional) {
            n /= 2;
            out += r > 0 ? n : 0;
            a = Math.abs(r);
        } else {
            a = Math.max(-r, 0);
        }
        int exact = n / 2;
        if (a < exact) {
            return out + (int) a;
        }
        int large = exact + (int) (Math.log((double) a / exact) / Math.log((double) maxDistance / exact) * (n - exact));
        return out + Math.min(large, n - 1);
    }
}
