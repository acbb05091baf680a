/* The KrylearnMLP object: a model, its shard of the data, and the caches of one evaluation. */
#ifndef KRYLEARN_SPECTRUM_MLPIMPL_H
#define KRYLEARN_SPECTRUM_MLPIMPL_H

#include <krylearnspectrum.h>
#include "mlp.h"

struct _n_KrylearnMLP {
  MPI_Comm   comm;
  PetscInt   refct;
  MLPModel   model;
  MLPWork    work;
  PetscInt   nsamples;        /* in the whole data set */
  PetscReal *X, *target;      /* this rank's rows */
  PetscInt  *label;
  PetscReal  loss, gradnorm;  /* at the loaded parameters, weight decay included */
  Vec        vall;            /* a parameter vector gathered on every rank */
  VecScatter toall;
  PetscReal *yall;            /* a full-length product, summed over the ranks */
};

#endif
