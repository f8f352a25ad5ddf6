package org.attune.symmetry;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.attune.api.equivariance.SymmetryGroup;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Registers one {@link SymmetryGroup} service per group id (property {@link SymmetryGroup#ID}) while this
 * bundle is active. Ids:
 * <pre>
 *   SO(2) O(2) SO(3) O(3) SE(3) E(3)      rotations, reflections, translations
 *   E(2) … E(10)                          Euclidean groups ℝⁿ ⋊ O(n)
 *   C_2 … C_12, D_2 … D_12                cyclic and dihedral groups of the plane
 *   S_n                                   permutations of tokens, nodes or heads (any n)
 *   Z, Z^2, Z_N, Z_N^2                    integer and cyclic shifts in 1-D and 2-D
 *   scaling                               uniform scaling by s &gt; 0
 * </pre>
 * One DS component registers them all, because the groups are a fixed family of values rather than
 * configured instances; they are unregistered on deactivation. The {@code osgi.service} capability is declared
 * by hand, since DS only declares the services of its own components.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.attune.api.equivariance.SymmetryGroup",
    uses = SymmetryGroup.class)
@Component(immediate = true)
public final class GroupCatalogue {
    static final int MAX_EUCLIDEAN = 10;
    static final int MAX_PLANAR = 12;

    private final List<ServiceRegistration<SymmetryGroup>> registrations = new ArrayList<>();

    /** Every group of this bundle, by id, in the order above (new instances; public for other bundles' tests). */
    public static Map<String, SymmetryGroup> groups() {
        Map<String, SymmetryGroup> out = new LinkedHashMap<>();
        out.put("SO(2)", new EuclideanGroup("SO(2)", 2, false, false));
        out.put("O(2)", new EuclideanGroup("O(2)", 2, true, false));
        out.put("SO(3)", new EuclideanGroup("SO(3)", 3, false, false));
        out.put("O(3)", new EuclideanGroup("O(3)", 3, true, false));
        out.put("SE(3)", new EuclideanGroup("SE(3)", 3, false, true));
        for (int n = 2; n <= MAX_EUCLIDEAN; n++) {
            out.put("E(" + n + ")", new EuclideanGroup("E(" + n + ")", n, true, true));
        }
        for (int n = 2; n <= MAX_PLANAR; n++) {
            out.put("C_" + n, new PlanarGroup(n, false));
        }
        for (int n = 2; n <= MAX_PLANAR; n++) {
            out.put("D_" + n, new PlanarGroup(n, true));
        }
        out.put(Permutation.GROUP, new PermutationGroup());
        for (boolean cyclic : new boolean[] {false, true}) {
            for (int axes = 1; axes <= 2; axes++) {
                ShiftGroup g = new ShiftGroup(axes, cyclic);
                out.put(g.id(), g);
            }
        }
        out.put(ScalingGroup.ID, new ScalingGroup());
        return out;
    }

    @Activate
    public GroupCatalogue(BundleContext context) {
        for (Map.Entry<String, SymmetryGroup> e : groups().entrySet()) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(SymmetryGroup.ID, e.getKey());
            registrations.add(context.registerService(SymmetryGroup.class, e.getValue(), props));
        }
    }

    @Deactivate
    void stop() {
        for (ServiceRegistration<SymmetryGroup> r : registrations) {
            r.unregister();
        }
        registrations.clear();
    }
}
