/* The matrix layouts' view of the checked HDF5 layer (h5file.c): a file and the group of a
   matrix, names relative to that group. Every rank opens the file read-only on its own and
   reads hyperslabs, so there is no collective HDF5 call to hang on; every failure is raised
   on all ranks (KrylearnIOCheck), which call these routines in the same order. */
#include "ioimpl.h"

/* Opens file and group; KrylearnH5Close() must follow even when this fails. */
PetscErrorCode KrylearnH5Open(MPI_Comm comm, const char file[], const char group[], KrylearnH5 *h5)
{
  KrylearnH5Object type = KRYLEARN_H5_GROUP;

  PetscFunctionBegin;
  h5->comm       = comm;
  h5->file       = file;
  h5->f          = NULL;
  h5->dataset[0] = 0;
  PetscCall(PetscStrncpy(h5->group, group && group[0] ? group : "/", sizeof(h5->group)));
  PetscCall(KrylearnH5FileOpen(comm, file, NULL, KRYLEARN_H5_READ, &h5->f));
  if (strcmp(h5->group, "/")) PetscCall(KrylearnH5FileGetObject(h5->f, h5->group, &type));
  PetscCall(KrylearnIOCheck(comm, type != KRYLEARN_H5_GROUP && type != KRYLEARN_H5_DATASET, PETSC_ERR_FILE_UNEXPECTED, "%s: no group or dataset '%s' in the file", file, h5->group));
  if (type == KRYLEARN_H5_DATASET) {
    char *slash;
    PetscCall(PetscStrncpy(h5->dataset, h5->group, sizeof(h5->dataset)));
    slash = strrchr(h5->group, '/');
    if (slash == h5->group) slash[1] = 0;
    else if (slash) *slash = 0;
    else PetscCall(PetscStrncpy(h5->group, "/", sizeof(h5->group)));
    slash = strrchr(h5->dataset, '/');
    if (slash) memmove(h5->dataset, slash + 1, strlen(slash + 1) + 1);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5Close(KrylearnH5 *h5)
{
  PetscFunctionBegin;
  PetscCall(KrylearnH5FileClose(&h5->f));
  PetscFunctionReturn(0);
}

/* Path in the file of name in the group (relative to the root for the root group, so that errors say 'name') */
PetscErrorCode KrylearnH5Path(KrylearnH5 *h5, const char name[], char path[])
{
  PetscFunctionBegin;
  if (!strcmp(h5->group, "/")) PetscCall(PetscStrncpy(path, name, PETSC_MAX_PATH_LEN));
  else PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", h5->group, name));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5Has(KrylearnH5 *h5, const char name[], PetscBool *has)
{
  char             path[PETSC_MAX_PATH_LEN];
  KrylearnH5Object type;

  PetscFunctionBegin;
  PetscCall(KrylearnH5Path(h5, name, path));
  PetscCall(KrylearnH5FileGetObject(h5->f, path, &type));
  *has = type != KRYLEARN_H5_NONE ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* The object whose attributes describe the matrix: the dataset when the path names one, else the group */
static PetscErrorCode AttributeHolder(KrylearnH5 *h5, char path[])
{
  PetscFunctionBegin;
  if (h5->dataset[0]) PetscCall(KrylearnH5Path(h5, h5->dataset, path));
  else PetscCall(PetscStrncpy(path, h5->group, PETSC_MAX_PATH_LEN));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5HasAttribute(KrylearnH5 *h5, const char name[], PetscBool *has)
{
  char obj[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(AttributeHolder(h5, obj));
  PetscCall(KrylearnH5FileHasAttribute(h5->f, obj, name, has));
  PetscFunctionReturn(0);
}

/* Length of a 1-D dataset of integer indices (type KRYLEARN_H5_INT64) or floating-point values */
PetscErrorCode KrylearnH5GetLength(KrylearnH5 *h5, const char name[], KrylearnH5Type type, int64_t *len)
{
  char       path[PETSC_MAX_PATH_LEN];
  int        ndim;
  PetscInt64 dims[KRYLEARN_H5_MAX_DIM];

  PetscFunctionBegin;
  PetscCall(KrylearnH5Path(h5, name, path));
  PetscCall(KrylearnH5FileGetDataset(h5->f, path, type, KRYLEARN_H5_MAX_DIM, &ndim, dims));
  PetscCall(KrylearnIOCheck(h5->comm, ndim != 1, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %d dimensions, a 1-D dataset expected", h5->file, name, ndim));
  *len = dims[0];
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5ReadIndices(KrylearnH5 *h5, const char name[], int64_t start, int64_t count, int64_t *buf)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(KrylearnH5Path(h5, name, path));
  PetscCall(KrylearnH5FileReadDataset(h5->f, path, KRYLEARN_H5_INT64, 1, &start, &count, buf));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5ReadValues(KrylearnH5 *h5, const char name[], int n, const int64_t start[], const int64_t count[], PetscScalar *buf)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(KrylearnH5Path(h5, name, path));
  PetscCall(KrylearnH5FileReadDataset(h5->f, path, KRYLEARN_H5_REAL, n, start, count, buf));
  PetscFunctionReturn(0);
}

/* Integer (or boolean) attribute of the group (of the dataset when the path names one), scalar or 1-D, at most nmax entries, each in [0, PETSC_MAX_INT]; *n = 0 when absent */
PetscErrorCode KrylearnH5ReadIntAttribute(KrylearnH5 *h5, const char name[], PetscInt nmax, PetscInt *n, PetscInt vals[])
{
  char       obj[PETSC_MAX_PATH_LEN];
  PetscInt64 buf[16];
  PetscInt64 bad = 0;
  PetscBool  out = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(AttributeHolder(h5, obj));
  PetscCall(KrylearnH5FileReadAttribute(h5->f, obj, name, KRYLEARN_H5_INT64, nmax, n, buf));
  for (PetscInt k = 0; k < *n && !out; k++) {
    out = (PetscBool)(buf[k] < 0 || buf[k] > PETSC_MAX_INT);
    bad = buf[k];
  }
  PetscCall(KrylearnIOCheck(h5->comm, out, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of group '%s' holds %" PetscInt64_FMT ", outside [0, %" PetscInt_FMT "]", h5->file, name, h5->group, bad, PETSC_MAX_INT));
  for (PetscInt k = 0; k < *n; k++) vals[k] = (PetscInt)buf[k];
  PetscFunctionReturn(0);
}

/* String attribute (fixed or variable length, one string) of the group; *found = PETSC_FALSE when absent */
PetscErrorCode KrylearnH5ReadStringAttribute(KrylearnH5 *h5, const char name[], size_t len, char str[], PetscBool *found)
{
  char obj[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(AttributeHolder(h5, obj));
  PetscCall(KrylearnH5FileReadAttributeString(h5->f, obj, name, len, str, found));
  PetscFunctionReturn(0);
}

/* Matrix shape of the scipy-style layouts: a dataset or an attribute 'shape' = [rows, columns] */
PetscErrorCode KrylearnH5ReadShape(KrylearnH5 *h5, int64_t *M, int64_t *N)
{
  PetscBool has;
  PetscInt  n, shape[2];

  PetscFunctionBegin;
  PetscCall(KrylearnH5Has(h5, "shape", &has));
  if (has) {
    int64_t len;
    int64_t s[2] = {-1, -1};
    PetscCall(KrylearnH5GetLength(h5, "shape", KRYLEARN_H5_INT64, &len));
    PetscCall(KrylearnIOCheck(h5->comm, len != 2, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset 'shape' of group '%s' has %" PetscInt64_FMT " entries, 2 expected", h5->file, h5->group, (PetscInt64)len));
    PetscCall(KrylearnH5ReadIndices(h5, "shape", 0, 2, s));
    *M = s[0];
    *N = s[1];
    PetscFunctionReturn(0);
  }
  PetscCall(KrylearnH5HasAttribute(h5, "shape", &has));
  PetscCall(KrylearnIOCheck(h5->comm, !has, PETSC_ERR_FILE_UNEXPECTED, "%s: group '%s' has no 'shape' dataset or attribute", h5->file, h5->group));
  PetscCall(KrylearnH5ReadIntAttribute(h5, "shape", 2, &n, shape));
  PetscCall(KrylearnIOCheck(h5->comm, n != 2, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute 'shape' of group '%s' has %" PetscInt_FMT " entries, 2 expected", h5->file, h5->group, n));
  *M = shape[0];
  *N = shape[1];
  PetscFunctionReturn(0);
}

/* Collective check that the n values read from dataset name (starting at global position offset) are finite */
PetscErrorCode KrylearnCheckValues(KrylearnH5 *h5, const char name[], PetscCount n, const PetscScalar v[], int64_t offset)
{
  PetscCount bad = -1;

  PetscFunctionBegin;
  for (PetscCount k = 0; k < n; k++) {
    if (PetscIsInfOrNanScalar(v[k])) {
      bad = k;
      break;
    }
  }
  PetscCall(KrylearnIOCheck(h5->comm, bad >= 0, PETSC_ERR_FP, "%s: dataset '%s' of group '%s' holds a NaN or Inf value at position %" PetscInt64_FMT, h5->file, name, h5->group, (PetscInt64)(offset + bad)));
  PetscFunctionReturn(0);
}
