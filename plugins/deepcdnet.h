/* Grid, model and operator handling shared by KSPDEEPCD and PCDEEPCD: the network
   bound to a DMDA, the mapping between the operator's ordering and the DMDA's, and
   the cells the operator marks as outside the domain. */
#ifndef KRYLEARN_DEEPCDNET_H
#define KRYLEARN_DEEPCDNET_H

#include <krylearnksp.h>
#include <krylearnnn.h>

#define DEEPCD_MAXCLASSICAL 4

/* A matrix of the cycle, applied in single precision: an AIJ matrix by OpenMP loops over
   float copies of its local and off-process blocks (the off-process entries of x gathered
   while the local block is computed; a local block whose rows are a stencil stored by
   diagonals), any other matrix by MatMult */
typedef struct {
  Mat       M;                 /* not owned */
  PetscInt  m, nghost;         /* local rows; entries of x from other processes */
  PetscInt *ai, *aj, *bi, *bj; /* local block (local columns), off-process block (ghost numbers) */
  float    *aa, *ba;           /* NULL aa and dval: not AIJ */
  PetscInt  ndiag, *doff;      /* the local block by diagonals (ndiag > 0): column offsets, */
  float    *dval;              /* and the values, ndiag per row (aj, aa freed) */
  PetscSF   ghostsf;           /* local entries of x -> ghost, in the off-process block's column order */
  float    *ghost;
  Vec       x, y; /* MatMult's vectors for a matrix that is not AIJ */
} KrylearnDeepCDHybridOp;

/* Operator-smoothed hybrid directions (plugins/deepcd_hybrid.c): the classical levels of a
   model that declares a hybrid structure; level 0 is the operator's, level L the network's.
   The levels' work is in single precision, like the network: a direction needs no more,
   and DCDM applies A to it in double precision. */
typedef struct {
  PetscInt               levels, sweeps; /* 0 levels: a plain model */
  PetscReal              damping;
  PetscInt               iterations[DEEPCD_MAXCLASSICAL + 1]; /* flexible-CG steps on the coarse levels 1 .. L (1: a V-cycle) */
  PetscInt               n[DEEPCD_MAXCLASSICAL + 1][3];       /* grid extents of each level */
  PetscInt               m[DEEPCD_MAXCLASSICAL + 1];          /* local rows of each level */
  Mat                    Pgrid[DEEPCD_MAXCLASSICAL];          /* interpolation level l+1 -> l as a matrix, for MatPtAP (built when needed) */
  Mat                    P0;                                  /* Pgrid[0] zero on the rows outside the domain, for MatPtAP */
  Mat                    A[DEEPCD_MAXCLASSICAL + 1];          /* A[0] the operator (not owned), then Galerkin products (level L's when its iterations > 1) */
  KrylearnDeepCDHybridOp opA[DEEPCD_MAXCLASSICAL + 1], opP[DEEPCD_MAXCLASSICAL], opR[DEEPCD_MAXCLASSICAL];
  Vec                    r[DEEPCD_MAXCLASSICAL + 1], z[DEEPCD_MAXCLASSICAL + 1];     /* layouts of the levels l >= 1; on L, the network's input and output */
  float                 *in[DEEPCD_MAXCLASSICAL + 1], *out[DEEPCD_MAXCLASSICAL + 1]; /* level input (residual) and output (direction) */
  float                 *dinv[DEEPCD_MAXCLASSICAL + 1];                              /* w/A_ii (0 outside the domain and where A_ii = 0) */
  float                 *mask;                                                       /* level 0: 1 on coupled cells, 0 outside the domain */
  float                 *t[DEEPCD_MAXCLASSICAL], *d[DEEPCD_MAXCLASSICAL], *e[DEEPCD_MAXCLASSICAL], *ae[DEEPCD_MAXCLASSICAL];
  float                 *krylov[DEEPCD_MAXCLASSICAL + 1]; /* levels l >= 1 with iterations > 1: solution, A p, the earlier p and A p */
} KrylearnDeepCDHybrid;

/* What one pass over the operator's rows finds (plugins/deepcdnet.c, DeepCDScanOperator) */
typedef struct {
  PetscBool getrow;    /* whether the operator has rows to scan */
  PetscInt  faces[12]; /* per face: coupled rows of the cells on it alone, those summing to zero */
  PetscInt  decoupled; /* local rows without a nonzero off-diagonal entry */
} KrylearnDeepCDScan;

