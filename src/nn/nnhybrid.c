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

.seealso: `KrylearnNetLoad()`, `KrylearnNetGetGeometry()`
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
