/* Grid, model and operator handling shared by KSPDEEPCD and PCDEEPCD: the network
   bound to a DMDA, the mapping between the operator's ordering and the DMDA's, and
   the cells the operator marks as outside the domain. */
#ifndef KRYLEARN_DEEPCDNET_H
#define KRYLEARN_DEEPCDNET_H

#include <krylearnksp.h>
#include <krylearnnn.h>

typedef struct {
  const char      *pre;                       /* options prefix of the owner: "ksp" or "pc" */
  char             model[PETSC_MAX_PATH_LEN]; /* as set; empty: the shipped default for the grid's dimension */
  char             modelused[PETSC_MAX_PATH_LEN];
  PetscInt         gdim, gn[3];               /* grid set by option or setter (gdim = 0: none) */
  const char      *gridsource;
  PetscInt         dim, n[3];                 /* grid of the operator */
  PetscInt         N[3];                      /* grid of the network: n padded for its poolings */
  KrylearnNet      net;
  DM               da;                        /* the network's DMDA (N, pooling-friendly ownership) */
  VecScatter       tonet;                     /* operator rows -> network cells */
  Vec              xda, yda;                  /* network input and output */
  Vec              mask;                      /* 1 on coupled cells, 0 on cells outside the domain */
  Vec              dinv;                      /* 1/A_ii on decoupled (diagonal-only) rows, 0 elsewhere */
  PetscInt         ndecoupled;
  PetscInt         nsolid;                    /* solid cells given to a network that reads them; -1: it does not */
  PetscObjectId    matid;
  PetscObjectState matstate;
  PetscInt         napply;
  PetscLogDouble   tapply;
} KrylearnDeepCDNet;

PETSC_INTERN PetscLogEvent KRYLEARN_DeepCDNetApply, KRYLEARN_DeepCDSetUp;

PETSC_INTERN PetscErrorCode KSPCreate_DeepCD(KSP);
PETSC_INTERN PetscErrorCode PCCreate_DeepCD(PC);

PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetFromOptions(PetscOptionItems *, KrylearnDeepCDNet *);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetModel(KrylearnDeepCDNet *, const char[]);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetGrid(MPI_Comm, KrylearnDeepCDNet *, PetscInt, const PetscInt[]);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetGetGrid(KrylearnDeepCDNet *, PetscInt *, PetscInt[]);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetSetUp(KrylearnDeepCDNet *, PetscObject, DM, Mat);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetApply(KrylearnDeepCDNet *, Vec, Vec);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetView(KrylearnDeepCDNet *, PetscViewer);
PETSC_INTERN PetscErrorCode KrylearnDeepCDNetReset(KrylearnDeepCDNet *);

#endif
