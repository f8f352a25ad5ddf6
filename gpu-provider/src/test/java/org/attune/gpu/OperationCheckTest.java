package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

/** The operation check that backend:gpucheck runs on a GPU: complete, and able to fail. */
class OperationCheckTest {
    private final ComputeBackend reference = new JavaBackend();

    @Test
    void theReferenceAgainstItselfPassesEveryCaseAndCoversEveryFunction() {
        List<OperationCheck.Result> results = OperationCheck.run(reference, reference);
        assertTrue(results.stream().allMatch(OperationCheck.Result::passed), OperationCheck.format(results));
        assertEquals(5 + 6 + UnaryOp.values().length + BinaryOp.values().length + 3 * Reduction.values().length,
            results.size());
        assertTrue(OperationCheck.format(results).contains("all " + results.size() + " cases pass"));
    }

    @Test
    void aBackendOffByOneInAThousandFails() {
        ComputeBackend skewed = (ComputeBackend) Proxy.newProxyInstance(ComputeBackend.class.getClassLoader(),
            new Class<?>[] {ComputeBackend.class}, (p, m, args) -> {
                try {
                    Object r = m.invoke(reference, args);
                    if (m.getName().equals("unary") && args[0] == UnaryOp.EXP) {
                        Tensor t = (Tensor) r;
                        for (int i = 0; i < t.size(); i++) {
                            t.setFlat(i, t.getFlat(i) * 1.001);
                        }
                    }
                    return r;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        List<OperationCheck.Result> results = OperationCheck.run(skewed, reference);
        List<String> failed = results.stream().filter(r -> !r.passed()).map(OperationCheck.Result::name).toList();
        assertEquals(List.of("unary exp"), failed);
        assertFalse(OperationCheck.format(results).contains("all "));
    }
}
