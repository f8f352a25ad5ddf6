package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.osgi.service.component.annotations.Component;

/**
 * Rotary position embedding: each pair of channels of q and k is rotated by an angle proportional to the
 * token's position, so that the logit depends on positions only through their difference.
 * Su et al., "RoFormer: Enhanced Transformer with Rotary Position Embedding", arXiv:2104.09864, eqs. (14)–(16).
 * <pre>
 *   f(x, m) = R(m) x,  R(m) = ⊕ᵢ [[cos mθᵢ, −sin mθᵢ], [sin mθᵢ, cos mθᵢ]],  θᵢ = base^(−2i/d)
 *   ⟨R(m) q, R(n) k⟩ = ⟨q, R(n − m) k⟩
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k' of the same shapes; query i at {@code queryOffset + i},
 * key j at {@code keyOffset + j}. Options: {@code base} (default 10000), {@code convention} {@code half}
 * (default; pairs (i, i + D/2), GPT-NeoX/HF LLaMA) or {@code interleaved} (pairs (2i, 2i+1), RoFormer/GPT-J).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope", name = "RoPE", family = "rotary",
    paper = "RoFormer: Enhanced Transformer with Rotary Position Embedding", arxiv = "2104.09864", year = 2021,
    options = {"base=rotary base; theta_i = base^(-2i/D); default 10000",
        "convention=half (pairs (i, i+D/2), GPT-NeoX/HF LLaMA; default) or interleaved (pairs (2i, 2i+1), RoFormer/GPT-J)"},
    symmetries = SymmetryCertificate.RELATIVE)
public final class RotaryPositionEmbedding extends RotaryFrequencies {

    @Override
    RotaryTables tables(PositionalCall call, int d) {
        return new RotaryTables(RotaryTables.standard(d, RotaryTables.base(call)), 1);
    }
}
