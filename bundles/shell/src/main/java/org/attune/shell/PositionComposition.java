package org.attune.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.Tensor;

/**
 * {@code attention:run --pe ID [--pe-option K=V]...}: a positional encoding composed with any attention
 * mechanism through the call the mechanism receives. Absolute, rotary and conditional encodings replace q and k
 * (in their element type); a bias encoding's bias, in q's element type, is added to the call's {@code --bias} with
 * NumPy broadcasting (or becomes it). An encoding that also returns a value and an output transform (GTA) has
 * the value transform applied to v before attention and the output transform to the result after it
 * ({@link Composed#output}). Positions start at 0 for queries and keys; the encoding sees the attention's causal flag and scale.
 * For mechanisms with input projections the encoding applies to the q and k they are given, before projection.
 *
 * <p>{@code --pe-option} may repeat: Gogo binds its first use, and {@link #take} removes the later uses from the
 * positional words before {@link Positionals} splits them.
 */
final class PositionComposition {
    /** The repeatable option's name. */
    static final String PE_OPTION = "--pe-option";

    private PositionComposition() {
    }

    /**
     * Words without the later uses of {@code --pe-option}, and every value given to it.
     *
     * @param rest    the positional words left
     * @param options the {@code --pe-option} values, the bound one first
     */
    record Words(String[] rest, List<String> options) {
    }

    /**
     * A call with an encoding applied, and what remains to be done to the mechanism's output.
     *
     * @param call     the call to hand to the attention mechanism (q, k, and v when transformed, replaced)
     * @param encoding the encoding's result, whose output transform {@link #output} applies; null when none
     */
    record Composed(AttentionCall call, PositionalResult encoding) {
        /** A call without an encoding. */
        static Composed none(AttentionCall call) {
            return new Composed(call, null);
        }

        /** The mechanism's output {@code o} with the encoding's output transform applied, in o's element type. */
        Tensor output(Tensor o) {
            return encoding == null ? o : same(encoding.output(o), o);
        }
    }

    /** Splits the repeated {@code --pe-option KEY=VALUE} pairs out of {@code words}; {@code first} is the bound one. */
    static Words take(String[] words, String first) {
        List<String> rest = new ArrayList<>();
        List<String> options = new ArrayList<>();
        options.add(first);
        for (int i = 0; words != null && i < words.length; i++) {
            if (PE_OPTION.equals(words[i])) {
                if (i + 1 >= words.length) {
                    throw new CommandFailure(PE_OPTION + ": expected a value after it");
                }
                options.add(words[++i]);
            } else {
                rest.add(words[i]);
            }
        }
        return new Words(rest.toArray(String[]::new), options);
    }

    /**
     * The call with encoding {@code id} applied.
     *
     * @param options   the {@code --pe-option} values, parsed as {@link OptionPairs}
     * @param backendId where the encoding computes (null: the backend in use)
     * @throws CommandFailure when no encoding has this id or an option is not one of its declared options
     */
    static Composed compose(MethodRegistry registry, String id, List<String> options, AttentionCall call,
                                 String backendId) {
        Map<String, String> params = OptionPairs.parse(PE_OPTION, options);
        MethodDescriptor descriptor = descriptor(registry, "--pe", id);
        OptionPairs.requireDeclared(PE_OPTION, descriptor, params, "pe:info");
        PositionalEncoding pe = registry.positionalEncoding(id);
        ComputeBackend backend = backendId == null ? registry.backend() : registry.backend(backendId);
        AttentionOptions o = call.options();
        PositionalCall pc = PositionalCall.tokens(call.q(), call.k())
            .withAttention(o.causal(), o.scale().isPresent() ? o.scale().getAsDouble() : null).withParams(params);
        PositionalResult r = pe.encode(pc, backend);
        Tensor q = call.q();
        if (r.bias() != null) {
            Tensor bias = r.bias().dtype() == q.dtype() ? r.bias() : r.bias().to(q.dtype());
            if (o.bias().isPresent()) {
                bias = sum(o.bias().get(), bias);
            }
            return new Composed(call.withOptions(o.toBuilder().bias(bias).build()), null);
        }
        return new Composed(new AttentionCall(same(r.q(), q), same(r.k(), call.k()), same(r.values(call.v()), call.v()), o,
            call.params()), r);
    }

    /** The descriptor of positional encoding {@code id}, or a failure naming {@code argument}. */
    static MethodDescriptor descriptor(MethodRegistry registry, String argument, String id) {
        return registry.describe(id).stream().filter(m -> m.kind() == MethodKind.POSITIONAL_ENCODING).findFirst()
            .orElseThrow(() -> new CommandFailure(argument + ": no positional encoding '" + id
                + "' is installed (pe:list shows the installed ones)"));
    }

    /** given + bias with NumPy broadcasting, in the bias's element type; an error names {@code --bias}. */
    private static Tensor sum(Tensor given, Tensor bias) {
        int[] shape = Broadcast.shape("--bias", given.shape(), bias.shape());
        int[] sg = Broadcast.strides("--bias", given.shape(), shape), sb = Broadcast.strides("--bias", bias.shape(), shape);
        Tensor out = Tensor.zeros(bias.dtype(), shape);
        int[] index = new int[shape.length];
        for (int f = 0; f < out.size(); f++) {
            int ig = 0, ib = 0;
            for (int a = 0; a < shape.length; a++) {
                ig += index[a] * sg[a];
                ib += index[a] * sb[a];
            }
            out.setFlat(f, given.getFlat(ig) + bias.getFlat(ib));
            for (int a = shape.length - 1; a >= 0 && ++index[a] == shape[a]; a--) {
                index[a] = 0;
            }
        }
        return out;
    }

    private static Tensor same(Tensor encoded, Tensor original) {
        return encoded.dtype() == original.dtype() ? encoded : encoded.to(original.dtype());
    }
}
