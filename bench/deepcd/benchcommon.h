/* What the deepcd benchmarks share: the grid-size options and the BLAS they run with */
#ifndef KRYLEARN_BENCH_DEEPCD_COMMON_H
#define KRYLEARN_BENCH_DEEPCD_COMMON_H

#include <unistd.h>
#include <petscsys.h>

#define MAXSIZES 8

/* -sizes2d, -sizes3d: the grid sizes of each dimension (sizes[0] 2-D, sizes[1] 3-D), between
   PetscOptionsBegin() and PetscOptionsEnd(); nsizes keeps its value for an option not given */
#define BenchOptionsSizes(sizes, nsizes) \
  do { \
    for (PetscInt d_ = 0; d_ < 2; d_++) { \
      PetscInt  nmax_ = MAXSIZES; \
      PetscBool flg_; \
\
      PetscCall(PetscOptionsIntArray(d_ ? "-sizes3d" : "-sizes2d", "Grid sizes", NULL, (sizes)[d_], &nmax_, &flg_)); \
      if (flg_) (nsizes)[d_] = nmax_; \
    } \
  } while (0)

/* The BLAS library the system's alternatives point to, for the benchmark's header */
static inline void BenchBLAS(char blas[], size_t size)
{
  const ssize_t len = readlink("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", blas, size - 1);

  if (len > 0) blas[len] = 0;
  else PetscStrncpy(blas, "unknown", size);
}

#endif
