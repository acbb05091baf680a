/* Private data of the OT object, shared by the type implementations. */
#ifndef KRYLEARN_OTIMPL_H
#define KRYLEARN_OTIMPL_H

#include <krylearnot.h>
#include <petsc/private/petscimpl.h>
#include "ot/impls/otkernel.h"

#define OT_MAX_MONITORS 5

struct _OTOps {
  PetscErrorCode (*setup)(OT);
  PetscErrorCode (*solve)(OT);
  PetscErrorCode (*setfromoptions)(OT, PetscOptionItems *);
  PetscErrorCode (*view)(OT, PetscViewer);
  PetscErrorCode (*destroy)(OT);
};

struct _p_OT {
  PETSCHEADER(struct _OTOps);
  /* problem */
  Mat        Cmat, Xmat, Ymat; /* cost matrix, or the two point clouds */
  OTCostType costtype;
  Vec        r, c; /* marginals: r in the row layout, c in any layout */
  PetscReal  eta, tol;
  PetscInt   max_it;
  /* set up from the problem */
  OTCostRows rows;  /* local cost rows seen by the kernels */
  PetscReal *store; /* owned copies the kernels read (dense rows, CSR values, clouds) */
  PetscInt  *istore;
  PetscInt   n, m, nloc, rstart;
  PetscReal *rl, *cf;      /* local r, full c */
  PetscReal *x, *y, *xnew; /* local x, full y (identical on every rank), scratch */
  PetscReal *colsum, *colmax, *work;
  VecScatter ctoall; /* c's layout -> a full copy on every rank */
  Vec        cfull, xvec, yvec;
  /* results */
  OTConvergedReason reason;
  PetscInt          its_sinkhorn, its_newton;
  PetscReal         marginal_error, transport_cost, solve_time;
  /* monitors */
  PetscErrorCode (*monitor[OT_MAX_MONITORS])(OT, PetscInt, PetscInt, PetscReal, void *);
  PetscErrorCode (*monitordestroy[OT_MAX_MONITORS])(void **);
  void     *monitorcontext[OT_MAX_MONITORS];
  PetscInt  numbermonitors;
  PetscBool setupcalled;
  void     *data;
};

PETSC_INTERN PetscLogEvent KRYLEARN_OTSetUp, KRYLEARN_OTSinkhorn, KRYLEARN_OTPlanStats, KRYLEARN_OTNewtonAssembly, KRYLEARN_OTNewtonSolve, KRYLEARN_OTLineSearch;

/* Phase passed to the monitors. */
#define OT_PHASE_SINKHORN 0
#define OT_PHASE_NEWTON   1

PETSC_INTERN PetscErrorCode OTMonitor_Private(OT, PetscInt, PetscInt, PetscReal);
PETSC_INTERN PetscErrorCode OTSinkhornSweeps_Private(OT, PetscReal, PetscInt, PetscReal, PetscInt *, PetscReal *);
PETSC_INTERN PetscErrorCode OTPlanStats_Private(OT, PetscReal *, PetscReal *, PetscReal *, PetscReal *, PetscReal *);
PETSC_INTERN PetscErrorCode OTCreate_Sinkhorn(OT);
PETSC_INTERN PetscErrorCode OTCreate_SNS(OT);

#endif
