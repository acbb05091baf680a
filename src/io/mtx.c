/* Matrix Market files: coordinate (real, integer or pattern) or array (real or integer,
   column-major; zeros are not stored), general or symmetric. Every rank streams the
   text and keeps only the entries of its own rows.

   The reader is strict, so that a damaged file is an error and never a different matrix:
   every line holds exactly the tokens its place requires, each token is a whole decimal
   number of the kind the field declares, and nothing but comments and blank lines may
   follow the declared entries. Errors name the file and the line. */
#include "ioimpl.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MTX_LINE_MAX 4096 /* longer lines are only accepted as comments */
#define MTX_TOKENS   5    /* the most tokens any line may hold (the header) */

typedef struct {
  FILE          *fp;
  const char    *file;
  long long      lineno; /* of the line in buf */
  char           buf[MTX_LINE_MAX];
  char          *tok[MTX_TOKENS + 1];
  int            ntok; /* tokens found, at most MTX_TOKENS + 1 (one more means: too many) */
  PetscErrorCode code; /* first error found; the message names file and line */
  char           msg[768];
} MtxReader;

static PetscErrorCode Fail(MtxReader *r, PetscErrorCode code, const char fmt[], ...)
{
  va_list Argp;
  size_t  len, used;

  PetscFunctionBegin;
  r->code = code;
  PetscCall(PetscSNPrintf(r->msg, sizeof(r->msg), "%s:%lld: ", r->file, r->lineno));
  PetscCall(PetscStrlen(r->msg, &used));
  va_start(Argp, fmt);
  PetscCall(PetscVSNPrintf(r->msg + used, sizeof(r->msg) - used, fmt, &len, Argp));
  va_end(Argp);
  PetscFunctionReturn(0);
}

/* Reads the next line into buf without its line end; *got is false at the end of the file.
   Comment lines may be of any length (the rest is skipped); a NUL byte is an error. */
static PetscErrorCode ReadLine(MtxReader *r, PetscBool *got)
{
  size_t    n = 0;
  int       c;
  PetscBool any = PETSC_FALSE, cut = PETSC_FALSE;

  PetscFunctionBegin;
  *got = PETSC_FALSE;
  while ((c = getc(r->fp)) != EOF) {
    any = PETSC_TRUE;
    if (c == '\n') break;
    if (c == '\0') {
      r->lineno++;
      PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "holds a NUL byte: not a Matrix Market text file"));
      PetscFunctionReturn(0);
    }
    if (n + 1 < sizeof(r->buf)) r->buf[n++] = (char)c;
    else cut = PETSC_TRUE;
  }
  if (ferror(r->fp)) {
    PetscCall(Fail(r, PETSC_ERR_FILE_READ, "read error"));
    PetscFunctionReturn(0);
  }
  if (!any) PetscFunctionReturn(0);
  r->lineno++;
  if (n && r->buf[n - 1] == '\r') n--; /* DOS line ends */
  r->buf[n] = '\0';
  if (cut && (r->buf[0] != '%' || r->lineno == 1)) { /* the header is read in full */
    PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "line longer than %d characters", MTX_LINE_MAX - 1));
    PetscFunctionReturn(0);
  }
  *got = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Splits buf at blanks into tok[]; ntok = MTX_TOKENS + 1 when there are more than MTX_TOKENS */
static void Tokenize(MtxReader *r)
{
  char *c = r->buf;

  r->ntok = 0;
  while (r->ntok <= MTX_TOKENS) {
    while (*c == ' ' || *c == '\t') c++;
    if (!*c) break;
    r->tok[r->ntok++] = c;
    while (*c && *c != ' ' && *c != '\t') c++;
    if (*c) *c++ = '\0';
  }
}

/* The next line that is neither blank nor a comment, split into tokens; *got false at the end */
static PetscErrorCode NextDataLine(MtxReader *r, PetscBool *got)
{
  PetscFunctionBegin;
  do {
    PetscCall(ReadLine(r, got));
    if (r->code || !*got) PetscFunctionReturn(0);
    Tokenize(r);
  } while (!r->ntok || r->tok[0][0] == '%');
  PetscFunctionReturn(0);
}

static PetscBool IsInteger(const char *t)
{
  if (*t == '+' || *t == '-') t++;
  if (!isdigit((unsigned char)*t)) return PETSC_FALSE;
  while (isdigit((unsigned char)*t)) t++;
  return (PetscBool) !*t;
}

