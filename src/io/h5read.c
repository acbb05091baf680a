/* HDF5 reading for the ingestion layouts: every rank opens the file read-only on its
   own and reads hyperslabs, so there is no collective HDF5 call to hang on. Every
   failure goes through KrylearnIOCheck, which all ranks call in the same order. */
#include "ioimpl.h"

/*
  KrylearnIOCheck - collective check: when localfail is set on any rank, every rank raises
  the error with the message formatted on the lowest failing rank.
*/
PetscErrorCode KrylearnIOCheck(MPI_Comm comm, PetscBool localfail, PetscErrorCode code, const char fmt[], ...)
{
  PetscMPIInt rank, size, first;
  char        msg[1024] = "";

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  first = localfail ? rank : size;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) PetscFunctionReturn(0);
  if (rank == first) {
    va_list Argp;
    size_t  len;
    va_start(Argp, fmt);
    PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, &len, Argp));
    va_end(Argp);
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, first, comm));
  SETERRQ(comm, code, "%s", msg);
}

/* Opens file and group; KrylearnH5Close() must follow even when this fails. */
PetscErrorCode KrylearnH5Open(MPI_Comm comm, const char file[], const char group[], KrylearnH5 *h5)
{
  PetscBool exists;
  htri_t    ok;

  PetscFunctionBegin;
  h5->comm = comm;
  h5->file = file;
  h5->fid = h5->gid = h5->did = H5I_INVALID_HID;
  PetscCall(PetscStrncpy(h5->group, group && group[0] ? group : "/", sizeof(h5->group)));
  PetscCallExternal(H5Eget_auto2, H5E_DEFAULT, &h5->errfunc, &h5->errdata);
  PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, NULL, NULL);
  PetscCall(PetscTestFile(file, 'r', &exists));
  PetscCall(KrylearnIOCheck(comm, !exists, PETSC_ERR_FILE_OPEN, "%s: cannot open: no such readable file", file));
  ok = H5Fis_hdf5(file);
  PetscCall(KrylearnIOCheck(comm, ok <= 0, PETSC_ERR_FILE_UNEXPECTED, "%s: not an HDF5 file, or a truncated or corrupt one", file));
  h5->fid = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCall(KrylearnIOCheck(comm, h5->fid < 0, PETSC_ERR_FILE_READ, "%s: cannot open as HDF5: truncated or corrupt file", file));
  ok = 1;
  if (strcmp(h5->group, "/")) ok = H5Lexists(h5->fid, h5->group, H5P_DEFAULT);
  PetscCall(KrylearnIOCheck(comm, ok <= 0, PETSC_ERR_FILE_UNEXPECTED, "%s: no group or dataset '%s' in the file", file, h5->group));
  h5->dataset[0] = 0;
  {
    hid_t obj = H5Oopen(h5->fid, h5->group, H5P_DEFAULT);
    if (obj >= 0 && H5Iget_type(obj) == H5I_DATASET) {
      char *slash;
      PetscCall(PetscStrncpy(h5->dataset, h5->group, sizeof(h5->dataset)));
      slash = strrchr(h5->group, '/');
      if (slash == h5->group) slash[1] = 0;
      else if (slash) *slash = 0;
      else PetscCall(PetscStrncpy(h5->group, "/", sizeof(h5->group)));
      slash = strrchr(h5->dataset, '/');
      if (slash) memmove(h5->dataset, slash + 1, strlen(slash + 1) + 1);
    }
    if (obj >= 0) PetscCallExternal(H5Oclose, obj);
  }
  h5->gid = H5Gopen2(h5->fid, h5->group, H5P_DEFAULT);
  PetscCall(KrylearnIOCheck(comm, h5->gid < 0, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open group '%s'", file, h5->group));
  if (h5->dataset[0]) h5->did = H5Dopen2(h5->gid, h5->dataset, H5P_DEFAULT);
  PetscCall(KrylearnIOCheck(comm, h5->dataset[0] && h5->did < 0, PETSC_ERR_FILE_READ, "%s: cannot open dataset '%s': corrupt file", file, h5->dataset));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5Close(KrylearnH5 *h5)
{
  PetscFunctionBegin;
  if (h5->did >= 0) PetscCallExternal(H5Dclose, h5->did);
  if (h5->gid >= 0) PetscCallExternal(H5Gclose, h5->gid);
  if (h5->fid >= 0) PetscCallExternal(H5Fclose, h5->fid);
  h5->fid = h5->gid = h5->did = H5I_INVALID_HID;
  PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, h5->errfunc, h5->errdata);
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5Has(KrylearnH5 *h5, const char name[], PetscBool *has)
{
  PetscFunctionBegin;
  *has = H5Lexists(h5->gid, name, H5P_DEFAULT) > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5HasAttribute(KrylearnH5 *h5, const char name[], PetscBool *has)
{
  PetscFunctionBegin;
  *has = H5Aexists(h5->did >= 0 ? h5->did : h5->gid, name) > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

static const char *ClassName(H5T_class_t cls)
{
  switch (cls) {
  case H5T_INTEGER: return "integer";
  case H5T_FLOAT: return "floating-point";
  case H5T_STRING: return "string";
  case H5T_COMPOUND: return "compound";
  case H5T_ENUM: return "enum";
  default: return "non-numeric";
  }
}

/* Dataset rank, dimensions and element class; errors when missing or above 2-D */
PetscErrorCode KrylearnH5GetInfo(KrylearnH5 *h5, const char name[], KrylearnH5Info *info)
{
  PetscBool has;
  hid_t     dset = H5I_INVALID_HID, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
  int       rank = -1;
  hsize_t   dims[H5S_MAX_RANK];

  PetscFunctionBegin;
  PetscCall(KrylearnH5Has(h5, name, &has));
  PetscCall(KrylearnIOCheck(h5->comm, !has, PETSC_ERR_FILE_UNEXPECTED, "%s: group '%s' has no dataset '%s'", h5->file, h5->group, name));
  dset = H5Dopen2(h5->gid, name, H5P_DEFAULT);
  if (dset >= 0) {
    space = H5Dget_space(dset);
    type  = H5Dget_type(dset);
    if (space >= 0) rank = H5Sget_simple_extent_dims(space, dims, NULL);
    info->cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (type >= 0) PetscCallExternal(H5Tclose, type);
    if (space >= 0) PetscCallExternal(H5Sclose, space);
    PetscCallExternal(H5Dclose, dset);
  }
  PetscCall(KrylearnIOCheck(h5->comm, rank < 0, PETSC_ERR_FILE_READ, "%s: '%s' in group '%s' is not a readable dataset (corrupt file?)", h5->file, name, h5->group));
  PetscCall(KrylearnIOCheck(h5->comm, rank > 2, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %d dimensions, at most 2 expected", h5->file, name, rank));
  info->rank    = rank;
  info->dims[0] = rank > 0 ? dims[0] : 1;
  info->dims[1] = rank > 1 ? dims[1] : 1;
  PetscFunctionReturn(0);
}

/* Length of a 1-D dataset whose elements are of class cls (integer indices or float values) */
PetscErrorCode KrylearnH5GetLength(KrylearnH5 *h5, const char name[], H5T_class_t cls, hsize_t *len)
{
  KrylearnH5Info info;

  PetscFunctionBegin;
  PetscCall(KrylearnH5GetInfo(h5, name, &info));
  PetscCall(KrylearnIOCheck(h5->comm, info.rank != 1, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has %d dimensions, a 1-D dataset expected", h5->file, name, info.rank));
  PetscCall(KrylearnIOCheck(h5->comm, info.cls != cls, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset '%s' has the wrong dtype: %s elements, %s expected", h5->file, name, ClassName(info.cls),
                            cls == H5T_INTEGER ? "integer (32- or 64-bit) indices" : "floating-point (float32 or float64) values"));
  *len = info.dims[0];
  PetscFunctionReturn(0);
}

/* Reads the hyperslab start[0..n)+count of dataset name into buf converted to memtype */
static PetscErrorCode ReadSlab(KrylearnH5 *h5, const char name[], hid_t memtype, int n, const hsize_t start[], const hsize_t count[], void *buf)
{
  hid_t   dset, fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID;
  herr_t  status = -1;
  hsize_t total  = 1;

  PetscFunctionBegin;
  for (int d = 0; d < n; d++) total *= count[d];
  dset = H5Dopen2(h5->gid, name, H5P_DEFAULT);
  if (dset >= 0 && total == 0) status = 0;
  else if (dset >= 0) {
    fspace = H5Dget_space(dset);
    mspace = H5Screate_simple(1, &total, NULL);
    if (fspace >= 0 && mspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0) status = H5Dread(dset, memtype, mspace, fspace, H5P_DEFAULT, buf);
    if (mspace >= 0) PetscCallExternal(H5Sclose, mspace);
    if (fspace >= 0) PetscCallExternal(H5Sclose, fspace);
  }
  if (dset >= 0) PetscCallExternal(H5Dclose, dset);
  PetscCall(KrylearnIOCheck(h5->comm, status < 0, PETSC_ERR_FILE_READ, "%s: cannot read dataset '%s' of group '%s': truncated or corrupt file", h5->file, name, h5->group));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5ReadIndices(KrylearnH5 *h5, const char name[], hsize_t start, hsize_t count, int64_t *buf)
{
  PetscFunctionBegin;
  PetscCall(ReadSlab(h5, name, H5T_NATIVE_INT64, 1, &start, &count, buf));
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnH5ReadValues(KrylearnH5 *h5, const char name[], int n, const hsize_t start[], const hsize_t count[], PetscScalar *buf)
{
  PetscFunctionBegin;
  PetscCall(ReadSlab(h5, name, H5T_NATIVE_DOUBLE, n, start, count, buf));
  PetscFunctionReturn(0);
}

/* Values of an enum attribute (h5py's booleans) as the integers of its base type */
static herr_t ReadEnum(hid_t attr, hid_t type, size_t n, int64_t buf[])
{
  hid_t  native = H5Tget_native_type(type, H5T_DIR_ASCEND), base = native >= 0 ? H5Tget_super(native) : -1;
  herr_t status = -1;

  if (base >= 0 && H5Tget_size(base) <= sizeof(int64_t) && H5Aread(attr, native, buf) >= 0) status = H5Tconvert(base, H5T_NATIVE_INT64, n, buf, NULL, H5P_DEFAULT);
  if (base >= 0) H5Tclose(base);
  if (native >= 0) H5Tclose(native);
  return status;
}

/* Integer (or enum) attribute of the group (of the dataset when the path names one) (scalar or 1-D, at most nmax entries); *n = 0 when absent */
PetscErrorCode KrylearnH5ReadIntAttribute(KrylearnH5 *h5, const char name[], PetscInt nmax, PetscInt *n, PetscInt vals[])
{
  PetscBool   has;
  hid_t       attr, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
  H5T_class_t cls   = H5T_NO_CLASS;
  hssize_t    npts  = -1;
  herr_t      status = -1;
  int64_t     buf[8];

  PetscFunctionBegin;
  *n = 0;
  PetscCall(KrylearnH5HasAttribute(h5, name, &has));
  if (!has) PetscFunctionReturn(0);
  attr = H5Aopen(h5->did >= 0 ? h5->did : h5->gid, name, H5P_DEFAULT);
  if (attr >= 0) {
    space = H5Aget_space(attr);
    type  = H5Aget_type(attr);
    if (type >= 0) cls = H5Tget_class(type);
    if (space >= 0) npts = H5Sget_simple_extent_npoints(space);
    if (npts >= 1 && npts <= nmax && npts <= 8) {
      if (cls == H5T_INTEGER) status = H5Aread(attr, H5T_NATIVE_INT64, buf);
      else if (cls == H5T_ENUM) status = ReadEnum(attr, type, (size_t)npts, buf);
    }
    if (type >= 0) PetscCallExternal(H5Tclose, type);
    if (space >= 0) PetscCallExternal(H5Sclose, space);
    PetscCallExternal(H5Aclose, attr);
  }
  PetscCall(KrylearnIOCheck(h5->comm, cls != H5T_INTEGER && cls != H5T_ENUM, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of group '%s' has the wrong dtype: %s, integers expected", h5->file, name, h5->group, ClassName(cls)));
  PetscCall(KrylearnIOCheck(h5->comm, npts < 1 || npts > nmax, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of group '%s' has %" PetscInt64_FMT " entries, 1 to %" PetscInt_FMT " expected", h5->file, name, h5->group, (PetscInt64)npts, nmax));
  PetscCall(KrylearnIOCheck(h5->comm, status < 0, PETSC_ERR_FILE_READ, "%s: cannot read attribute '%s' of group '%s'", h5->file, name, h5->group));
  for (hssize_t k = 0; k < npts; k++) {
    PetscCall(KrylearnIOCheck(h5->comm, buf[k] < 0 || buf[k] > PETSC_MAX_INT, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of group '%s' holds %" PetscInt64_FMT ", outside [0, %" PetscInt_FMT "]", h5->file, name, h5->group, (PetscInt64)buf[k], PETSC_MAX_INT));
    vals[k] = (PetscInt)buf[k];
  }
  *n = (PetscInt)npts;
  PetscFunctionReturn(0);
}

/*
  KrylearnH5AttributeReadString - reads string attribute attr of file type type (class
  H5T_STRING, fixed or variable length, ASCII or UTF-8: h5py writes str attributes as
  variable-length UTF-8) into str, truncated to len - 1 characters. *length is the length
  of the whole string, so that callers can tell truncation; *ok is PETSC_FALSE when HDF5
  cannot read the attribute, and the callers raise their own error.
*/
PetscErrorCode KrylearnH5AttributeReadString(hid_t attr, hid_t type, size_t len, char str[], size_t *length, PetscBool *ok)
{
  const PetscBool variable = H5Tis_variable_str(type) > 0 ? PETSC_TRUE : PETSC_FALSE;
  const size_t    size     = variable ? 0 : H5Tget_size(type);
  char           *s        = NULL;
  hid_t           mtype;

  PetscFunctionBegin;
  str[0]  = 0;
  *length = 0;
  *ok     = PETSC_FALSE;
  if (!variable) PetscCall(PetscCalloc1(size + 1, &s));
  mtype = H5Tcopy(H5T_C_S1);
  if (mtype >= 0 && H5Tset_cset(mtype, H5Tget_cset(type)) >= 0 && H5Tset_size(mtype, variable ? H5T_VARIABLE : size + 1) >= 0 && H5Aread(attr, mtype, variable ? (void *)&s : (void *)s) >= 0 && s) {
    *length = strlen(s);
    *ok     = PETSC_TRUE;
    PetscCall(PetscStrncpy(str, s, len));
  }
  if (mtype >= 0) H5Tclose(mtype);
  if (variable && s) H5free_memory(s);
  if (!variable) PetscCall(PetscFree(s));
  PetscFunctionReturn(0);
}

/* String attribute (fixed or variable length) of the group; *found = PETSC_FALSE when absent or not a string */
PetscErrorCode KrylearnH5ReadStringAttribute(KrylearnH5 *h5, const char name[], size_t len, char str[], PetscBool *found)
{
  PetscBool has;
  hid_t     attr, type = H5I_INVALID_HID;
  size_t    length;

  PetscFunctionBegin;
  *found = PETSC_FALSE;
  str[0] = 0;
  PetscCall(KrylearnH5HasAttribute(h5, name, &has));
  if (!has) PetscFunctionReturn(0);
  attr = H5Aopen(h5->did >= 0 ? h5->did : h5->gid, name, H5P_DEFAULT);
  if (attr >= 0) type = H5Aget_type(attr);
  if (type >= 0 && H5Tget_class(type) == H5T_STRING) PetscCall(KrylearnH5AttributeReadString(attr, type, len, str, &length, found));
  if (type >= 0) PetscCallExternal(H5Tclose, type);
  if (attr >= 0) PetscCallExternal(H5Aclose, attr);
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
    hsize_t len;
    int64_t s[2] = {-1, -1};
    PetscCall(KrylearnH5GetLength(h5, "shape", H5T_INTEGER, &len));
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
