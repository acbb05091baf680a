/* Writing results to HDF5 (see h5write.h): every function returns a negative status on
   failure and never prints HDF5's own error stack. */
#include "h5write.h"
#include <unistd.h>

/*
  KrylearnH5FileCreate - creates (truncates) file, or with append opens it for writing and
  creates it when absent; returns the file id, negative on failure. Close with H5Fclose().
*/
hid_t KrylearnH5FileCreate(const char file[], PetscBool append)
{
  H5E_auto2_t func;
  void       *data;
  hid_t       fid = -1;

  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (append && access(file, F_OK) == 0) fid = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
  else fid = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, func, data);
  return fid;
}

/* KrylearnH5GroupCreate - a new group name in loc; returns its id (close with H5Gclose()), negative on failure */
hid_t KrylearnH5GroupCreate(hid_t loc, const char name[])
{
  return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/*
  KrylearnH5WriteDense - dataset name in loc holding the row-major rows x cols array a, of
  rank 1 when cols is 1 and rank 2 otherwise. Nothing is written when a is NULL.
*/
herr_t KrylearnH5WriteDense(hid_t loc, const char name[], PetscInt rows, PetscInt cols, const PetscReal a[])
{
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
  hid_t   space, dset = -1;
  herr_t  status = -1;

  if (!a) return 0;
  space = H5Screate_simple(cols > 1 ? 2 : 1, dims, NULL);
  if (space >= 0) dset = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset >= 0) status = H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a);
  if (dset >= 0) H5Dclose(dset);
  if (space >= 0) H5Sclose(space);
  return status;
}

static herr_t WriteAttribute(hid_t loc, const char name[], hid_t filetype, hid_t memtype, const void *value)
{
  hid_t  space = H5Screate(H5S_SCALAR), attr = -1;
  herr_t status = -1;

  if (space >= 0) attr = H5Acreate2(loc, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) status = H5Awrite(attr, memtype, value);
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  return status;
}

/* KrylearnH5WriteIntAttribute - scalar 64-bit integer attribute name of loc */
herr_t KrylearnH5WriteIntAttribute(hid_t loc, const char name[], PetscInt value)
{
  const int64_t v = value;

  return WriteAttribute(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

/* KrylearnH5WriteRealAttribute - scalar double attribute name of loc */
herr_t KrylearnH5WriteRealAttribute(hid_t loc, const char name[], PetscReal value)
{
  const double v = value;

  return WriteAttribute(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* KrylearnH5WriteStringAttribute - fixed-length ASCII string attribute name of loc */
herr_t KrylearnH5WriteStringAttribute(hid_t loc, const char name[], const char value[])
{
  hid_t  type   = H5Tcopy(H5T_C_S1);
  size_t len    = strlen(value);
  herr_t status = -1;

  if (type >= 0 && H5Tset_size(type, len ? len : 1) >= 0) status = WriteAttribute(loc, name, type, type, value);
  if (type >= 0) H5Tclose(type);
  return status;
}
