/* Private interface of the Krylearn ingestion engine: the matrix layouts' view of the
   checked HDF5 layer (h5file.c), the entry lists they produce and the collective error
   checks. */
#ifndef KRYLEARNIOIMPL_H
#define KRYLEARNIOIMPL_H

#include <krylearnio.h>
#include <petsc/private/petscimpl.h>

PETSC_INTERN PetscLogEvent KRYLEARN_IngestRead, KRYLEARN_IngestAssemble, KRYLEARN_IngestVecLoad, KRYLEARN_IngestWrite;

/* An open HDF5 file and the group of a matrix, read by every rank on its own (no collective
   HDF5 calls); names are relative to the group. */
typedef struct {
  MPI_Comm       comm;
  const char    *file;
  char           group[PETSC_MAX_PATH_LEN];
  char           dataset[PETSC_MAX_PATH_LEN]; /* set when the path names a dataset instead of a group */
  KrylearnH5File f;
} KrylearnH5;

/* The matrix entries one rank contributes: global indices, any rows (the assembly moves
   entries to their owners and sums repeated ones). */
typedef struct {
  PetscInt     M, N;
  PetscInt     rstart, rend; /* rows owned here */
  PetscCount   n, alloc;
  PetscInt    *i, *j;
  PetscScalar *v;
  PetscBool    symmetric; /* the file stores one triangle of a symmetric matrix */
  PetscInt     griddim, grid[3];
  int64_t     *ptr, *idx; /* scratch of the readers, freed with the entries */
  PetscScalar *val;
} KrylearnEntries;

PETSC_INTERN PetscErrorCode KrylearnH5Open(MPI_Comm, const char[], const char[], KrylearnH5 *);
PETSC_INTERN PetscErrorCode KrylearnH5Close(KrylearnH5 *);
PETSC_INTERN PetscErrorCode KrylearnH5Has(KrylearnH5 *, const char[], PetscBool *);
PETSC_INTERN PetscErrorCode KrylearnH5HasAttribute(KrylearnH5 *, const char[], PetscBool *);
PETSC_INTERN PetscErrorCode KrylearnH5Path(KrylearnH5 *, const char[], char[]);
PETSC_INTERN PetscErrorCode KrylearnH5GetLength(KrylearnH5 *, const char[], KrylearnH5Type, int64_t *);
PETSC_INTERN PetscErrorCode KrylearnH5ReadIndices(KrylearnH5 *, const char[], int64_t, int64_t, int64_t *);
PETSC_INTERN PetscErrorCode KrylearnH5ReadValues(KrylearnH5 *, const char[], int, const int64_t[], const int64_t[], PetscScalar *);
PETSC_INTERN PetscErrorCode KrylearnH5ReadIntAttribute(KrylearnH5 *, const char[], PetscInt, PetscInt *, PetscInt[]);
PETSC_INTERN PetscErrorCode KrylearnH5ReadStringAttribute(KrylearnH5 *, const char[], size_t, char[], PetscBool *);
PETSC_INTERN PetscErrorCode KrylearnH5ReadShape(KrylearnH5 *, int64_t *, int64_t *);
PETSC_INTERN PetscErrorCode KrylearnCheckValues(KrylearnH5 *, const char[], PetscCount, const PetscScalar[], int64_t);

PETSC_INTERN PetscErrorCode KrylearnEntriesSetSizes(KrylearnEntries *, MPI_Comm, const char[], int64_t, int64_t);
PETSC_INTERN PetscErrorCode KrylearnEntriesReserve(KrylearnEntries *, PetscCount);
PETSC_INTERN PetscErrorCode KrylearnEntriesAdd(KrylearnEntries *, PetscInt, PetscInt, PetscScalar);
PETSC_INTERN PetscErrorCode KrylearnEntriesDestroy(KrylearnEntries *);

PETSC_INTERN PetscErrorCode KrylearnReadCompressed(KrylearnH5 *, KrylearnIOLayout, KrylearnEntries *);
PETSC_INTERN PetscErrorCode KrylearnReadCOO(KrylearnH5 *, KrylearnEntries *);
PETSC_INTERN PetscErrorCode KrylearnReadDense(KrylearnH5 *, const char[], KrylearnEntries *);
PETSC_INTERN PetscErrorCode KrylearnReadMatrixMarket(MPI_Comm, const char[], KrylearnEntries *);
PETSC_INTERN PetscErrorCode KrylearnMatSetLayout(Mat, KrylearnIOLayout);
PETSC_INTERN PetscInt64     KrylearnGridCells(PetscInt, const PetscInt[]);

#endif