typedef struct {
  const char            *pre;                       /* options prefix of the owner: "ksp" or "pc" */
  char                   model[PETSC_MAX_PATH_LEN]; /* as set; empty: the shipped default for the grid's dimension */
  char                   modelused[PETSC_MAX_PATH_LEN];
  PetscBool              defaultgalerkin; /* the default with Galerkin levels was chosen (a grid it fits) */
  PetscInt               gdim, gn[3];     /* grid set by option or setter (gdim = 0: none) */
  const char            *gridsource;
  PetscInt               dim, n[3]; /* grid of the operator */
  PetscInt              *rowcell;   /* natural cell of each local operator row */
  KrylearnDeepCDFaceType faces;     /* as set */
  KrylearnNetFace        face[6];   /* in use: x-, x+, y-, y+, z-, z+ */
  PetscInt               N[3];      /* grid of the network: its level's extents padded for its poolings */
  KrylearnDeepCDHybrid   hyb;       /* classical levels of a hybrid model */
  KrylearnNet            net;
  DM                     da;       /* the network's DMDA (N, pooling-friendly ownership) */
  VecScatter             tonet;    /* operator rows -> network cells */
  Vec                    xda, yda; /* network input and output */
  Vec                    mask;     /* 1 on coupled cells, 0 on cells outside the domain */
  Vec                    dinv;     /* 1/A_ii on decoupled (diagonal-only) rows, 0 elsewhere */
  KrylearnDeepCDScan     scan;     /* of the operator, which fills mask and dinv */
  PetscInt               ndecoupled;
  PetscInt               nsolid; /* solid cells given to a network that reads them; -1: it does not */
  PetscObjectId          matid;
  PetscObjectState       matstate;
  PetscInt               threads;    /* OpenMP threads of the classical level and network on this rank */
  PetscInt               ompthreads; /* what OpenMP would use (OMP_NUM_THREADS or its default) */
  PetscInt               cores;      /* the cores this rank has alone */
  PetscMPIInt            noderanks;  /* ranks of the solver on this rank's node */
  PetscInt               napply;
  PetscLogDouble         tapply;
} KrylearnDeepCDNet;

PETSC_INTERN PetscLogEvent KRYLEARN_DeepCDNetApply, KRYLEARN_DeepCDSetUp, KRYLEARN_DeepCDGalerkin;

PETSC_INTERN PetscErrorCode KSPCreate_DeepCD(KSP);
PETSC_INTERN PetscErrorCode PCCreate_DeepCD(PC);

PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetFromOptions(PetscOptionItems *, KrylearnDeepCDNet *);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetModel(KrylearnDeepCDNet *, const char[]);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetFaces(KrylearnDeepCDNet *, KrylearnDeepCDFaceType);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetGrid(MPI_Comm, KrylearnDeepCDNet *, PetscInt, const PetscInt[]);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetGetGrid(KrylearnDeepCDNet *, PetscInt *, PetscInt[]);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetUp(KrylearnDeepCDNet *, PetscObject, DM, Mat);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetApply(KrylearnDeepCDNet *, Vec, PetscReal, Vec);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetView(KrylearnDeepCDNet *, PetscViewer);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetReset(KrylearnDeepCDNet *);

/* deepcd_hybrid.c */
PETSC_INTERN PetscErrorCode KrylearnDeepCDHybridSetUpGrid(MPI_Comm, KrylearnDeepCDNet *, Mat, AO, Vec *);
PETSC_INTERN PetscErrorCode KrylearnDeepCDHybridSetUpOperator(KrylearnDeepCDNet *, Mat, Vec);
PETSC_INTERN PetscErrorCode KrylearnDeepCDHybridApply(KrylearnDeepCDNet *, Vec, PetscReal, Vec);
PETSC_INTERN PetscErrorCode KrylearnDeepCDHybridView(KrylearnDeepCDNet *, PetscViewer);
PETSC_INTERN PetscErrorCode KrylearnDeepCDHybridReset(KrylearnDeepCDNet *);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetRun_Private(KrylearnDeepCDNet *, Vec, PetscReal, Vec);

#endif
