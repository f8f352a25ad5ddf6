package org.attune.symmetry.e3;

import org.attune.api.equivariance.IrrepAlgebra;
import org.osgi.service.component.annotations.Component;

/**
 * The {@link IrrepAlgebra} service: each operation delegates to the float64 block of this package that holds
 * it ({@link SphericalHarmonics}, {@link ClebschGordan}, {@link WignerD}, {@link TensorFieldProduct},
 * {@link RadialBasis}, {@link SphereGrid}), so plug-in bundles reach them through the API while the blocks
 * stay private. Stateless; public so that other bundles' unit tests can construct it without a framework.
 */
@Component(service = IrrepAlgebra.class)
public final class RealIrrepAlgebra implements IrrepAlgebra {
    @Override
    public int maxDegree() {
        return SphericalHarmonics.MAX_DEGREE;
    }

    @Override
    public double[] sphericalHarmonics(int l, double[] x) {
        return SphericalHarmonics.of(l, x);
    }

    @Override
    public double[] clebschGordan(int l1, int l2, int l3) {
        return ClebschGordan.real(l1, l2, l3);
    }

    @Override
    public double[] wignerD(int l, double[] rotation) {
        return WignerD.matrix(l, rotation);
    }

    @Override
    public double[] couple(int l1, double[] a, int l2, double[] b, int l3) {
        return TensorFieldProduct.couple(l1, a, l2, b, l3);
    }

    @Override
    public double[] gaussianBasis(double r, int k, double cutoff) {
        return RadialBasis.gaussian(r, k, cutoff);
    }

    @Override
    public double[] besselBasis(double r, int k, double cutoff) {
        return RadialBasis.bessel(r, k, cutoff);
    }

    @Override
    public double cosineCutoff(double r, double cutoff) {
        return RadialBasis.cosineCutoff(r, cutoff);
    }

    @Override
    public Quadrature sphereGrid(int latitudes, int longitudes) {
        SphereGrid grid = SphereGrid.of(latitudes, longitudes);
        double[] points = new double[3 * grid.size()];
        double[] weights = new double[grid.size()];
        for (int p = 0; p < grid.size(); p++) {
            System.arraycopy(grid.point(p), 0, points, 3 * p, 3);
            weights[p] = grid.weight(p);
        }
        return new Quadrature(points, weights);
    }
}
