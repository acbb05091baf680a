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

#endif
