/* Private data of KrylearnBalance. */
#ifndef KRYLEARN_BALANCEIMPL_H
#define KRYLEARN_BALANCEIMPL_H

#include <krylearnbalance.h>
#include <petsc/private/petscimpl.h>

struct _KrylearnBalanceOps {
  PetscErrorCode (*dummy)(void);
};

/* The Newton matrix of both modes is diag(P1) + P with P = diag(w) S diag(w) and S the
   symmetric form of the kernel: S = K (symmetric mode, w = d), or S = [[0, K], [K^T, 0]]
   (general mode, w = (r, c), unknowns ordered per rank as local rows of r then of c). */
struct _p_KrylearnBalance {
  PETSCHEADER(struct _KrylearnBalanceOps);
  /* problem and settings */
  Mat       A;
  PetscBool symmetric;
  PetscReal power, tol, rtol_max;
  PetscInt  max_it, warmup;
  PetscBool newton, monitor;
  PetscBool drop_unsupported; /* leave entries on no perfect matching out instead of failing */
  /* set up from A */
  PetscObjectState Astate;               /* state of A when the kernel was built */
  PetscObjectState Anzstate;             /* nonzero state of A when the structures were built */
  PetscInt         nloc;                 /* local rows of A */
  Mat              K, Kt;                /* |A|^p and, in general mode, its transpose */
  Mat              S, H;                 /* symmetric form of K (diagonal stored), Newton matrix */
  Vec              w, Sw, rs, g, d, res; /* in S's layout: scalings, S w, row sums of P, gradient, step, scratch */
  Vec              r, c, t;              /* scalings of A (c NULL in symmetric mode; general sweeps work in them); scratch, A's layout */
  Vec              flip;                 /* general mode: 1 on r's unknowns, -1 on c's (see NewtonStep) */
  MatNullSpace     nullsp;               /* general mode: the constants, after the flip */
  Mat              Sd, So;               /* local blocks of S (So NULL on one rank) */
  VecScatter       ghost;                /* S's off-process columns */
  Vec              wghost, dghost;
  KSP              ksp;
  PetscBool        support_checked; /* the pattern's total support was confirmed (or made) once */
  PetscInt         ndropped;        /* entries left out of the kernel: on no perfect matching */
  PetscBool        warm;            /* w holds the scalings of a previous solve of this pattern */
  /* results */
  KrylearnBalanceConvergedReason reason;
  PetscInt                       its_sinkhorn, its_newton, ksp_its;
  PetscReal                      err, wmin, wmax, rmin, rmax, cmin, cmax;
};

PETSC_INTERN PetscLogEvent KRYLEARN_BalanceSetUp, KRYLEARN_BalanceSinkhorn, KRYLEARN_BalanceNewtonAssembly, KRYLEARN_BalanceNewtonSolve, KRYLEARN_BalanceLineSearch;

PETSC_INTERN PetscErrorCode KrylearnBalanceSolve_Private(KrylearnBalance);
PETSC_INTERN PetscErrorCode KrylearnBalanceCheckSupport_Private(KrylearnBalance, PetscBool *);
PETSC_INTERN PetscErrorCode KrylearnBalanceKernelChanged_Private(KrylearnBalance);

#endif
