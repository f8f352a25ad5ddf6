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
 * Relative position representations on the keys: a learned vector per clipped relative distance, dotted with
 * the query. Shaw et al., "Self-Attention with Relative Position Representations", arXiv:1803.02155, eqs. (4)–(5).
 * <pre>
 *   eᵢⱼ = qᵢ·(kⱼ + aᴷᵢⱼ)/√d,   aᴷᵢⱼ = wᴷ[clip(pⱼ − pᵢ, −κ, κ) + κ]
 *   b[z, h, i, j] = scale · qᵢ·aᴷᵢⱼ
 * </pre>
 * Bias [B, H, Nq, Nk] in q's type; reads q and k. The value-side term aⱽ of eq. (3) changes the values, not the
 * logits, and is not part of a bias (the logit term alone is the form of Huang et al.'s Music Transformer).
 * Options: {@code max-distance} κ (16), {@code table=FILE.npy} wᴷ [2κ+1, D] shared by the heads (as in the
 * paper), or else {@code seed} (0) draws it ~ N(0, 0.02²).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "shaw", name = "Relative position representations", family = "bias",
    paper = "Self-Attention with Relative Position Representations", arxiv = "1803.02155", year = 2018,
    cost = "O(n^2 d)",
    options = {"max-distance=kappa: relative distances are clipped to [-kappa, kappa]; default 16",
        "table=.npy file [2*kappa+1, dim] of key representations w^K; default a seeded table",
        "seed=seed of the N(0, 0.02^2) table (SplittableRandom); default 0"},
    symmetries = SymmetryCertificate.RELATIVE)
public final class ShawRelativePosition implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Tensor q = call.requireQ("shaw reads the queries");
        int kappa = call.intParam("max-distance", 16);
        if (kappa < 0) {
            throw new InvalidInputException(PositionalCall.option("max-distance"), "expected an integer >= 0, got " + kappa);
        }
        Tensor table = ParameterTables.of(call, "table", "[2*max-distance+1, dim]", ParameterTables.Draw.NORMAL, 0.02,
            2 * kappa + 1, q.dim(3));
        return PositionalResult.bias(ContentBias.of(call, "shaw", (z, h, i, j, pi, pj) -> {
            int row = (int) (Math.max(-kappa, Math.min(kappa, pj - pi)) + kappa);
            return ContentBias.dot(ContentBias.token(q, z, h, i), table, row);
        }));
    }
}
