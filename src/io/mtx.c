/* Matrix Market files: coordinate (real, integer or pattern) or array (real or integer,
   column-major; zeros are not stored), general or symmetric. Every rank streams the
   text and keeps only the entries of its own rows. */
#include "ioimpl.h"

typedef struct {
  PetscErrorCode code;
  char           msg[512];
} ParseError;

static PetscErrorCode Fail(ParseError *err, PetscErrorCode code, const char fmt[], ...)
{
  va_list Argp;
  size_t  len;

  PetscFunctionBegin;
  err->code = code;
  va_start(Argp, fmt);
  PetscCall(PetscVSNPrintf(err->msg, sizeof(err->msg), fmt, &len, Argp));
  va_end(Argp);
  PetscFunctionReturn(0);
}

/* Next line that is neither a comment nor blank; *eof when there is none */
static PetscBool NextLine(FILE *fp, char line[], int len)
{
  while (fgets(line, len, fp)) {
    const char *c = line;
    while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n') c++;
    if (*c && *c != '%') return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

static PetscErrorCode Parse(MPI_Comm comm, const char file[], FILE *fp, KrylearnEntries *E, ParseError *err)
{
  char      line[1024], banner[64] = "", object[64] = "", format[64] = "", field[64] = "", symmetry[64] = "";
  long long M = -1, N = -1, nz = -1;
  PetscBool pattern, array, match;

  PetscFunctionBegin;
  if (!fgets(line, sizeof(line), fp) || sscanf(line, "%63s %63s %63s %63s %63s", banner, object, format, field, symmetry) != 5 || strcmp(banner, "%%MatrixMarket")) {
    PetscCall(Fail(err, PETSC_ERR_FILE_UNEXPECTED, "%s: not a Matrix Market file (no '%%%%MatrixMarket matrix ...' header)", file));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcasecmp(format, "array", &array));
  PetscCall(PetscStrcasecmp(format, "coordinate", &match));
  match = (PetscBool)(match || array);
  if (match) PetscCall(PetscStrcasecmp(object, "matrix", &match));
  if (!match) {
    PetscCall(Fail(err, PETSC_ERR_SUP, "%s: Matrix Market '%s %s' is not supported, only 'matrix coordinate' and 'matrix array'", file, object, format));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcasecmp(field, "pattern", &pattern));
  PetscCall(PetscStrcasecmp(field, "real", &match));
  if (!match) PetscCall(PetscStrcasecmp(field, "integer", &match));
  if (!match && !(pattern && !array)) {
    PetscCall(Fail(err, PETSC_ERR_SUP, "%s: Matrix Market field '%s' is not supported (real, integer or pattern)", file, field));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcasecmp(symmetry, "symmetric", &E->symmetric));
  PetscCall(PetscStrcasecmp(symmetry, "general", &match));
  if (!match && !E->symmetric) {
    PetscCall(Fail(err, PETSC_ERR_SUP, "%s: Matrix Market symmetry '%s' is not supported (general or symmetric)", file, symmetry));
    PetscFunctionReturn(0);
  }
  if (!NextLine(fp, line, sizeof(line)) || (array ? sscanf(line, "%lld %lld", &M, &N) != 2 : sscanf(line, "%lld %lld %lld", &M, &N, &nz) != 3 || nz < 0)) {
    PetscCall(Fail(err, PETSC_ERR_FILE_UNEXPECTED, "%s: missing or malformed size line 'rows columns%s'", file, array ? "" : " entries"));
    PetscFunctionReturn(0);
  }
  PetscCall(KrylearnEntriesSetSizes(E, comm, file, M, N));
  if (array) nz = E->symmetric ? M * (M + 1) / 2 : M * N; /* column-major; symmetric: lower triangle */
  for (long long k = 0, i = 1, j = 1; k < nz; k++) {
    char     *end, *c = line;
    double    v  = 1.0;
    PetscBool ok = PETSC_TRUE;

    if (!NextLine(fp, line, sizeof(line))) {
      PetscCall(Fail(err, PETSC_ERR_FILE_UNEXPECTED, "%s: truncated: %lld of the %lld entries found", file, k, nz));
      PetscFunctionReturn(0);
    }
    if (array) { /* the position follows from the count */
      if (k) i++;
      if (i > M) i = E->symmetric ? ++j : (j++, 1);
    } else {
      i  = strtoll(c, &end, 10);
      ok = (PetscBool)(end != c);
      c  = end;
      j  = strtoll(c, &end, 10);
      ok = (PetscBool)(ok && end != c);
      c  = end;
    }
    if (ok && !pattern) {
      v  = strtod(c, &end);
      ok = (PetscBool)(end != c);
    }
    if (!ok) {
      PetscCall(Fail(err, PETSC_ERR_FILE_UNEXPECTED, "%s: entry %lld is malformed: %s", file, k + 1, line));
      PetscFunctionReturn(0);
    }
    if (i < 1 || i > M || j < 1 || j > N) {
      PetscCall(Fail(err, PETSC_ERR_FILE_UNEXPECTED, "%s: index out of range in entry %lld: (%lld, %lld) in a %lld x %lld matrix", file, k + 1, i, j, M, N));
      PetscFunctionReturn(0);
    }
    if (PetscIsInfOrNanReal(v)) {
      PetscCall(Fail(err, PETSC_ERR_FP, "%s: entry %lld holds a NaN or Inf value", file, k + 1));
      PetscFunctionReturn(0);
    }
    if (i - 1 >= E->rstart && i - 1 < E->rend && (!array || v != 0.0)) PetscCall(KrylearnEntriesAdd(E, (PetscInt)(i - 1), (PetscInt)(j - 1), v));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KrylearnReadMatrixMarket(MPI_Comm comm, const char file[], KrylearnEntries *E)
{
  FILE          *fp = NULL;
  ParseError     err = {0, ""};
  PetscErrorCode ierr;
  PetscBool      regular;
  const char    *reason;
  int            failed;

  PetscFunctionBegin;
  PetscCall(KrylearnIOTestRegularFile(file, &regular, &reason)); /* a named pipe would block fopen() */
  if (regular) fp = fopen(file, "r");
  failed = !fp;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_LOR, comm));
  if (failed && fp) (void)fclose(fp);
  PetscCall(KrylearnIOCheck(comm, (PetscBool)failed, PETSC_ERR_FILE_OPEN, "%s: cannot open: %s", file, regular ? "no such readable file" : reason));
  ierr = Parse(comm, file, fp, E, &err);
  (void)fclose(fp);
  PetscCall(ierr);
  PetscCall(KrylearnIOCheck(comm, err.code != 0, err.code ? err.code : PETSC_ERR_FILE_UNEXPECTED, "%s", err.msg));
  PetscFunctionReturn(0);
}
