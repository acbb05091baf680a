/* Spectral density from quadrature nodes, and the outlier count of a spectrum. */
#include <krylearnspectrum.h>
#include <petsc/private/petscimpl.h> /* PetscValid* checks */

/*@C
  KrylearnSpectrumDensity - Evaluates the smoothed spectral density
  (1/probes) sum_j w_j N(t; theta_j, sigma^2) on a grid.

  Not Collective

  Input Parameters:
+ n       - number of nodes
. nodes   - quadrature nodes theta_j
. weights - quadrature weights w_j (summing to 1 per probe)
. probes  - number of probes the nodes come from
. sigma   - Gaussian broadening (standard deviation), positive
. ngrid   - number of grid points
- grid    - the grid

  Output Parameter:
. density - the density at each grid point (integrates to 1)

  Level: intermediate

.seealso: `KrylearnSpectrumSLQ()`
@*/
PetscErrorCode KrylearnSpectrumDensity(PetscInt n, const PetscReal nodes[], const PetscReal weights[], PetscInt probes, PetscReal sigma, PetscInt ngrid, const PetscReal grid[], PetscReal density[])
{
  const PetscReal c = 1.0 / (probes * sigma * PetscSqrtReal(2.0 * PETSC_PI));

  PetscFunctionBegin;
  PetscValidRealPointer(nodes, 2);
  PetscValidRealPointer(weights, 3);
  PetscValidRealPointer(grid, 7);
  PetscValidRealPointer(density, 8);
  PetscCheck(n >= 0 && probes >= 1 && ngrid >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Density needs n >= 0 nodes, at least one probe (-density_probes) and one grid point (-density_grid), got %" PetscInt_FMT ", %" PetscInt_FMT ", %" PetscInt_FMT, n, probes, ngrid);
  PetscCheck(sigma > 0 && !PetscIsInfOrNanReal(sigma), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Density broadening sigma %g (-density_sigma) must be positive and finite", (double)sigma);
  PetscCheck(sigma > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "The density broadening must be positive, got %g", (double)sigma);
  for (PetscInt g = 0; g < ngrid; g++) {
    PetscReal s = 0;
    for (PetscInt j = 0; j < n; j++) {
      const PetscReal x = (grid[g] - nodes[j]) / sigma;
      if (weights[j] > 0 && PetscAbsReal(x) < 40) s += weights[j] * PetscExpReal(-0.5 * x * x);
    }
    density[g] = c * s;
  }
  PetscFunctionReturn(0);
}

/*@C
  KrylearnSpectrumOutlierCount - Counts the outliers at the top of a spectrum as the
  position of its largest gap on a logarithmic scale.

  Not Collective

  Input Parameters:
+ k   - number of eigenvalues
- eig - the largest eigenvalues, in decreasing order

  Output Parameter:
. count - number of eigenvalues above the largest ratio lambda_i / lambda_{i+1} among the
          positive ones (the first non-positive eigenvalue ends the search)

  Level: intermediate
@*/
PetscErrorCode KrylearnSpectrumOutlierCount(PetscInt k, const PetscReal eig[], PetscInt *count)
{
  PetscReal best = 0;

  PetscFunctionBegin;
  PetscValidIntPointer(count, 3);
  *count = 0;
  for (PetscInt i = 0; i + 1 < k && eig[i] > 0; i++) {
    const PetscReal gap = eig[i + 1] > 0 ? PetscLogReal(eig[i] / eig[i + 1]) : PETSC_MAX_REAL;
    if (gap > best) {
      best   = gap;
      *count = i + 1;
    }
    if (eig[i + 1] <= 0) break;
  }
  PetscFunctionReturn(0);
}
