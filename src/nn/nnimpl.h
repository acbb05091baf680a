/* Private structures of the Krylearn network runtime.

   A model file is read into graphs of operations (NNGraph, NNOp) and named weights
   (NNWeight). KrylearnNetSetUp expands the graphs for one grid into a flat list of
   steps (NNStep) on values (NNValue: one activation tensor on this process's block)
   and assigns values to reusable buffers. Activations are stored float32 in a
   channel-blocked layout [c/b][z][y][x][b] with b the SIMD width in floats (16 with
   AVX-512, else 8) when it divides the channel count, else 8 when 8 does, else 1
   (plain). 2-D grids use z extent 1. */
#ifndef KRYLEARN_NNIMPL_H
#define KRYLEARN_NNIMPL_H

#include <krylearnnn.h>
#include <petsc/private/petscimpl.h>
#include <dnnl.h>

#define NN_NAME     64 /* longest tensor, weight or graph name + 1 */
#define NN_MAXSHIFT 32 /* poolings below the grid a value can have */

typedef enum {
  NN_CONV,
  NN_AVGPOOL,
  NN_UPSAMPLE,
  NN_ADD,
  NN_MUL,
  NN_VCYCLE,
  NN_RECURSE
} NNOpType;
PETSC_INTERN const char *const NNOpTypes[];

typedef struct {
  NNOpType  type;
  PetscInt  nin, in[2], out;        /* tensor indices in the graph: 0 is the graph input, i+1 the output of op i */
  PetscInt  weight, bias;           /* indices into the weight table, bias -1 when absent */
  PetscInt  k, cin, cout;           /* conv */
  PetscBool relu;                   /* conv, mul */
  PetscInt  body, levels, coarsest; /* vcycle: graph index of the body */
} NNOp;

typedef struct {
  char     name[NN_NAME];
  PetscInt nops, output;
  NNOp    *ops;
  char (*tname)[NN_NAME]; /* nops + 2 tensor names: input, op outputs, geometry */
  PetscInt *tc, *ts;      /* channels and poolings (relative to the graph input) of each tensor */
  PetscInt  recshift;     /* body graphs: poolings at the input of the recurse op */
  PetscInt  geometry;     /* tensor index (nops + 1) of the geometry field, -1 when the graph reads none */
} NNGraph;

typedef struct {
  char     name[NN_NAME];
  PetscInt ndim, shape[5], size;
  float   *data;
} NNWeight;

typedef enum {
  NN_STEP_CONV,
  NN_STEP_AVGPOOL,
  NN_STEP_UPSAMPLE,
  NN_STEP_ADD,
  NN_STEP_MUL,
  NN_STEP_ZERO
} NNStepType;

typedef struct {
  PetscInt c, b, shift; /* channels, channel block, poolings below the grid */
  PetscInt n[3];        /* local extents x, y, z */
  size_t   size;        /* floats */
  PetscInt buf, last;   /* buffer index; last step reading it */
} NNValue;

typedef struct {
  NNStepType            type;
  PetscInt              in, in2, out; /* value indices; for a conv with fused sum in2 is the addend whose buffer out shares */
  const NNOp           *op;
  PetscBool             sum;          /* conv: out = act(conv(in) + bias) + in2 */
  PetscBool             inplace;      /* ... with out in in2's buffer (not for oneDNN's binary post-op: it may not alias dst) */
  PetscInt              lo[3], hi[3]; /* conv: halo widths taken from neighbours (or zeros) on each side */
  PetscBool             padded;       /* conv input goes through the halo buffer */
  PetscBool             direct;       /* conv by the direct kernel (no oneDNN, or oneDNN offers only its reference code) */
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t      prim;                            /* oneDNN convolution */
  dnnl_memory_t         src, dst, bias, scratch, addend; /* bound to this step's buffers at set-up */
  PetscInt              wmem;                            /* index of the reordered weights in the net's table */
  int                   binpo;                           /* index of the binary-add post-op (residual after a ReLU), -1 if none */
} NNStep;

