/* Krylearn matrix ingestion: sparse and dense matrices and vectors from HDF5 files in
   the common layouts (PETSc, MATLAB v7.3, scipy CSR/CSC, COO, dense) and from Matrix
   Market files, loaded in parallel by row blocks. See docs/io.md. */
#ifndef KRYLEARNIO_H
#define KRYLEARNIO_H

#include <petscmat.h>

/*E
  KrylearnIOLayout - how a matrix is stored in a file

  Level: beginner

  Values:
+ KRYLEARN_IO_LAYOUT_AUTO   - detect from the datasets and attributes found
. KRYLEARN_IO_LAYOUT_PETSC  - datasets jc (row pointers), ir (column indices), data; attribute MATLAB_sparse (columns)
. KRYLEARN_IO_LAYOUT_MATLAB - MATLAB v7.3 sparse: jc (column pointers), ir (row indices), data; attribute MATLAB_sparse (rows)
. KRYLEARN_IO_LAYOUT_CSR    - scipy-style indptr (row pointers), indices, data, shape
. KRYLEARN_IO_LAYOUT_CSC    - scipy-style indptr (column pointers), indices, data, shape
. KRYLEARN_IO_LAYOUT_COO    - row, col, data, shape
. KRYLEARN_IO_LAYOUT_DENSE  - one 2-D dataset (row-major)
- KRYLEARN_IO_LAYOUT_MTX    - Matrix Market coordinate text file
E*/
typedef enum {
  KRYLEARN_IO_LAYOUT_AUTO,
  KRYLEARN_IO_LAYOUT_PETSC,
  KRYLEARN_IO_LAYOUT_MATLAB,
  KRYLEARN_IO_LAYOUT_CSR,
  KRYLEARN_IO_LAYOUT_CSC,
  KRYLEARN_IO_LAYOUT_COO,
  KRYLEARN_IO_LAYOUT_DENSE,
  KRYLEARN_IO_LAYOUT_MTX
} KrylearnIOLayout;
PETSC_EXTERN const char *const KrylearnIOLayouts[];

