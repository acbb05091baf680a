/* Multi-layer perceptron losses and their curvature products: the arithmetic only.

   Arrays are row-major with one row per sample. Layer l maps act[l] to act[l+1];
   act[0] is the input block X and act[L] the network output f. The parameter vector
   is the concatenation, over the linear layers in order, of W (nout x nin, row-major)
   and then b (nout), which is the order of torch.nn.Module.parameters(). */
#ifndef KRYLEARN_SPECTRUM_MLP_H
#define KRYLEARN_SPECTRUM_MLP_H

#include <krylearnspectrum.h> /* KrylearnCurvature: which product */

typedef enum {
  MLP_LAYER_LINEAR,
  MLP_LAYER_RELU,
  MLP_LAYER_TANH,
  MLP_LAYER_SIGMOID,
  MLP_LAYER_GELU
} MLPLayerType;

typedef enum {
  MLP_LOSS_CROSS_ENTROPY,
  MLP_LOSS_MSE
} MLPLoss;

typedef struct {
  MLPLayerType type;
  PetscInt     nin, nout; /* widths of act[l] and act[l+1] */
  PetscBool    bias;      /* linear layers: whether b is present */
  PetscInt     offset;    /* linear layers: position of W in the parameter vector */
} MLPLayer;

typedef struct {
  PetscInt   nlayers;
  MLPLayer  *layer;
  PetscInt   ninput, noutput, nparam;
  MLPLoss    loss;
  PetscReal  weight_decay;
  PetscReal *theta; /* nparam parameters */
} MLPModel;

/* Everything a shard of n samples needs; the network evaluation at theta is cached
   so that each product costs only the two directional passes. */
typedef struct {
  PetscInt         n;      /* samples in this shard */
  PetscInt         block;  /* rows per block in the products */
  PetscInt         ntotal; /* samples in the whole data set (the loss averages over it) */
  const PetscReal *X;      /* n x ninput */
  const PetscInt  *label;  /* cross entropy: n labels */
  const PetscReal *target; /* mean squared error: n x noutput */
  PetscReal      **act;    /* L+1 blocks: layer inputs, then the output */
  PetscReal      **dact;   /* activation layers: sigma'(act[l]) */
  PetscReal      **ddact;  /* activation layers: sigma''(act[l]) */
  PetscReal      **delta;  /* dLoss/d act[l], l = 1..L */
  PetscReal      **ract;   /* block x width: directional derivative of act[l] */
  PetscReal      **rdelta; /* block x width: directional derivative (or linearised back-propagation) of delta[l] */
  PetscReal       *u;      /* n x noutput: per-sample loss gradient dl_i/df_i */
  PetscReal       *prob;   /* cross entropy: n x noutput softmax probabilities */
  PetscReal        loss;   /* this shard's share of the mean loss (without weight decay) */
} MLPWork;

PETSC_INTERN PetscErrorCode MLPModelFinalize(MLPModel *, const char[]);
PETSC_INTERN PetscErrorCode MLPModelReset(MLPModel *);
PETSC_INTERN PetscErrorCode MLPWorkCreate(const MLPModel *, PetscInt, PetscInt, const PetscReal *, const PetscInt *, const PetscReal *, PetscInt, MLPWork *);
PETSC_INTERN PetscErrorCode MLPWorkDestroy(const MLPModel *, MLPWork *);
PETSC_INTERN PetscErrorCode MLPEvaluate(const MLPModel *, MLPWork *, PetscReal *);
PETSC_INTERN PetscErrorCode MLPProductApply(const MLPModel *, MLPWork *, KrylearnCurvature, const PetscReal *, PetscReal *);
PETSC_INTERN PetscErrorCode MLPWorkSetBlock(const MLPModel *, MLPWork *, PetscInt);

#endif