/* A decimal real: [+-] digits [. digits] [e|E [+-] digits], at least one mantissa digit */
static PetscBool IsDecimal(const char *t)
{
  int digits = 0;

  if (*t == '+' || *t == '-') t++;
  for (; isdigit((unsigned char)*t); t++) digits++;
  if (*t == '.')
    for (t++; isdigit((unsigned char)*t); t++) digits++;
  if (!digits) return PETSC_FALSE;
  if (*t == 'e' || *t == 'E') {
    t++;
    if (*t == '+' || *t == '-') t++;
    if (!isdigit((unsigned char)*t)) return PETSC_FALSE;
    while (isdigit((unsigned char)*t)) t++;
  }
  return (PetscBool) !*t;
}

/* Token t as a 64-bit integer; *ok false when it is not an integer or does not fit */
static long long ParseInteger(const char *t, PetscBool *ok)
{
  long long v;

  *ok = IsInteger(t);
  if (!*ok) return 0;
  errno = 0;
  v     = strtoll(t, NULL, 10);
  *ok   = (PetscBool)(errno != ERANGE);
  return v;
}

/* Exactly n tokens on the current data line, described by what (for the message) */
static PetscErrorCode ExpectTokens(MtxReader *r, int n, const char what[])
{
  PetscFunctionBegin;
  if (r->ntok < n) PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "expected '%s', found only %d token(s)", what, r->ntok));
  else if (r->ntok > n) PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "unexpected '%.40s' after '%s'", r->tok[n], what));
  PetscFunctionReturn(0);
}

static PetscErrorCode Parse(MPI_Comm comm, MtxReader *r, KrylearnEntries *E)
{
  const char *object, *format, *field, *symmetry, *entrywhat;
  long long   M = -1, N = -1, nz = -1, k, i = 1, j = 1;
  PetscBool   got, pattern, integer, array, match, ok[3];
  int         ntok;

  PetscFunctionBegin;
  PetscCall(ReadLine(r, &got));
  if (r->code) PetscFunctionReturn(0);
  if (got) Tokenize(r);
  if (!got || r->ntok < 1 || strcmp(r->tok[0], "%%MatrixMarket")) {
    PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "not a Matrix Market file (no '%%%%MatrixMarket matrix ...' header)"));
    PetscFunctionReturn(0);
  }
  if (r->ntok != 5) {
    PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "the header must be '%%%%MatrixMarket matrix FORMAT FIELD SYMMETRY': %s 5 tokens", r->ntok > 5 ? "more than" : "fewer than"));
    PetscFunctionReturn(0);
  }
  object   = r->tok[1];
  format   = r->tok[2];
  field    = r->tok[3];
  symmetry = r->tok[4];
  PetscCall(PetscStrcasecmp(format, "array", &array));
  PetscCall(PetscStrcasecmp(format, "coordinate", &match));
  match = (PetscBool)(match || array);
  if (match) PetscCall(PetscStrcasecmp(object, "matrix", &match));
  if (!match) {
    PetscCall(Fail(r, PETSC_ERR_SUP, "Matrix Market '%.40s %.40s' is not supported, only 'matrix coordinate' and 'matrix array'", object, format));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcasecmp(field, "pattern", &pattern));
  PetscCall(PetscStrcasecmp(field, "integer", &integer));
  PetscCall(PetscStrcasecmp(field, "real", &match));
  if (!(match || integer || (pattern && !array))) {
    PetscCall(Fail(r, PETSC_ERR_SUP, "Matrix Market field '%.40s' is not supported (real, integer or pattern; pattern only with coordinate)", field));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcasecmp(symmetry, "symmetric", &E->symmetric));
  PetscCall(PetscStrcasecmp(symmetry, "general", &match));
  if (!match && !E->symmetric) {
    PetscCall(Fail(r, PETSC_ERR_SUP, "Matrix Market symmetry '%.40s' is not supported (general or symmetric)", symmetry));
    PetscFunctionReturn(0);
  }

  PetscCall(NextDataLine(r, &got));
  if (r->code) PetscFunctionReturn(0);
  if (!got) {
    PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "missing size line 'rows columns%s'", array ? "" : " entries"));
    PetscFunctionReturn(0);
  }
  ntok = array ? 2 : 3;
  PetscCall(ExpectTokens(r, ntok, array ? "rows columns" : "rows columns entries"));
  if (r->code) PetscFunctionReturn(0);
  M = ParseInteger(r->tok[0], &ok[0]);
  N = ParseInteger(r->tok[1], &ok[1]);
  if (!array) nz = ParseInteger(r->tok[2], &ok[2]);
  else ok[2] = PETSC_TRUE;
  if (!ok[0] || !ok[1] || !ok[2] || M < 0 || N < 0 || (!array && nz < 0)) {
    PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "malformed size line: 'rows columns%s' must be non-negative integers", array ? "" : " entries"));
    PetscFunctionReturn(0);
  }
  if (E->symmetric && M != N) {
    PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "a symmetric matrix must be square, the size line says %lld x %lld", M, N));
    PetscFunctionReturn(0);
  }
  PetscCall(KrylearnEntriesSetSizes(E, comm, r->file, M, N));
  if (array) nz = E->symmetric ? M * (M + 1) / 2 : M * N; /* column-major; symmetric: lower triangle */
  entrywhat = array ? "value" : pattern ? "row column" : "row column value";
  ntok      = array ? 1 : pattern ? 2 : 3;

  for (k = 0; k < nz; k++) {
    const char *vtok;
    double      v = 1.0;

    PetscCall(NextDataLine(r, &got));
    if (r->code) PetscFunctionReturn(0);
    if (!got) {
      PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "truncated: %lld of the %lld entries found", k, nz));
      PetscFunctionReturn(0);
    }
    PetscCall(ExpectTokens(r, ntok, entrywhat));
    if (r->code) PetscFunctionReturn(0);
    if (array) { /* the position follows from the count */
      if (k) i++;
      if (i > M) i = E->symmetric ? ++j : (j++, 1);
    } else {
      i = ParseInteger(r->tok[0], &ok[0]);
      j = ParseInteger(r->tok[1], &ok[1]);
      if (!ok[0] || !ok[1]) {
        PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "entry %lld: index '%.40s' is not a 64-bit integer", k + 1, r->tok[ok[0] ? 1 : 0]));
        PetscFunctionReturn(0);
      }
    }
    if (!pattern) {
      char *end;

      vtok = r->tok[ntok - 1];
      v    = strtod(vtok, &end);
      if (!*end && PetscIsInfOrNanReal(v)) { /* nan, inf, or a decimal beyond the double range */
        PetscCall(Fail(r, PETSC_ERR_FP, "entry %lld holds a NaN or Inf value: '%.40s'", k + 1, vtok));
        PetscFunctionReturn(0);
      }
      if (!(integer ? IsInteger(vtok) : IsDecimal(vtok))) {
        PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "entry %lld: value '%.40s' is not %s", k + 1, vtok, integer ? "an integer (the field is 'integer')" : "a decimal number"));
        PetscFunctionReturn(0);
      }
    }
    if (i < 1 || i > M || j < 1 || j > N) {
      PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "index out of range in entry %lld: (%lld, %lld) in a %lld x %lld matrix", k + 1, i, j, M, N));
      PetscFunctionReturn(0);
    }
    if (i - 1 >= E->rstart && i - 1 < E->rend && (!array || v != 0.0)) PetscCall(KrylearnEntriesAdd(E, (PetscInt)(i - 1), (PetscInt)(j - 1), v));
  }
  PetscCall(NextDataLine(r, &got));
  if (!r->code && got) PetscCall(Fail(r, PETSC_ERR_FILE_UNEXPECTED, "more entries than the %lld the size line declares", nz));
  PetscFunctionReturn(0);
}