PETSC_EXTERN PetscErrorCode KrylearnIOInitializePackage(void);
PETSC_EXTERN PetscErrorCode KrylearnMatLoad(MPI_Comm, const char[], const char[], Mat *);
PETSC_EXTERN PetscErrorCode KrylearnMatGetLayout(Mat, KrylearnIOLayout *);
PETSC_EXTERN PetscErrorCode KrylearnVecLoad(Mat, const char[], const char[], Vec *);
PETSC_EXTERN PetscErrorCode KrylearnMatWriteHDF5(Mat, const char[], const char[]);
PETSC_EXTERN PetscErrorCode KrylearnIOSplitPath(const char[], PetscBool, const char[], char[], char[]);
PETSC_EXTERN PetscErrorCode KrylearnMatSetGrid(Mat, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KrylearnMatGetGrid(Mat, PetscInt *, PetscInt[]);

/*S
  KrylearnH5File - an HDF5 file opened through Krylearn's checked HDF5 layer (src/io): every read and write
  of HDF5 in Krylearn goes through it

  Level: developer

.seealso: `KrylearnH5FileOpen()`, `KrylearnH5FileReadAttribute()`, `KrylearnH5FileReadDataset()`
S*/
typedef struct _n_KrylearnH5File *KrylearnH5File;

/*E
  KrylearnH5Mode - how KrylearnH5FileOpen() opens a file: KRYLEARN_H5_READ, KRYLEARN_H5_WRITE (create or overwrite),
  KRYLEARN_H5_APPEND (read and write an existing file)

  Level: developer
E*/
typedef enum {
  KRYLEARN_H5_READ,
  KRYLEARN_H5_WRITE,
  KRYLEARN_H5_APPEND
} KrylearnH5Mode;

/*E
  KrylearnH5Type - the values read or written: KRYLEARN_H5_INT64 (any integer type in the file, PetscInt64 in
  memory), KRYLEARN_H5_REAL (float32 or float64 in the file, double in memory), KRYLEARN_H5_FLOAT (float32 or
  float64 in the file, float in memory), KRYLEARN_H5_INT32 (integers of at most 32 bits in the file, int32_t in
  memory)

  Level: developer
E*/
typedef enum {
  KRYLEARN_H5_INT64,
  KRYLEARN_H5_REAL,
  KRYLEARN_H5_FLOAT,
  KRYLEARN_H5_INT32
} KrylearnH5Type;

/*E
  KrylearnH5Object - what a path in an HDF5 file names: KRYLEARN_H5_NONE, KRYLEARN_H5_GROUP, KRYLEARN_H5_DATASET,
  KRYLEARN_H5_OTHER

  Level: developer
E*/
typedef enum {
  KRYLEARN_H5_NONE,
  KRYLEARN_H5_GROUP,
  KRYLEARN_H5_DATASET,
  KRYLEARN_H5_OTHER
} KrylearnH5Object;

#define KRYLEARN_H5_MAX_DIM 8

PETSC_EXTERN PetscErrorCode KrylearnIOCheck(MPI_Comm, PetscBool, PetscErrorCode, const char[], ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
PETSC_EXTERN PetscErrorCode KrylearnIOTestRegularFile(const char[], PetscBool *, const char **);
PETSC_EXTERN PetscErrorCode KrylearnH5FileOpen(MPI_Comm, const char[], const char[], KrylearnH5Mode, KrylearnH5File *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileClose(KrylearnH5File *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileWriteOnRank(MPI_Comm, PetscMPIInt, const char[], const char[], KrylearnH5Mode, PetscErrorCode (*)(KrylearnH5File, void *), void *, const char[], ...) PETSC_ATTRIBUTE_FORMAT(8, 9);
PETSC_EXTERN PetscErrorCode KrylearnH5FileGetObject(KrylearnH5File, const char[], KrylearnH5Object *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileHasAttribute(KrylearnH5File, const char[], const char[], PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileReadAttribute(KrylearnH5File, const char[], const char[], KrylearnH5Type, PetscInt, PetscInt *, void *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileReadAttributeString(KrylearnH5File, const char[], const char[], size_t, char[], PetscBool *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileGetDataset(KrylearnH5File, const char[], KrylearnH5Type, int, int *, PetscInt64[]);
PETSC_EXTERN PetscErrorCode KrylearnH5FileGetDatasetType(KrylearnH5File, const char[], KrylearnH5Type *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileReadDataset(KrylearnH5File, const char[], KrylearnH5Type, int, const PetscInt64[], const PetscInt64[], void *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileReadDatasetAlloc(KrylearnH5File, const char[], KrylearnH5Type, int, PetscInt64, int *, PetscInt64[], void *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileCreateGroup(KrylearnH5File, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnH5FileDelete(KrylearnH5File, const char[]);
PETSC_EXTERN PetscErrorCode KrylearnH5FileCreateDataset(KrylearnH5File, const char[], KrylearnH5Type, int, const PetscInt64[]);
PETSC_EXTERN PetscErrorCode KrylearnH5FileWriteBlock(KrylearnH5File, const char[], KrylearnH5Type, int, const PetscInt64[], const PetscInt64[], const void *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileWriteDataset(KrylearnH5File, const char[], KrylearnH5Type, int, const PetscInt64[], const void *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileWriteAttribute(KrylearnH5File, const char[], const char[], KrylearnH5Type, PetscInt, const void *);
PETSC_EXTERN PetscErrorCode KrylearnH5FileWriteAttributeString(KrylearnH5File, const char[], const char[], const char[]);
PETSC_EXTERN PetscErrorCode KrylearnMatWriteDenseHDF5(Mat, const char[], const char[]);
PETSC_EXTERN PetscErrorCode KrylearnMatIsSymmetric(Mat, PetscBool *);

#endif
