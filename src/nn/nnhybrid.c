/* The hybrid structure a model file may declare (docs/model-format.md, "Hybrid structure") */
#include "nnimpl.h"

/*@C
  KrylearnNetGetHybrid - The classical cycle a model declares around itself: the network is
  then the coarse part of an operator-smoothed multigrid cycle run by its user.

  Not Collective

  Input Parameter:
. net - the network

  Output Parameters:
+ smoother - "jacobi" (damped Jacobi with the operator and its diagonal), or NULL for a plain model
. sweeps   - smoothing sweeps before and after the coarse correction
. damping  - the smoother's damping factor, in (0, 1]
- levels   - classical levels: the network runs on the grid 2^levels times coarser; 0 for a plain model

  Level: intermediate

  Note:
  Any output may be NULL. The cycle is described in docs/model-format.md; deepcd runs it
  with the user's matrix.

.seealso: `KrylearnNetLoad()`, `KrylearnNetGetGeometry()`, `KrylearnNetGetHybridCoarseIterations()`
@*/
PetscErrorCode KrylearnNetGetHybrid(KrylearnNet net, const char *smoother[], PetscInt *sweeps, PetscReal *damping, PetscInt *levels)
{
  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  if (smoother) *smoother = net->smoother[0] ? net->smoother : NULL;
  if (sweeps) *sweeps = net->sweeps;
  if (damping) *damping = net->damping;
  if (levels) *levels = net->smoother[0] ? net->clevels : 0;
  PetscFunctionReturn(0);
}

/*@C
  KrylearnNetGetHybridCoarseIterations - How a model's hybrid cycle solves the problem of each
  coarse level: with k_l steps of flexible conjugate gradients preconditioned by the next
  level's cycle (by the network on the last level).

  Not Collective

  Input Parameter:
. net - the network

  Output Parameter:
. iterations - k_1 .. k_L for the coarse levels 1 .. L (`KrylearnNetGetHybrid()`'s levels), each
               1 (a V-cycle: the cycle below applied once) to 4; 2 above the network's level is a
               K-cycle; NULL for a plain model. Owned by the network.

  Level: intermediate

  Note:
  Steps after the first make their direction conjugate, in the coarse level's Galerkin
  operator, to the earlier ones (docs/model-format.md).

.seealso: `KrylearnNetGetHybrid()`, `KrylearnNetLoad()`
@*/
PetscErrorCode KrylearnNetGetHybridCoarseIterations(KrylearnNet net, const PetscInt *iterations[])
{
  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  PetscValidPointer(iterations, 2);
  *iterations = net->smoother[0] ? net->citerations : NULL;
  PetscFunctionReturn(0);
}
