/* The KrylearnMLP object: a model, its shard of the data, and the caches of one evaluation. */
#ifndef KRYLEARN_SPECTRUM_MLPIMPL_H
#define KRYLEARN_SPECTRUM_MLPIMPL_H

#include <krylearnspectrum.h>
#include "mlp.h"

#include <petsc/private/petscimpl.h>

struct _p_KrylearnMLP {
  PETSCHEADER(int); /* a PetscObject without an ops table, like PETSc's own containers */
  MPI_Comm   comm;  /* PetscObjectComm(mlp), named once for the many messages */
  PetscInt   block; /* samples per block in the products */
  MLPModel   model;
  MLPWork    work;
  PetscInt   nsamples;   /* in the whole data set */
  PetscReal *X, *target; /* this rank's rows */
  PetscInt  *label;
  PetscReal  loss, gradnorm; /* at the loaded parameters, weight decay included */
  Vec        vall;           /* a parameter vector gathered on every rank */
  VecScatter toall;
  PetscReal *yall; /* a full-length product, summed over the ranks */
};

#endif