/* Opens file for reading if it is a regular file (a FIFO or device would block or never end);
   on failure *fp is NULL and why says what is wrong */
static void OpenRegular(const char file[], FILE **fp, const char **why)
{
  struct stat st;
  int         fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

  *fp  = NULL;
  *why = "no such readable file";
  if (fd < 0) return;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode)) *why = "not a regular file";
  else if (fcntl(fd, F_SETFL, 0) == 0) *fp = fdopen(fd, "r");
  if (!*fp) (void)close(fd);
}

PetscErrorCode KrylearnReadMatrixMarket(MPI_Comm comm, const char file[], KrylearnEntries *E)
{
  MtxReader      r;
  const char    *why;
  PetscBool      regular;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&r, sizeof(r)));
  r.file = file;
  PetscCall(KrylearnIOTestRegularFile(file, &regular, &why)); /* names what the path is instead */
  if (regular) OpenRegular(file, &r.fp, &why);
  ierr = KrylearnIOCheck(comm, (PetscBool)!r.fp, PETSC_ERR_FILE_OPEN, "%s: cannot open: %s", file, why);
  if (ierr && r.fp) (void)fclose(r.fp); /* another rank could not open it */
  PetscCall(ierr);
  ierr = Parse(comm, &r, E);
  (void)fclose(r.fp);
  PetscCall(ierr);
  PetscCall(KrylearnIOCheck(comm, r.code != 0, r.code ? r.code : PETSC_ERR_FILE_UNEXPECTED, "%s", r.msg));
  PetscFunctionReturn(0);
}