struct _p_KrylearnNet {
  PETSCHEADER(int); /* a PetscObject without an ops table, like PETSc's own containers */
  MPI_Comm  comm;   /* PetscObjectComm(net), named once for the many messages */
  char     *file;
  PetscInt  dim, ngraphs, nweights;
  NNGraph  *graphs;
  NNWeight *weights;
  char      name[NN_NAME];
  char      geometry[NN_NAME]; /* kind of geometry field read ("solid"), "" for none */
  char      smoother[NN_NAME]; /* hybrid structure (/hybrid): smoother, "" for a plain model */
  PetscInt  sweeps, clevels;   /* ... sweeps before and after, classical levels, */
  PetscInt  citerations[4];    /* flexible-CG steps on the coarse levels 1 .. clevels (1: a V-cycle) */
  PetscReal damping;
  /* set up for a grid */
  DM              dm;
  PetscInt        M[3], xs[3], n[3]; /* global extents, block start and extents */
  PetscMPIInt     nbr[3][2];         /* neighbour ranks on the low and high side of each axis */
  KrylearnNetFace face[3][2];        /* what convolutions see past the grid's low and high faces */
  PetscInt        domain[3];         /* cells of the domain per axis from the grid's start (0: all); activations are zero past them */
  PetscInt        levels;            /* vcycle levels chosen (0 without vcycle) */
  PetscLogDouble  flops;             /* convolution flops of one application on this process */
  PetscInt        nvalues, nsteps, nbufs, input, output;
  PetscInt        geomval[NN_MAXSHIFT]; /* value of the geometry field pooled s times, -1 until a graph reads it */
  PetscBool       geomset;              /* KrylearnNetSetGeometry() called since the set-up */
  NNValue        *values;
  NNStep         *steps;
  float         **bufs;
  size_t          bufsize;                  /* floats in all activation buffers */
  float          *halo, *sendbuf, *recvbuf; /* halo-padded conv input and exchange buffers */
  size_t          halosize, commsize;
  float         **wpack; /* per weight: direct-kernel layout [cout/b][cin][kz][ky][kx][b] */
  PetscBool       usednnl;
  PetscInt        block; /* preferred channel block */
  dnnl_engine_t   engine;
  dnnl_stream_t   stream;
  PetscInt        nwmem;
  dnnl_memory_t  *wmems; /* reordered weights, shared by steps of one op */
  const NNOp    **wmemop;
  void           *scratch;
  size_t          scratchsize;
};

/* nnload.c */
PETSC_INTERN PetscErrorCode KrylearnNetReadFile_Private(KrylearnNet);
/* nnplan.c */
PETSC_INTERN PetscInt       NNChannelBlock(KrylearnNet, PetscInt);
PETSC_INTERN PetscErrorCode KrylearnNetPlan_Private(KrylearnNet);
PETSC_INTERN PetscErrorCode KrylearnNetResetPlan_Private(KrylearnNet);
/* nnhalo.c */
PETSC_INTERN PetscErrorCode KrylearnNetFillHalo_Private(KrylearnNet, const NNStep *);
/* nndnnl.c */
PETSC_INTERN PetscErrorCode KrylearnNetDnnlCreate_Private(KrylearnNet);
PETSC_INTERN PetscErrorCode KrylearnNetDnnlBind_Private(KrylearnNet);
PETSC_INTERN PetscErrorCode KrylearnNetDnnlConv_Private(KrylearnNet, const NNStep *);
PETSC_INTERN PetscErrorCode KrylearnNetDnnlDestroy_Private(KrylearnNet);

/* nnkernels.c: float32 math on blocked layouts; extents are x, y, z */
PETSC_INTERN void NNBoxCopy(float *, const PetscInt[3], const PetscInt[3], const float *, const PetscInt[3], const PetscInt[3], const PetscInt[3], PetscInt, PetscInt);
PETSC_INTERN void NNZeroOutside(KrylearnNet, const NNValue *, float *);
PETSC_INTERN void NNBoxZero(float *, const PetscInt[3], const PetscInt[3], const PetscInt[3], PetscInt, PetscInt);
PETSC_INTERN void NNPackWeights(const float *, PetscInt, PetscInt, PetscInt, PetscInt, PetscInt, float *);
PETSC_INTERN void NNConvDirect(const float *, const PetscInt[3], PetscInt, PetscInt, float *, const PetscInt[3], PetscInt, PetscInt, const float *, const float *, PetscInt, PetscInt, PetscBool, const float *);
PETSC_INTERN void NNAvgPool(const float *, const PetscInt[3], PetscInt, PetscInt, float *, PetscInt);
PETSC_INTERN void NNUpsample(const float *, const PetscInt[3], PetscInt, PetscInt, float *, PetscInt);
PETSC_INTERN void NNAdd(const float *, const float *, size_t, float *);
PETSC_INTERN void NNMul(const float *, PetscInt, PetscInt, const float *, PetscBool, size_t, PetscBool, float *);

#endif
