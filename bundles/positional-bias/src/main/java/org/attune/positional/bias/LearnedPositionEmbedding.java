package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Learned absolute position embedding: a table P [max-positions, E] whose row p is added to the embedding of the
 * token at position p. Gehring et al., "Convolutional Sequence to Sequence Learning", arXiv:1705.03122, §3.1
 * (and the learned variant of Vaswani et al., §3.5, Table 3 row (E)).
 * <pre>
 *   x'ₙ = xₙ + P[offset + n]
 * </pre>
 * q [B, H, Nq, D] and k [B, Hkv, Nk, D], both of embedding width E = H·D (a table has one width) → q + P, k + P.
 * Options: {@code table=FILE.npy} [max-positions, E], or else {@code seed} (default 0) draws P ~ N(0, 0.02²)
 * (BERT's initialiser) with {@code max-positions} rows (default 512). A position ≥ max-positions is an error
 * naming the queries or keys. No symmetry: P is arbitrary.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "learned-absolute", name = "Learned absolute position embedding", family = "absolute",
    paper = "Convolutional Sequence to Sequence Learning", arxiv = "1705.03122", year = 2017,
    options = {"table=.npy file [max-positions, E] with E = heads*dim; default a seeded table",
        "seed=seed of the N(0, 0.02^2) table (SplittableRandom, row-major); default 0",
        "max-positions=rows of the seeded table; default 512"})
public final class LearnedPositionEmbedding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int width = Embeddings.sharedWidth(call.q(), call.k());
        int rows = call.intParam("max-positions", 512);
        Tensor table = ParameterTables.of(call, "table", "[max-positions, E]", ParameterTables.Draw.NORMAL, 0.02,
            call.param("table", "").isBlank() ? rows : -1, width);
        return PositionalResult.tokens(add(call.q(), "q", call.queryOffset(), table),
            add(call.k(), "k", call.keyOffset(), table));
    }

    private static Tensor add(Tensor x, String argument, int offset, Tensor table) {
        if ((long) offset + x.dim(2) > table.dim(0)) {
            throw new InvalidInputException(argument, "positions up to " + ((long) offset + x.dim(2) - 1)
                + " exceed the table's " + table.dim(0) + " rows (max-positions)");
        }
        double[] p = table.doubleData();
        return Embeddings.add(x, offset, (pos, c, w) -> p[table.offset() + (int) pos * w + c]);
    }
}
