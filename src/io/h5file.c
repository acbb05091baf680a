/* The one HDF5 layer of Krylearn: every read and write of an HDF5 file in the library and
   the programs goes through these routines. They check before they trust: the file is a
   regular file before it is opened (a named pipe would block), every attribute has the
   class, element size and number of values the caller asks for (an array where one value
   is expected, or a corrupt header, is an error, never "absent"), every dataset has the
   class, element size and rank asked for, an extent that fits 64-bit sizes and storage in
   the file that can hold it, before anything is allocated. Each public routine finds its
   failure on the calling rank and raises it with one reduction over the file's
   communicator, so every rank raises the same error and none exits silently. */
#include "ioimpl.h"
#include <hdf5.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>

/* deflate, HDF5's strongest standard filter, compresses by at most 1032:1 */
#define KRYLEARN_H5_MAX_COMPRESSION 1100
/* longest fixed-length string attribute read */
#define KRYLEARN_H5_MAX_STRING 65536
/* child processes that read what can crash libhdf5: seconds without output before a child is taken as hung,
   and the address space it may add (so that a corrupt size cannot make it allocate gigabytes) */
#define KRYLEARN_H5_CHILD_PATIENCE 10
#define KRYLEARN_H5_CHILD_MEMORY   (1ull << 30)
#define KRYLEARN_H5_CHILD_FAILED   3 /* a child's exit status when what it reads is corrupt */
#define KRYLEARN_H5_CHILD_NOMEM    4 /* ... when the library failed to allocate memory reading it */
/* objects the structure probe walks at most */
#define KRYLEARN_H5_PROBE_OBJECTS 1000000

struct _n_KrylearnH5File {
  MPI_Comm       comm;
  char           label[PETSC_MAX_PATH_LEN + 64]; /* how errors name the file */
  char           name[PETSC_MAX_PATH_LEN];
  KrylearnH5Mode mode;
  hid_t          fid;
  PetscBool      isolate; /* read what can crash libhdf5 in child processes (-krylearn_h5_probe) */
  H5E_auto2_t    errfunc; /* HDF5's own error printing, silenced while the file is open */
  void          *errdata;
  PetscErrorCode code; /* first failure found on this rank since the last Sync() */
  char           msg[1024];
};

/*@C
  KrylearnIOCheck - Collective check: when localfail is set on any rank, every rank raises the error with the
  message and code of the lowest failing rank

  Collective

  Input Parameters:
+ comm      - the ranks that check together
. localfail - whether this rank found the problem
. code      - the error code
- fmt       - the message (printf format and arguments), formatted on the failing rank

  Level: developer

  Note:
  The error is raised on `PETSC_COMM_SELF` on every rank, so that every rank prints it: PETSc prints an error of a
  multi-rank communicator from its rank 0 only, and a rank that aborts first can end the job before rank 0 has
  printed anything.

.seealso: `KrylearnH5FileOpen()`
@*/
PetscErrorCode KrylearnIOCheck(MPI_Comm comm, PetscBool localfail, PetscErrorCode code, const char fmt[], ...)
{
  PetscMPIInt rank, size, first;
  struct {
    int  code;
    char msg[1024];
  } e = {(int)code, ""};

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
    PetscCall(PetscVSNPrintf(e.msg, sizeof(e.msg), fmt, &len, Argp));
    va_end(Argp);
  }
  PetscCallMPI(MPI_Bcast(&e, sizeof(e), MPI_BYTE, first, comm));
  SETERRQ(PETSC_COMM_SELF, (PetscErrorCode)e.code, "%s", e.msg);
}

/*@C
  KrylearnIOTestRegularFile - Tests, without opening it, that a path names a readable regular file

  Not Collective

  Input Parameter:
. file - the path

  Output Parameters:
+ ok     - `PETSC_TRUE` when file is a readable regular file
- reason - when not, why (a static string: "no such readable file", "a directory, not a file", ...)

  Level: developer

  Note:
  Opening a named pipe blocks until a writer appears, so every reader tests its input with this first.

.seealso: `KrylearnH5FileOpen()`
@*/
PetscErrorCode KrylearnIOTestRegularFile(const char file[], PetscBool *ok, const char **reason)
{
  struct stat st;

  PetscFunctionBegin;
  PetscValidCharPointer(file, 1);
  *ok     = PETSC_FALSE;
  *reason = "no such readable file";
  if (stat(file, &st)) PetscFunctionReturn(0);
  if (S_ISDIR(st.st_mode)) *reason = "a directory, not a file";
  else if (!S_ISREG(st.st_mode)) *reason = "not a regular file (a named pipe, device or socket)";
  else if (access(file, R_OK)) *reason = "permission denied";
  else *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Records the first failure found on this rank; Sync() raises it on every rank */
static void Fail(KrylearnH5File f, PetscErrorCode code, const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
static void Fail(KrylearnH5File f, PetscErrorCode code, const char fmt[], ...)
{
  va_list Argp;
  size_t  n;

  if (f->code) return;
  f->code = code;
  n       = (size_t)snprintf(f->msg, sizeof(f->msg), "%s: ", f->label);
  if (n >= sizeof(f->msg)) return;
  va_start(Argp, fmt);
  (void)vsnprintf(f->msg + n, sizeof(f->msg) - n, fmt, Argp);
  va_end(Argp);
}

static PetscErrorCode Sync(KrylearnH5File f)
{
  PetscErrorCode code = f->code;

  PetscFunctionBegin;
  f->code = 0;
  PetscCall(KrylearnIOCheck(f->comm, code != 0, code, "%s", f->msg));
  PetscFunctionReturn(0);
}

static const char *ClassName(H5T_class_t cls)
{
  switch (cls) {
  case H5T_INTEGER:
    return "integer";
  case H5T_FLOAT:
    return "floating-point";
  case H5T_STRING:
    return "string";
  case H5T_COMPOUND:
    return "compound";
  case H5T_ENUM:
    return "enum";
  case H5T_ARRAY:
    return "array";
  case H5T_VLEN:
    return "variable-length";
  case H5T_OPAQUE:
    return "opaque";
  case H5T_REFERENCE:
    return "reference";
  default:
    return "unreadable";
  }
}

/* Whether the element type of class cls and size bytes can be read as type; why not in *why */
static PetscBool TypeFits(hid_t t, KrylearnH5Type type, const char **why)
{
  H5T_class_t cls  = H5Tget_class(t);
  size_t      size = H5Tget_size(t);

  *why = NULL;
  if (type == KRYLEARN_H5_INT64 || type == KRYLEARN_H5_INT32) {
    if (cls == H5T_INTEGER && (size == 1 || size == 2 || size == 4 || (size == 8 && type == KRYLEARN_H5_INT64))) return PETSC_TRUE;
    *why = cls != H5T_INTEGER ? "integers expected" : (size == 8 ? "integers of at most 32 bits expected" : "an integer type of corrupt size");
  } else {
    if (cls == H5T_FLOAT && (size == 4 || size == 8)) return PETSC_TRUE;
    *why = cls == H5T_FLOAT ? "float32 or float64 expected" : "floating-point (float32 or float64) values expected";
  }
  return PETSC_FALSE;
}

static hid_t MemType(KrylearnH5Type type)
{
  switch (type) {
  case KRYLEARN_H5_INT64:
    return H5T_NATIVE_INT64;
  case KRYLEARN_H5_INT32:
    return H5T_NATIVE_INT32;
  case KRYLEARN_H5_FLOAT:
    return H5T_NATIVE_FLOAT;
  default:
    return H5T_NATIVE_DOUBLE;
  }
}

static size_t MemSize(KrylearnH5Type type)
{
  return type == KRYLEARN_H5_FLOAT || type == KRYLEARN_H5_INT32 ? 4 : 8;
}

/* Last component of a path, and the group holding it */
static const char *Base(const char path[])
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void Parent(const char path[], char group[], size_t len)
{
  const char *slash = strrchr(path, '/');
  size_t      n     = slash ? (size_t)(slash - path) : 0;

  if (!n || n >= len) (void)snprintf(group, len, "/");
  else {
    memcpy(group, path, n);
    group[n] = 0;
  }
}

/* What path names, walking it link by link so that a missing group on the way is "none" and
   a corrupt link is an error; *corrupt is set instead of failing */
static void Lookup(KrylearnH5File f, const char path[], KrylearnH5Object *type, PetscBool *corrupt)
{
  char   part[PETSC_MAX_PATH_LEN];
  size_t len = strlen(path);

  *type    = KRYLEARN_H5_NONE;
  *corrupt = PETSC_FALSE;
  if (len >= sizeof(part)) {
    *corrupt = PETSC_TRUE;
    return;
  }
  for (size_t k = 1; k <= len; k++) {
    if (k < len && path[k] != '/') continue;
    if (k == 1 && path[0] == '/') continue;
    memcpy(part, path, k);
    part[k] = 0;
    if (part[k - 1] == '/') continue; /* repeated slashes */
    htri_t ex = H5Lexists(f->fid, part, H5P_DEFAULT);
    if (ex < 0) *corrupt = PETSC_TRUE;
    if (ex <= 0) return;
  }
  {
    hid_t obj = H5Oopen(f->fid, len ? path : "/", H5P_DEFAULT);
    if (obj < 0) {
      *corrupt = PETSC_TRUE;
      return;
    }
    switch (H5Iget_type(obj)) {
    case H5I_GROUP:
      *type = KRYLEARN_H5_GROUP;
      break;
    case H5I_DATASET:
      *type = KRYLEARN_H5_DATASET;
      break;
    default:
      *type = KRYLEARN_H5_OTHER;
    }
    H5Oclose(obj);
  }
}

/* The one string of attribute a, of string type t, read in the file's character set: *s is NULL when the
   header is corrupt (*variable < 0), a fixed-length string is empty or longer than KRYLEARN_H5_MAX_STRING
   (*size tells), or the read fails. Release with FreeString(). The parent and the structure probe read
   strings with this one routine, so that the probe goes down the same path in HDF5 as the reader. */
static void ReadString(hid_t a, hid_t t, htri_t *variable, size_t *size, char **s)
{
  const int cset  = H5Tget_cset(t);
  hid_t     mtype = H5Tcopy(H5T_C_S1);

  *variable = H5Tis_variable_str(t);
  *size     = H5Tget_size(t);
  *s        = NULL;
  if (cset < 0 || mtype < 0 || H5Tset_cset(mtype, (H5T_cset_t)cset) < 0) *variable = -1;
  else if (*variable > 0) {
    if (H5Tset_size(mtype, H5T_VARIABLE) < 0 || H5Aread(a, mtype, s) < 0) *s = NULL;
  } else if (!*variable && *size >= 1 && *size <= KRYLEARN_H5_MAX_STRING && (*s = (char *)calloc(*size + 1, 1))) {
    if (H5Tset_size(mtype, *size + 1) < 0 || H5Aread(a, mtype, *s) < 0) {
      free(*s);
      *s = NULL;
    }
  }
  if (mtype >= 0) H5Tclose(mtype);
}

static void FreeString(char *s, htri_t variable)
{
  if (variable > 0) H5free_memory(s);
  else free(s);
}

/* The structure probe. HDF5 1.10 follows some of a file's internal addresses and sizes without
   validating them (docs/io.md): a corrupt file can crash or hang the library itself, where no check
   through its API can come first. So before a file is read, a child process walks its whole
   structure: it opens every object by name (group B-trees and name heaps, object headers, a
   dataset's layout, type, dataspace, filters and chunk index) and every attribute, and reads every
   string attribute (variable-length ones live in the global heap). A child that dies or stops making
   progress means the library cannot read the file: the parent reports a corrupt file instead of
   failing the same way. So does an allocation that fails in the child, whose memory is bounded: a
   corrupt size in an object header (an attribute of 2 GB in a file of 4 KB) would make the parent
   allocate and fill gigabytes. Other HDF5 errors in the child are left to the parent's own checks,
   which name the object. The walk touches no raw data, so it costs milliseconds whatever the file's
   size. */
typedef struct {
  int      progress; /* pipe to the parent: one byte per object */
  size_t   objects, slots;
  haddr_t *seen; /* the addresses of the objects visited: an open-addressing set of slots entries, HADDR_UNDEF free */
  int      cycle;
  int      nomem; /* an HDF5 call failed for want of memory */
} ProbeWalk;

/* Whether the object at addr is visited for the first time (recording it). HDF5 visits an object with several
   links once, by its link count; an object met again is linked more often than its count says, which only a
   corrupt file does, and following such links can go round forever. */
static int ProbeFirstVisit(ProbeWalk *w, haddr_t addr)
{
  size_t k;

  if (addr == HADDR_UNDEF) return 1;
  if (2 * (w->objects + 1) > w->slots) { /* grow and rehash */
    const size_t slots = w->slots ? 2 * w->slots : 1024;
    haddr_t     *seen  = (haddr_t *)malloc(slots * sizeof(*seen));
    ProbeWalk    grown = {w->progress, 0, slots, seen, w->cycle, w->nomem};

    if (!seen) return 1;
    for (k = 0; k < slots; k++) seen[k] = HADDR_UNDEF;
    for (k = 0; k < w->slots; k++)
      if (w->seen[k] != HADDR_UNDEF) (void)ProbeFirstVisit(&grown, w->seen[k]);
    free(w->seen);
    *w = grown;
  }
  for (k = (size_t)(addr * 0x9E3779B97F4A7C15ull) & (w->slots - 1); w->seen[k] != HADDR_UNDEF; k = (k + 1) & (w->slots - 1))
    if (w->seen[k] == addr) return 0;
  w->seen[k] = addr;
  w->objects++;
  return 1;
}

static herr_t FindAllocationFailure(unsigned n, const H5E_error2_t *e, void *nomem)
{
  (void)n;
  if (e->maj_num == H5E_RESOURCE && (e->min_num == H5E_NOSPACE || e->min_num == H5E_CANTALLOC)) *(int *)nomem = 1;
  return 0;
}

/* Notes whether the HDF5 call that has just failed ran out of memory (its error stack is kept until the next call) */
static void NoteFailure(ProbeWalk *w)
{
  (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, FindAllocationFailure, &w->nomem);
}

static herr_t ProbeAttribute(hid_t o, const char name[], const H5A_info_t *info, void *ctx)
{
  hid_t a = H5Aopen(o, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID, s = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;

  (void)info;
  if (a < 0 || t < 0 || s < 0) NoteFailure((ProbeWalk *)ctx);
  if (t >= 0 && s >= 0 && H5Tget_class(t) == H5T_STRING && H5Sget_simple_extent_npoints(s) == 1) {
    htri_t variable;
    size_t size;
    char  *str;

    ReadString(a, t, &variable, &size, &str);
    FreeString(str, variable);
  }
  if (s >= 0) H5Sclose(s);
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  return 0; /* an attribute HDF5 reports as corrupt is the parent's to name */
}

static herr_t ProbeObject(hid_t fid, const char name[], const H5O_info_t *info, void *ctx)
{
  ProbeWalk *w = (ProbeWalk *)ctx;
  hid_t      o;

  if (write(w->progress, "", 1) < 0) return -1; /* the parent has gone */
  if (!ProbeFirstVisit(w, info->addr)) {
    w->cycle = 1;
    return 1;
  }
  o = H5Oopen(fid, name, H5P_DEFAULT);
  if (o < 0) NoteFailure(w);
  if (o >= 0 && H5Iget_type(o) == H5I_DATASET) {
    hid_t t = H5Dget_type(o), s = H5Dget_space(o), p = H5Dget_create_plist(o);
    if (t < 0 || s < 0 || p < 0) NoteFailure(w);
    (void)H5Dget_storage_size(o);
    if (p >= 0) H5Pclose(p);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
  }
  if (o >= 0) {
    if (H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, ProbeAttribute, w) < 0) NoteFailure(w);
    H5Oclose(o);
  }
  return w->objects < KRYLEARN_H5_PROBE_OBJECTS ? 0 : 1;
}

/* Runs body(ctx, out) in a child process and collects what it writes to out: at most len bytes into buf
   (*got of them; buf NULL: the output only shows progress). The child dies by its signals silently (the
   parent's handlers, PETSc's, would abort the MPI job), prints nothing, may add at most
   KRYLEARN_H5_CHILD_MEMORY of address space, and is killed after KRYLEARN_H5_CHILD_PATIENCE seconds without
   output (*hung). *status is its wait status; *err an errno when it could not be run. */
static void RunChild(void (*body)(void *, int), void *ctx, char buf[], size_t len, size_t *got, int *status, PetscBool *hung, int *err)
{
  int   fds[2];
  pid_t pid;

  *got    = 0;
  *status = 0;
  *hung   = PETSC_FALSE;
  *err    = 0;
  if (pipe(fds)) {
    *err = errno;
    return;
  }
  pid = fork();
  if (pid == 0) {
    const int          signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE};
    const int          null      = open("/dev/null", O_WRONLY);
    unsigned long long pages     = 0;
    FILE              *statm     = fopen("/proc/self/statm", "r");

    for (size_t k = 0; k < sizeof(signals) / sizeof(signals[0]); k++) signal(signals[k], SIG_DFL);
    if (null >= 0) {
      (void)dup2(null, STDOUT_FILENO);
      (void)dup2(null, STDERR_FILENO);
    }
    if (statm && fscanf(statm, "%llu", &pages) == 1) { /* lower the soft limit only: raising it, or the hard one, fails */
      const rlim_t  bound = (rlim_t)(pages * (unsigned long long)sysconf(_SC_PAGESIZE) + KRYLEARN_H5_CHILD_MEMORY);
      struct rlimit limit;
      if (!getrlimit(RLIMIT_AS, &limit) && (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > bound)) {
        limit.rlim_cur = bound;
        (void)setrlimit(RLIMIT_AS, &limit);
      }
    }
    close(fds[0]);
    body(ctx, fds[1]);
    _exit(0);
  }
  close(fds[1]);
  if (pid < 0) {
    *err = errno;
    close(fds[0]);
    return;
  }
  for (;;) {
    struct pollfd p = {fds[0], POLLIN, 0};
    char          progress[4096];
    const int     ready = poll(&p, 1, 1000 * KRYLEARN_H5_CHILD_PATIENCE);
    ssize_t       n;

    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      kill(pid, SIGKILL);
      *hung = PETSC_TRUE;
      break;
    }
    n = buf ? read(fds[0], buf + *got, len - *got) : read(fds[0], progress, sizeof(progress));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (buf) *got += (size_t)n;
    if (buf && *got == len) break;
  }
  close(fds[0]);
  if (*got == len && buf) kill(pid, SIGKILL); /* it has said all the parent takes */
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) continue;
}

/* The probe's child: walks the file and exits with 0, KRYLEARN_H5_CHILD_FAILED on a cycle or
   KRYLEARN_H5_CHILD_NOMEM when an allocation failed */
static void ProbeBody(void *file, int progress)
{
  ProbeWalk w   = {progress, 0, 0, NULL, 0, 0};
  hid_t     fid = H5Fopen((const char *)file, H5F_ACC_RDONLY, H5P_DEFAULT);

  if (fid < 0 || H5Ovisit2(fid, H5_INDEX_NAME, H5_ITER_NATIVE, ProbeObject, &w, H5O_INFO_BASIC) < 0) NoteFailure(&w);
  _exit(w.cycle ? KRYLEARN_H5_CHILD_FAILED : w.nomem ? KRYLEARN_H5_CHILD_NOMEM : 0);
}

/* Runs the probe on file; a crash or hang of the child is a failure of the file */
static void Probe(KrylearnH5File f, const char file[])
{
  size_t    got;
  int       status, err;
  PetscBool hung;

  RunChild(ProbeBody, (void *)file, NULL, 0, &got, &status, &hung, &err);
  if (err) Fail(f, PETSC_ERR_SYS, "cannot check the file's structure in a child process: %s (-krylearn_h5_probe false skips the check)", strerror(err));
  else if (hung) Fail(f, PETSC_ERR_FILE_READ, "corrupt file: the HDF5 library made no progress reading its structure for %d s", KRYLEARN_H5_CHILD_PATIENCE);
  else if (WIFSIGNALED(status)) Fail(f, PETSC_ERR_FILE_READ, "corrupt file: the HDF5 library crashed reading its structure (signal %d)", WTERMSIG(status));
  else if (WEXITSTATUS(status) == KRYLEARN_H5_CHILD_FAILED) Fail(f, PETSC_ERR_FILE_READ, "corrupt file: its groups link back to an object already reached (a cycle)");
  else if (WEXITSTATUS(status) == KRYLEARN_H5_CHILD_NOMEM) Fail(f, PETSC_ERR_FILE_READ, "corrupt file: the HDF5 library needs more than %llu MB of memory to read its structure", KRYLEARN_H5_CHILD_MEMORY >> 20);
  else if (WEXITSTATUS(status)) Fail(f, PETSC_ERR_FILE_READ, "corrupt file: the HDF5 library failed reading its structure (exit status %d)", WEXITSTATUS(status));
}

/*@C
  KrylearnH5FileOpen - Opens an HDF5 file through Krylearn's checked HDF5 layer

  Collective

  Input Parameters:
+ comm - the ranks that check together: every failure found on one of them is raised on all.
         Every rank opens the file on its own (no collective HDF5 calls); a file written by one
         rank is opened on `PETSC_COMM_SELF`
. file - the file name
. what - how errors name the file, for example "Model file" (errors read "Model file NAME: ..."), or NULL
         for the file name alone
- mode - `KRYLEARN_H5_READ`, `KRYLEARN_H5_WRITE` (create or overwrite) or `KRYLEARN_H5_APPEND` (read and write
         an existing file)

  Output Parameter:
. f - the file

  Options Database Key:
. -krylearn_h5_probe <true> - walk the structure of a file to read in a child process first (read and append modes)

  Level: developer

  Notes:
  A file to read must be a readable regular file, tested before it is opened (a named pipe, a directory or an
  unreadable path is an error, never a hang), and must be HDF5. HDF5's own error printing is off while
  the file is open; the errors of this layer name the file, the object and the problem.

  HDF5 1.10 itself crashes or loops on some corrupt files before any check can come first (docs/io.md). So the
  first rank of comm forks a child that opens every object and attribute of the file and reads every string
  attribute, touching no raw data; a child that dies or makes no progress for 10 s makes the file an error
  ("corrupt file: the HDF5 library crashed reading its structure"). Variable-length string attributes are
  also read in a child process later, by `KrylearnH5FileReadAttributeString()`. Children may add at most 1 GB
  of address space. Turn both off where fork() is unsafe, for example with RDMA networks that do not support it.

.seealso: `KrylearnH5FileClose()`, `KrylearnH5FileReadAttribute()`, `KrylearnH5FileReadDataset()`, `KrylearnH5FileWriteDataset()`
@*/
PetscErrorCode KrylearnH5FileOpen(MPI_Comm comm, const char file[], const char what[], KrylearnH5Mode mode, KrylearnH5File *f)
{
  KrylearnH5File h;
  PetscBool      ok = PETSC_TRUE, probe = PETSC_TRUE;
  PetscMPIInt    rank = 0;
  const char    *reason;
  hid_t          fapl;

  PetscFunctionBegin;
  PetscValidCharPointer(file, 2);
  PetscValidPointer(f, 5);
  if (mode != KRYLEARN_H5_WRITE) {
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    PetscOptionsBegin(comm, NULL, "Krylearn HDF5 input", "KrylearnH5FileOpen");
    PetscCall(PetscOptionsBool("-krylearn_h5_probe", "Read what can crash libhdf5 (each HDF5 input's structure, variable-length strings) in child processes first, so that a file that crashes or hangs the library is an error (false where fork() is unsafe)", "KrylearnH5FileOpen", probe, &probe, NULL));
    PetscOptionsEnd();
  }
  PetscCall(PetscNew(&h));
  h->comm    = comm;
  h->mode    = mode;
  h->fid     = H5I_INVALID_HID;
  h->isolate = probe;
  PetscCall(PetscStrncpy(h->name, file, sizeof(h->name)));
  if (what && what[0]) PetscCall(PetscSNPrintf(h->label, sizeof(h->label), "%s %s", what, file));
  else PetscCall(PetscStrncpy(h->label, file, sizeof(h->label)));
  PetscCallExternal(H5Eget_auto2, H5E_DEFAULT, &h->errfunc, &h->errdata);
  PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, NULL, NULL);
  *f = h;
  /* strong closing: closing the file closes whatever a failed read left open */
  fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) Fail(h, PETSC_ERR_LIB, "cannot set up HDF5 file access");
  else if (mode == KRYLEARN_H5_WRITE) {
    h->fid = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (h->fid < 0) Fail(h, PETSC_ERR_FILE_OPEN, "cannot create the HDF5 file");
  } else {
    PetscCall(KrylearnIOTestRegularFile(file, &ok, &reason));
    if (!ok) Fail(h, PETSC_ERR_FILE_OPEN, "cannot open: %s", reason);
    else if (H5Fis_hdf5(file) <= 0) Fail(h, PETSC_ERR_FILE_UNEXPECTED, "not an HDF5 file, or a truncated or corrupt one");
    else if (probe && !rank) Probe(h, file);
  }
  {
    /* one rank probes; its verdict reaches every rank before any of them opens the file */
    PetscErrorCode ierr = Sync(h);
    if (!ierr && mode != KRYLEARN_H5_WRITE) {
      h->fid = H5Fopen(file, mode == KRYLEARN_H5_APPEND ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
      if (h->fid < 0) Fail(h, PETSC_ERR_FILE_READ, "cannot open as HDF5: truncated or corrupt file");
      ierr = Sync(h);
    }
    if (fapl >= 0) H5Pclose(fapl);
    if (ierr) PetscCall(KrylearnH5FileClose(f));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileClose - Closes a file opened with KrylearnH5FileOpen()

  Collective

  Input Parameter:
. f - the file (set to NULL)

  Level: developer

  Note:
  A written file that cannot be closed (flushed) is an error.

.seealso: `KrylearnH5FileOpen()`
@*/
PetscErrorCode KrylearnH5FileClose(KrylearnH5File *f)
{
  KrylearnH5File h      = *f;
  herr_t         status = 0;

  PetscFunctionBegin;
  if (!h) PetscFunctionReturn(0);
  *f = NULL;
  if (h->fid >= 0) status = H5Fclose(h->fid);
  PetscCallExternal(H5Eset_auto2, H5E_DEFAULT, h->errfunc, h->errdata);
  if (status < 0 && h->mode != KRYLEARN_H5_READ) Fail(h, PETSC_ERR_FILE_WRITE, "cannot finish writing the HDF5 file");
  {
    PetscErrorCode ierr = h->fid >= 0 ? Sync(h) : 0;
    PetscCall(PetscFree(h));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileWriteOnRank - One rank opens an HDF5 file on its own, runs a writer on it and closes it; a
  failure there is an error on every rank of the communicator

  Collective

  Input Parameters:
+ comm  - the ranks
. rank  - the rank that writes
. file  - the HDF5 file
. what  - how the layer's errors name the file, e.g. "Output file" (NULL: by its name only)
. mode  - `KRYLEARN_H5_WRITE` (create or overwrite) or `KRYLEARN_H5_APPEND`
. write - the writer, called on rank only as write(f, ctx) with the open file
. ctx   - the writer's context
- fmt   - what failed, as a printf format and its arguments (formatted on rank); the cause follows in parentheses

  Level: developer

  Note:
  The file is closed after a failure too. The other ranks wait for the writing rank, which
  writes with PETSc's error printing off: the error is raised once, on every rank, by
  `KrylearnIOCheck()`.

.seealso: `KrylearnH5FileOpen()`, `KrylearnIOCheck()`
@*/
PetscErrorCode KrylearnH5FileWriteOnRank(MPI_Comm comm, PetscMPIInt rank, const char file[], const char what[], KrylearnH5Mode mode, PetscErrorCode (*write)(KrylearnH5File, void *), void *ctx, const char fmt[], ...)
{
  PetscMPIInt    me;
  PetscErrorCode ierr      = 0;
  char           msg[2048] = "";

  PetscFunctionBegin;
  PetscValidCharPointer(file, 3);
  PetscValidFunction(write, 6);
  PetscCallMPI(MPI_Comm_rank(comm, &me));
  if (me == rank) {
    KrylearnH5File f = NULL;

    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = KrylearnH5FileOpen(PETSC_COMM_SELF, file, what, mode, &f);
    if (!ierr) ierr = (*write)(f, ctx);
    if (f) {
      const PetscErrorCode cerr = KrylearnH5FileClose(&f);
      ierr                      = ierr ? ierr : cerr;
    }
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      const char *cause = NULL;
      va_list     Argp;
      size_t      len;

      PetscCall(PetscErrorMessage(ierr, NULL, (char **)&cause));
      va_start(Argp, fmt);
      PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, &len, Argp));
      va_end(Argp);
      PetscCall(PetscStrlcat(msg, " (", sizeof(msg)));
      PetscCall(PetscStrlcat(msg, cause ? cause : "unknown cause", sizeof(msg)));
      PetscCall(PetscStrlcat(msg, ")", sizeof(msg)));
    }
  }
  PetscCall(KrylearnIOCheck(comm, ierr != 0, ierr, "%s", msg));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileGetObject - What a path in the file names: nothing, a group or a dataset

  Collective

  Input Parameters:
+ f    - the file
- path - the path from the root, for example "/graphs/main"

  Output Parameter:
. type - `KRYLEARN_H5_NONE`, `KRYLEARN_H5_GROUP`, `KRYLEARN_H5_DATASET` or `KRYLEARN_H5_OTHER`

  Level: developer

  Note:
  A link that cannot be followed (a corrupt file) is an error, not "none".

.seealso: `KrylearnH5FileOpen()`, `KrylearnH5FileGetDataset()`
@*/
PetscErrorCode KrylearnH5FileGetObject(KrylearnH5File f, const char path[], KrylearnH5Object *type)
{
  PetscBool corrupt;

  PetscFunctionBegin;
  Lookup(f, path, type, &corrupt);
  if (corrupt) Fail(f, PETSC_ERR_FILE_READ, "cannot follow the path '%s': corrupt file", path);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/* Opens attribute name of object obj (described in *desc as "group 'G'" or "dataset 'D'"); *a < 0 when
   absent. Fails when obj is missing or the attribute header is corrupt */
static void OpenAttribute(KrylearnH5File f, const char obj[], const char name[], hid_t *o, hid_t *a, char desc[], size_t len)
{
  KrylearnH5Object type;
  PetscBool        corrupt;
  htri_t           ex;

  *o = *a = H5I_INVALID_HID;
  Lookup(f, obj, &type, &corrupt);
  (void)snprintf(desc, len, "%s '%s'", type == KRYLEARN_H5_DATASET ? "dataset" : "group", obj[0] ? obj : "/");
  if (corrupt || type == KRYLEARN_H5_NONE) {
    Fail(f, corrupt ? PETSC_ERR_FILE_READ : PETSC_ERR_FILE_UNEXPECTED, corrupt ? "cannot follow the path '%s': corrupt file" : "no group or dataset '%s'", obj);
    return;
  }
  *o = H5Oopen(f->fid, obj[0] ? obj : "/", H5P_DEFAULT);
  if (*o < 0) {
    Fail(f, PETSC_ERR_FILE_READ, "cannot open '%s': corrupt file", obj);
    return;
  }
  ex = H5Aexists(*o, name);
  if (ex < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: corrupt attribute header", name, desc);
  if (ex <= 0) return;
  *a = H5Aopen(*o, name, H5P_DEFAULT);
  if (*a < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot open attribute '%s' of %s: corrupt attribute header", name, desc);
}

/* Number of values of attribute a, failing unless it is a scalar or a 1-D array of 1 to nmax values */
static hssize_t AttributeCount(KrylearnH5File f, hid_t a, const char desc[], const char name[], PetscInt nmax, const char *expect)
{
  hid_t    s     = H5Aget_space(a);
  int      ndims = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
  hssize_t n     = s >= 0 && ndims >= 0 ? H5Sget_simple_extent_npoints(s) : -1;

  if (s >= 0) H5Sclose(s);
  if (ndims < 0 || n < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot read the shape of attribute '%s' of %s: corrupt attribute header", name, desc);
  else if (ndims > 1) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s is a %d-D array, %s expected", name, desc, ndims, expect);
  else if (n < 1 || n > nmax) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s holds %" PetscInt64_FMT " values, %s expected", name, desc, (PetscInt64)n, expect);
  else return n;
  return -1;
}

/* Integer or enum (h5py's booleans) values as int64; the enum is read in its own type and its
   base converted, so that HDF5 never derives a native type from a possibly corrupt enum */
static void ReadIntegers(KrylearnH5File f, hid_t a, hid_t t, hssize_t n, const char desc[], const char name[], PetscInt64 vals[])
{
  H5T_class_t cls    = H5Tget_class(t);
  size_t      size   = H5Tget_size(t);
  herr_t      status = -1;

  if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE && size == 8) { /* above 2^63 is out of every range */
    uint64_t u[16];
    if (n <= 16 && H5Aread(a, H5T_NATIVE_UINT64, u) >= 0) {
      status = 0;
      for (hssize_t k = 0; k < n; k++) vals[k] = u[k] > (uint64_t)INT64_MAX ? INT64_MAX : (PetscInt64)u[k];
    }
  } else if (cls == H5T_INTEGER) status = H5Aread(a, H5T_NATIVE_INT64, vals);
  else { /* enum */ hid_t base = H5Tget_super(t);
    if (base >= 0 && H5Tget_class(base) == H5T_INTEGER && H5Tget_size(base) == size && H5Tget_nmembers(t) >= 0 && H5Tget_nmembers(t) <= 256) {
      if (H5Aread(a, t, vals) >= 0) status = H5Tconvert(base, H5T_NATIVE_INT64, (size_t)n, vals, NULL, H5P_DEFAULT);
    }
    if (base >= 0) H5Tclose(base);
  }
  if (status < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: corrupt file", name, desc);
}

/*@C
  KrylearnH5FileReadAttribute - Reads a numeric attribute of a given class and number of values

  Collective

  Input Parameters:
+ f    - the file
. obj  - the group or dataset holding the attribute, for example "/" or "/graphs/main"
. name - the attribute
. type - `KRYLEARN_H5_INT64` (an integer or boolean attribute, read as PetscInt64) or `KRYLEARN_H5_REAL`
         (floating-point or integer, read as PetscReal)
- nmax - the most values accepted; 1 for a scalar

  Output Parameters:
+ n    - the number of values read, 0 when the attribute is absent
- vals - room for nmax values of the type

  Level: developer

  Notes:
  The attribute must hold one value (a scalar or a one-element array) when nmax is 1 and 1 to nmax values
  (a scalar or a 1-D array) otherwise. The class and element size are checked before anything is read: an
  array where fewer values are expected, a string or floating-point value where integers are expected, an
  integer type of impossible size, or a corrupt attribute header are errors naming the file, object and
  attribute, never "absent". nmax is at most 16.

.seealso: `KrylearnH5FileReadAttributeString()`, `KrylearnH5FileWriteAttribute()`
@*/
PetscErrorCode KrylearnH5FileReadAttribute(KrylearnH5File f, const char obj[], const char name[], KrylearnH5Type type, PetscInt nmax, PetscInt *n, void *vals)
{
  hid_t       o, a, t = H5I_INVALID_HID;
  hssize_t    count = -1;
  char        desc[PETSC_MAX_PATH_LEN + 16];
  char        expect[64];
  const char *why;

  PetscFunctionBegin;
  PetscCheck(nmax >= 1 && nmax <= 16, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most 16 attribute values, not %" PetscInt_FMT, nmax);
  PetscCheck(type == KRYLEARN_H5_INT64 || type == KRYLEARN_H5_REAL, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Attributes are read as KRYLEARN_H5_INT64 or KRYLEARN_H5_REAL");
  *n = 0;
  if (nmax == 1) PetscCall(PetscStrncpy(expect, "one value", sizeof(expect)));
  else PetscCall(PetscSNPrintf(expect, sizeof(expect), "1 to %" PetscInt_FMT " values", nmax));
  OpenAttribute(f, obj, name, &o, &a, desc, sizeof(desc));
  if (a >= 0) {
    count = AttributeCount(f, a, desc, name, nmax, expect);
    t     = H5Aget_type(a);
    if (t < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot read the type of attribute '%s' of %s: corrupt attribute header", name, desc);
  }
  if (count > 0 && t >= 0) {
    H5T_class_t cls = H5Tget_class(t);
    if (type == KRYLEARN_H5_INT64) {
      const size_t size = H5Tget_size(t);
      if ((cls == H5T_INTEGER || cls == H5T_ENUM) && (size == 1 || size == 2 || size == 4 || size == 8)) ReadIntegers(f, a, t, count, desc, name, (PetscInt64 *)vals);
      else Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s has the wrong dtype: %s, integers expected", name, desc, cls == H5T_INTEGER || cls == H5T_ENUM ? "a type of corrupt size" : ClassName(cls));
    } else {
      if (cls == H5T_INTEGER ? TypeFits(t, KRYLEARN_H5_INT64, &why) : TypeFits(t, KRYLEARN_H5_REAL, &why)) {
        double d[16];
        if (H5Aread(a, H5T_NATIVE_DOUBLE, d) < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: corrupt file", name, desc);
        else
          for (hssize_t k = 0; k < count; k++) ((PetscReal *)vals)[k] = (PetscReal)d[k];
      } else Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s has the wrong dtype: %s, a number expected", name, desc, ClassName(cls));
    }
  }
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  if (o >= 0) H5Oclose(o);
  if (!f->code && count > 0) *n = (PetscInt)count;
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileHasAttribute - Whether an object holds an attribute

  Collective

  Input Parameters:
+ f    - the file
. obj  - the group or dataset
- name - the attribute

  Output Parameter:
. has - whether it is there

  Level: developer

  Note:
  A corrupt attribute header is an error, not "absent".

.seealso: `KrylearnH5FileReadAttribute()`
@*/
PetscErrorCode KrylearnH5FileHasAttribute(KrylearnH5File f, const char obj[], const char name[], PetscBool *has)
{
  hid_t o, a;
  char  desc[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBegin;
  OpenAttribute(f, obj, name, &o, &a, desc, sizeof(desc));
  *has = a >= 0 ? PETSC_TRUE : PETSC_FALSE;
  if (a >= 0) H5Aclose(a);
  if (o >= 0) H5Oclose(o);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

typedef struct {
  hid_t a, t;
} StringAttribute;

/* The child that reads a variable-length string: writes it to out and exits 0, or exits KRYLEARN_H5_CHILD_FAILED */
static void ReadStringBody(void *ctx, int out)
{
  const StringAttribute *sa = (const StringAttribute *)ctx;
  htri_t                 variable;
  size_t                 size, done = 0, n;
  char                  *s;

  ReadString(sa->a, sa->t, &variable, &size, &s);
  if (!s) _exit(KRYLEARN_H5_CHILD_FAILED);
  for (n = strlen(s); done < n;) {
    const ssize_t w = write(out, s + done, n - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  _exit(0);
}

/* Reads variable-length string attribute a (type t) into str (len bytes) in a child process. Its value lives
   in the file's global heap, which libhdf5 1.10 follows without validation: a corrupt heap crashes, loops or
   allocates gigabytes inside the library, and whether it does can depend on the reading process's memory
   layout, so the structure probe passing is no guarantee. Here the reading process is thrown away. */
static void ReadIsolatedString(KrylearnH5File f, hid_t a, hid_t t, const char desc[], const char name[], size_t len, char str[], PetscBool *found)
{
  StringAttribute sa = {a, t};
  size_t          got;
  int             status, err;
  PetscBool       hung;

  RunChild(ReadStringBody, &sa, str, len, &got, &status, &hung, &err);
  if (err) Fail(f, PETSC_ERR_SYS, "cannot read attribute '%s' of %s in a child process: %s (-krylearn_h5_probe false reads it here)", name, desc, strerror(err));
  else if (got == len) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s is longer than %zu characters", name, desc, len - 1);
  else if (hung) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: the HDF5 library made no progress reading it for %d s: corrupt file", name, desc, KRYLEARN_H5_CHILD_PATIENCE);
  else if (WIFSIGNALED(status)) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: the HDF5 library crashed reading it (signal %d): corrupt file", name, desc, WTERMSIG(status));
  else if (WEXITSTATUS(status)) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: corrupt file", name, desc);
  else {
    str[got] = 0;
    if (found) *found = PETSC_TRUE;
  }
  if (f->code) str[0] = 0;
}

/*@C
  KrylearnH5FileReadAttributeString - Reads a string attribute

  Collective

  Input Parameters:
+ f    - the file
. obj  - the group or dataset holding the attribute
. name - the attribute
- len  - the size of str

  Output Parameters:
+ str   - the string ("" when absent)
- found - whether the attribute is there; pass NULL when it is required

  Level: developer

  Notes:
  The attribute must be one string (fixed or variable length, ASCII or UTF-8), shorter than len: an
  array of strings, another class, a string too long or a corrupt header are errors. Fixed-length strings
  are read into a buffer sized from the checked type size. Variable-length strings (h5py's default for str)
  live in HDF5's global heap, which HDF5 1.10 reads without validation (see docs/io.md): they are read in a
  child process (unless -krylearn_h5_probe is false), so that a corrupt heap is an error, not a crash.

.seealso: `KrylearnH5FileReadAttribute()`, `KrylearnH5FileWriteAttributeString()`
@*/
PetscErrorCode KrylearnH5FileReadAttributeString(KrylearnH5File f, const char obj[], const char name[], size_t len, char str[], PetscBool *found)
{
  hid_t o, a, t = H5I_INVALID_HID;
  char  desc[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBegin;
  str[0] = 0;
  if (found) *found = PETSC_FALSE;
  OpenAttribute(f, obj, name, &o, &a, desc, sizeof(desc));
  if (a < 0 && !f->code && !found) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "%s has no attribute '%s'", desc, name);
  if (a >= 0 && AttributeCount(f, a, desc, name, 1, "one string") == 1) {
    t = H5Aget_type(a);
    if (t < 0 || H5Tget_class(t) != H5T_STRING) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s has the wrong dtype: %s, a string expected", name, desc, t < 0 ? "unreadable" : ClassName(H5Tget_class(t)));
    else {
      htri_t variable = H5Tis_variable_str(t);
      size_t size;
      char  *s;

      if (variable > 0 && f->isolate) ReadIsolatedString(f, a, t, desc, name, len, str, found);
      else {
        ReadString(a, t, &variable, &size, &s);
        if (variable < 0) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: corrupt attribute header", name, desc);
        else if (!variable && (size < 1 || size > KRYLEARN_H5_MAX_STRING)) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s is a string of %zu bytes, at most %d expected", name, desc, size, KRYLEARN_H5_MAX_STRING);
        else if (!s) Fail(f, PETSC_ERR_FILE_READ, "cannot read attribute '%s' of %s: corrupt file", name, desc);
        else if (strlen(s) >= len) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "attribute '%s' of %s is longer than %zu characters", name, desc, len - 1);
        else {
          PetscCall(PetscStrncpy(str, s, len));
          if (found) *found = PETSC_TRUE;
        }
        FreeString(s, variable);
      }
    }
  }
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  if (o >= 0) H5Oclose(o);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/* Opens dataset path and checks its class, element size, rank, extent and storage; *d < 0 on failure */
static void OpenDataset(KrylearnH5File f, const char path[], KrylearnH5Type type, int maxdim, hid_t *d, int *ndim, PetscInt64 dims[], PetscInt64 *count)
{
  KrylearnH5Object kind;
  PetscBool        corrupt;
  hid_t            s = H5I_INVALID_HID, t = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
  hsize_t          h[H5S_MAX_RANK];
  const char      *why;
  PetscInt64       total = 1, bytes;

  *d = H5I_INVALID_HID;
  Lookup(f, path, &kind, &corrupt);
  if (corrupt) {
    Fail(f, PETSC_ERR_FILE_READ, "cannot follow the path '%s': corrupt file", path);
    return;
  }
  if (kind != KRYLEARN_H5_DATASET) {
    char group[PETSC_MAX_PATH_LEN];
    Parent(path, group, sizeof(group));
    if (kind == KRYLEARN_H5_NONE) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "group '%s' has no dataset '%s'", group, Base(path));
    else Fail(f, PETSC_ERR_FILE_UNEXPECTED, "'%s' is not a dataset", path);
    return;
  }
  *d = H5Dopen2(f->fid, path, H5P_DEFAULT);
  if (*d >= 0) {
    s    = H5Dget_space(*d);
    t    = H5Dget_type(*d);
    dcpl = H5Dget_create_plist(*d);
  }
  *ndim = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
  if (*d < 0 || t < 0 || dcpl < 0 || *ndim < 0 || *ndim > H5S_MAX_RANK || H5Sget_simple_extent_dims(s, h, NULL) < 0) Fail(f, PETSC_ERR_FILE_READ, "'%s' is not a readable dataset (corrupt file?)", path);
  else if (*ndim > maxdim) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' has %d dimensions, at most %d expected", path, *ndim, maxdim);
  else if (!TypeFits(t, type, &why)) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' has the wrong dtype: %s elements, %s", path, ClassName(H5Tget_class(t)), why);
  else {
    for (int k = 0; k < *ndim && !f->code; k++) {
      if (h[k] > (hsize_t)INT64_MAX || __builtin_mul_overflow(total, (PetscInt64)h[k], &total)) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' declares an extent whose size overflows 64 bits", path);
      dims[k] = (PetscInt64)h[k];
    }
    if (!f->code && __builtin_mul_overflow(total, (PetscInt64)H5Tget_size(t), &bytes)) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' declares an extent whose size overflows 64 bits", path);
    if (!f->code && bytes > 0) { /* the file must hold the data: a small file cannot declare gigabytes */
      const hsize_t storage  = H5Dget_storage_size(*d);
      hsize_t       fsize    = 0;
      const int     layout   = H5Pget_layout(dcpl);
      const int     nfilters = H5Pget_nfilters(dcpl);
      if (H5Fget_filesize(f->fid, &fsize) < 0 || layout < 0 || nfilters < 0) Fail(f, PETSC_ERR_FILE_READ, "'%s' is not a readable dataset (corrupt file?)", path);
      else if (storage > fsize) Fail(f, PETSC_ERR_FILE_READ, "dataset '%s' claims %llu bytes of storage in a file of %llu bytes: truncated or corrupt file", path, (unsigned long long)storage, (unsigned long long)fsize);
      /* only chunks can be filtered: compact data (in the object header) and contiguous data are stored whole,
         whatever filters a corrupt header lists, and one that stores less would make H5Dread copy past it */
      else if ((PetscInt64)storage < (layout == H5D_CHUNKED && nfilters ? bytes / KRYLEARN_H5_MAX_COMPRESSION : bytes))
        Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' declares %" PetscInt64_FMT " elements (%" PetscInt64_FMT " bytes) but the file stores %llu bytes of it: never written, truncated or corrupt", path, total, bytes, (unsigned long long)storage);
      /* unfiltered chunks are stored whole: when the layout declares larger chunks than are stored (a
         corrupt chunk shape), H5Dread would copy past the chunks it reads */
      else if (layout == H5D_CHUNKED && !nfilters) {
        hsize_t  cdims[H5S_MAX_RANK], nchunks = 0;
        uint64_t cbytes = H5Tget_size(t), expected;
        int      cdim   = H5Pget_chunk(dcpl, H5S_MAX_RANK, cdims);
        for (int k = 0; k < cdim; k++)
          if (__builtin_mul_overflow(cbytes, (uint64_t)cdims[k], &cbytes)) cdim = -1;
        if (cdim != *ndim || H5Dget_num_chunks(*d, s, &nchunks) < 0 || __builtin_mul_overflow((uint64_t)nchunks, cbytes, &expected) || expected != (uint64_t)storage)
          Fail(f, PETSC_ERR_FILE_READ, "dataset '%s' has chunks of %llu bytes of which the file stores %llu bytes in all, not whole chunks: corrupt chunk layout", path, (unsigned long long)cbytes, (unsigned long long)storage);
      }
    }
  }
  if (dcpl >= 0) H5Pclose(dcpl);
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  *count = total;
  if (f->code && *d >= 0) {
    H5Dclose(*d);
    *d = H5I_INVALID_HID;
  }
}

/*@C
  KrylearnH5FileGetDataset - Checks a dataset and gets its extent

  Collective

  Input Parameters:
+ f      - the file
. path   - the dataset, from the root
. type   - the values expected: `KRYLEARN_H5_INT64` (any integer type of 1 to 8 bytes) or `KRYLEARN_H5_REAL`,
           `KRYLEARN_H5_FLOAT` (float32 or float64)
- maxdim - the most dimensions accepted (at most `KRYLEARN_H5_MAX_DIM`)

  Output Parameters:
+ ndim - the number of dimensions
- dims - the extent, 64-bit

  Level: developer

  Notes:
  Errors: no such dataset, another class or an element size no such type has, more dimensions than maxdim,
  an extent whose size overflows 64 bits, or an extent the file cannot hold (uncompressed data larger than
  its storage, compressed data more than 1100 times its storage, storage larger than the file), so that
  a file of a few kilobytes cannot make a reader allocate gigabytes.

.seealso: `KrylearnH5FileReadDataset()`, `KrylearnH5FileReadDatasetAlloc()`
@*/
PetscErrorCode KrylearnH5FileGetDataset(KrylearnH5File f, const char path[], KrylearnH5Type type, int maxdim, int *ndim, PetscInt64 dims[])
{
  hid_t      d;
  PetscInt64 count;

  PetscFunctionBegin;
  PetscCheck(maxdim >= 0 && maxdim <= KRYLEARN_H5_MAX_DIM, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most %d dimensions", KRYLEARN_H5_MAX_DIM);
  OpenDataset(f, path, type, maxdim, &d, ndim, dims, &count);
  if (d >= 0) H5Dclose(d);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileGetDatasetType - Gets the kind of values a dataset holds

  Collective

  Input Parameters:
+ f    - the file
- path - the dataset

  Output Parameter:
. type - `KRYLEARN_H5_INT64` for integers, `KRYLEARN_H5_REAL` for float32 or float64 values

  Level: developer

  Note:
  Other classes are errors; KrylearnH5FileGetDataset() and KrylearnH5FileReadDataset() with this type check the
  element size and extent.

.seealso: `KrylearnH5FileGetDataset()`
@*/
PetscErrorCode KrylearnH5FileGetDatasetType(KrylearnH5File f, const char path[], KrylearnH5Type *type)
{
  KrylearnH5Object kind;
  PetscBool        corrupt;
  hid_t            d = H5I_INVALID_HID, t = H5I_INVALID_HID;
  H5T_class_t      cls = H5T_NO_CLASS;

  PetscFunctionBegin;
  Lookup(f, path, &kind, &corrupt);
  if (corrupt) Fail(f, PETSC_ERR_FILE_READ, "cannot follow the path '%s': corrupt file", path);
  else if (kind != KRYLEARN_H5_DATASET) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "'%s' is not a dataset", path);
  else {
    d   = H5Dopen2(f->fid, path, H5P_DEFAULT);
    t   = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
    cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' holds %s elements, neither integers nor floating-point values", path, ClassName(cls));
  }
  *type = cls == H5T_INTEGER ? KRYLEARN_H5_INT64 : KRYLEARN_H5_REAL;
  if (t >= 0) H5Tclose(t);
  if (d >= 0) H5Dclose(d);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/* Reads the block start + count (ndim entries each; NULL for the whole dataset) of the open dataset d */
static void ReadBlock(KrylearnH5File f, hid_t d, const char path[], KrylearnH5Type type, int ndim, const PetscInt64 dims[], const PetscInt64 start[], const PetscInt64 count[], void *buf)
{
  hsize_t    hs[KRYLEARN_H5_MAX_DIM], hc[KRYLEARN_H5_MAX_DIM];
  PetscInt64 total = 1, end;
  hid_t      fs, ms;
  herr_t     status = -1;

  for (int k = 0; k < ndim; k++) {
    const PetscInt64 s = start ? start[k] : 0, c = count ? count[k] : dims[k];
    if (s < 0 || c < 0 || __builtin_add_overflow(s, c, &end) || end > dims[k] || __builtin_mul_overflow(total, c, &total)) {
      Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' has %" PetscInt64_FMT " entries in dimension %d, block [%" PetscInt64_FMT ", %" PetscInt64_FMT " + %" PetscInt64_FMT ") asked for", path, dims[k], k, s, s, c);
      return;
    }
    hs[k] = (hsize_t)s;
    hc[k] = (hsize_t)c;
  }
  if (!total) return;
  fs = H5Dget_space(d);
  {
    hsize_t n = (hsize_t)total;
    ms        = H5Screate_simple(1, &n, NULL);
  }
  if (fs >= 0 && ms >= 0 && (ndim == 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, hs, NULL, hc, NULL) >= 0)) status = H5Dread(d, MemType(type), ms, fs, H5P_DEFAULT, buf);
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (status < 0) {
    char group[PETSC_MAX_PATH_LEN];
    Parent(path, group, sizeof(group));
    Fail(f, PETSC_ERR_FILE_READ, "cannot read dataset '%s' of group '%s': truncated or corrupt file", Base(path), group);
  }
}

/*@C
  KrylearnH5FileReadDataset - Reads a block of a checked dataset

  Collective

  Input Parameters:
+ f     - the file
. path  - the dataset
. type  - the values expected and the type of buf: `KRYLEARN_H5_INT64` (PetscInt64), `KRYLEARN_H5_INT32` (int32_t; integer
          types of at most 32 bits only), `KRYLEARN_H5_REAL` (double), `KRYLEARN_H5_FLOAT` (float)
. ndim  - the number of dimensions the dataset must have
. start - the first index of the block in each dimension, or NULL for the whole dataset
- count - the extent of the block, or NULL for the whole dataset

  Output Parameter:
. buf - the block, row-major

  Level: developer

  Note:
  The checks of KrylearnH5FileGetDataset() apply; a block outside the extent is an error. A rank may read an
  empty block; every rank of the file's communicator must call this routine.

.seealso: `KrylearnH5FileGetDataset()`, `KrylearnH5FileReadDatasetAlloc()`
@*/
PetscErrorCode KrylearnH5FileReadDataset(KrylearnH5File f, const char path[], KrylearnH5Type type, int ndim, const PetscInt64 start[], const PetscInt64 count[], void *buf)
{
  hid_t      d;
  int        nd;
  PetscInt64 dims[KRYLEARN_H5_MAX_DIM], total;

  PetscFunctionBegin;
  PetscCheck(ndim >= 0 && ndim <= KRYLEARN_H5_MAX_DIM, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most %d dimensions", KRYLEARN_H5_MAX_DIM);
  OpenDataset(f, path, type, ndim, &d, &nd, dims, &total);
  if (d >= 0 && nd != ndim) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' has %d dimensions, %d expected", path, nd, ndim);
  if (d >= 0 && !f->code) ReadBlock(f, d, path, type, ndim, dims, start, count, buf);
  if (d >= 0) H5Dclose(d);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileReadDatasetAlloc - Reads a whole dataset of at most a given number of values into new memory

  Collective

  Input Parameters:
+ f      - the file
. path   - the dataset
. type   - the values expected (see KrylearnH5FileReadDataset())
. maxdim - the most dimensions accepted
- maxcount - the most values accepted, checked before anything is allocated

  Output Parameters:
+ ndim - the number of dimensions
. dims - the extent
- buf  - the address of a pointer that receives the values (free with PetscFree())

  Level: developer

.seealso: `KrylearnH5FileGetDataset()`, `KrylearnH5FileReadDataset()`
@*/
PetscErrorCode KrylearnH5FileReadDatasetAlloc(KrylearnH5File f, const char path[], KrylearnH5Type type, int maxdim, PetscInt64 maxcount, int *ndim, PetscInt64 dims[], void *buf)
{
  hid_t      d;
  PetscInt64 total = 0;
  void     **p     = (void **)buf;

  PetscFunctionBegin;
  PetscCheck(maxdim >= 0 && maxdim <= KRYLEARN_H5_MAX_DIM, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most %d dimensions", KRYLEARN_H5_MAX_DIM);
  *p = NULL;
  OpenDataset(f, path, type, maxdim, &d, ndim, dims, &total);
  if (d >= 0 && total > maxcount) Fail(f, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' holds %" PetscInt64_FMT " values, at most %" PetscInt64_FMT " expected", path, total, maxcount);
  if (f->code && d >= 0) {
    H5Dclose(d);
    d = H5I_INVALID_HID;
  }
  PetscCall(Sync(f));
  PetscCall(PetscMalloc((size_t)PetscMax(total, 1) * MemSize(type), p));
  ReadBlock(f, d, path, type, *ndim, dims, NULL, NULL, *p);
  H5Dclose(d);
  if (f->code) PetscCall(PetscFree(*p));
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/* Link creation that makes the missing groups on the way */
static hid_t CreateIntermediate(void)
{
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  if (lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) < 0) {
    H5Pclose(lcpl);
    lcpl = H5I_INVALID_HID;
  }
  return lcpl;
}

/*@C
  KrylearnH5FileCreateGroup - Creates a group, and the missing groups on its path

  Collective

  Input Parameters:
+ f    - a file opened for writing
- path - the group

  Level: developer

.seealso: `KrylearnH5FileWriteDataset()`
@*/
PetscErrorCode KrylearnH5FileCreateGroup(KrylearnH5File f, const char path[])
{
  hid_t lcpl = CreateIntermediate(), g = H5I_INVALID_HID;

  PetscFunctionBegin;
  if (lcpl >= 0) g = H5Gcreate2(f->fid, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) Fail(f, PETSC_ERR_FILE_WRITE, "cannot create group '%s'", path);
  if (g >= 0) H5Gclose(g);
  if (lcpl >= 0) H5Pclose(lcpl);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileDelete - Removes a dataset or group from a file, if it is there, so that it can be written anew

  Collective

  Input Parameters:
+ f    - a file opened for writing or appending
- path - the dataset or group

  Level: developer

.seealso: `KrylearnH5FileWriteDataset()`, `KrylearnH5FileCreateGroup()`
@*/
PetscErrorCode KrylearnH5FileDelete(KrylearnH5File f, const char path[])
{
  KrylearnH5Object type = KRYLEARN_H5_NONE;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 2);
  PetscCall(KrylearnH5FileGetObject(f, path, &type));
  if (type != KRYLEARN_H5_NONE && H5Ldelete(f->fid, path, H5P_DEFAULT) < 0) Fail(f, PETSC_ERR_FILE_WRITE, "cannot remove '%s'", path);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

static hid_t FileType(KrylearnH5Type type)
{
  switch (type) {
  case KRYLEARN_H5_INT64:
    return H5T_STD_I64LE;
  case KRYLEARN_H5_INT32:
    return H5T_STD_I32LE;
  case KRYLEARN_H5_FLOAT:
    return H5T_IEEE_F32LE;
  default:
    return H5T_IEEE_F64LE;
  }
}

/*@C
  KrylearnH5FileCreateDataset - Creates a dataset of a given extent, to be written in blocks

  Collective

  Input Parameters:
+ f    - a file opened for writing
. path - the dataset; missing groups on the path are created
. type - `KRYLEARN_H5_INT64` (stored as int64), `KRYLEARN_H5_INT32` (int32), `KRYLEARN_H5_REAL` (float64) or `KRYLEARN_H5_FLOAT` (float32)
. ndim - the number of dimensions
- dims - the extent

  Level: developer

.seealso: `KrylearnH5FileWriteDataset()`, `KrylearnH5FileWriteBlock()`
@*/
PetscErrorCode KrylearnH5FileCreateDataset(KrylearnH5File f, const char path[], KrylearnH5Type type, int ndim, const PetscInt64 dims[])
{
  hsize_t h[KRYLEARN_H5_MAX_DIM];
  hid_t   s, lcpl = CreateIntermediate(), d = H5I_INVALID_HID;

  PetscFunctionBegin;
  PetscCheck(ndim >= 0 && ndim <= KRYLEARN_H5_MAX_DIM, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most %d dimensions", KRYLEARN_H5_MAX_DIM);
  for (int k = 0; k < ndim; k++) h[k] = (hsize_t)dims[k];
  s = ndim ? H5Screate_simple(ndim, h, NULL) : H5Screate(H5S_SCALAR);
  if (s >= 0 && lcpl >= 0) d = H5Dcreate2(f->fid, path, FileType(type), s, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0) Fail(f, PETSC_ERR_FILE_WRITE, "cannot create dataset '%s'", path);
  if (d >= 0) H5Dclose(d);
  if (s >= 0) H5Sclose(s);
  if (lcpl >= 0) H5Pclose(lcpl);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileWriteBlock - Writes a block of a dataset created with KrylearnH5FileCreateDataset()

  Collective

  Input Parameters:
+ f     - a file opened for writing
. path  - the dataset
. type  - the type of buf: `KRYLEARN_H5_INT64` (PetscInt64), `KRYLEARN_H5_REAL` (double) or `KRYLEARN_H5_FLOAT` (float)
. ndim  - the number of dimensions of the dataset
. start - the first index of the block in each dimension
. count - the extent of the block
- buf   - the values, row-major

  Level: developer

.seealso: `KrylearnH5FileCreateDataset()`, `KrylearnH5FileWriteDataset()`
@*/
PetscErrorCode KrylearnH5FileWriteBlock(KrylearnH5File f, const char path[], KrylearnH5Type type, int ndim, const PetscInt64 start[], const PetscInt64 count[], const void *buf)
{
  hsize_t hs[KRYLEARN_H5_MAX_DIM], hc[KRYLEARN_H5_MAX_DIM], total = 1;
  hid_t   d, fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
  herr_t  status = -1;

  PetscFunctionBegin;
  PetscCheck(ndim >= 0 && ndim <= KRYLEARN_H5_MAX_DIM, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most %d dimensions", KRYLEARN_H5_MAX_DIM);
  for (int k = 0; k < ndim; k++) {
    hs[k] = (hsize_t)start[k];
    hc[k] = (hsize_t)count[k];
    total *= hc[k];
  }
  d = H5Dopen2(f->fid, path, H5P_DEFAULT);
  if (d >= 0 && !total) status = 0;
  else if (d >= 0) {
    fs = H5Dget_space(d);
    ms = H5Screate_simple(1, &total, NULL);
    if (fs >= 0 && ms >= 0 && (ndim == 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, hs, NULL, hc, NULL) >= 0)) status = H5Dwrite(d, MemType(type), ms, fs, H5P_DEFAULT, buf);
  }
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (d >= 0) H5Dclose(d);
  if (status < 0) Fail(f, PETSC_ERR_FILE_WRITE, "cannot write dataset '%s'", path);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileWriteDataset - Creates and writes a whole dataset

  Collective

  Input Parameters:
+ f    - a file opened for writing
. path - the dataset; missing groups on the path are created
. type - see KrylearnH5FileCreateDataset()
. ndim - the number of dimensions
. dims - the extent
- buf  - the values, row-major

  Level: developer

.seealso: `KrylearnH5FileCreateDataset()`, `KrylearnH5FileWriteAttribute()`
@*/
PetscErrorCode KrylearnH5FileWriteDataset(KrylearnH5File f, const char path[], KrylearnH5Type type, int ndim, const PetscInt64 dims[], const void *buf)
{
  PetscInt64 start[KRYLEARN_H5_MAX_DIM] = {0};

  PetscFunctionBegin;
  PetscCall(KrylearnH5FileCreateDataset(f, path, type, ndim, dims));
  PetscCall(KrylearnH5FileWriteBlock(f, path, type, ndim, start, dims, buf));
  PetscFunctionReturn(0);
}

/* Writes attribute name of obj with file type ftype, memory type mtype and n values (n = 1: a scalar), replacing one there */
static void WriteAttr(KrylearnH5File f, const char obj[], const char name[], hid_t ftype, hid_t mtype, PetscInt n, const void *vals)
{
  hsize_t len = (hsize_t)n;
  hid_t   o = H5Oopen(f->fid, obj, H5P_DEFAULT), s = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &len, NULL), a = H5I_INVALID_HID;
  herr_t  status = -1;

  if (o >= 0 && H5Aexists(o, name) > 0) H5Adelete(o, name);
  if (o >= 0 && s >= 0) a = H5Acreate2(o, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) status = H5Awrite(a, mtype, vals);
  if (a >= 0) H5Aclose(a);
  if (s >= 0) H5Sclose(s);
  if (o >= 0) H5Oclose(o);
  if (status < 0) Fail(f, PETSC_ERR_FILE_WRITE, "cannot write attribute '%s' of '%s'", name, obj);
}

/*@C
  KrylearnH5FileWriteAttribute - Writes a numeric attribute

  Collective

  Input Parameters:
+ f    - a file opened for writing
. obj  - the group or dataset, for example "/"
. name - the attribute (replaced when present)
. type - `KRYLEARN_H5_INT64` (PetscInt64 values, stored as int64), `KRYLEARN_H5_INT32` (int32), `KRYLEARN_H5_REAL` (double,
         stored as float64) or `KRYLEARN_H5_FLOAT` (float, stored as float32)
. n    - the number of values; 1 writes a scalar
- vals - the values

  Level: developer

.seealso: `KrylearnH5FileReadAttribute()`, `KrylearnH5FileWriteAttributeString()`
@*/
PetscErrorCode KrylearnH5FileWriteAttribute(KrylearnH5File f, const char obj[], const char name[], KrylearnH5Type type, PetscInt n, const void *vals)
{
  PetscFunctionBegin;
  PetscCheck(n >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "An attribute holds at least one value");
  WriteAttr(f, obj, name, FileType(type), MemType(type), n, vals);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}

/*@C
  KrylearnH5FileWriteAttributeString - Writes a string attribute, as a fixed-length string

  Collective

  Input Parameters:
+ f     - a file opened for writing
. obj   - the group or dataset
. name  - the attribute (replaced when present)
- value - the string

  Level: developer

  Note:
  Fixed-length strings need no global heap, the part of HDF5 files that HDF5 1.10 reads without checks.

.seealso: `KrylearnH5FileReadAttributeString()`
@*/
PetscErrorCode KrylearnH5FileWriteAttributeString(KrylearnH5File f, const char obj[], const char name[], const char value[])
{
  size_t len;
  hid_t  t = H5Tcopy(H5T_C_S1);

  PetscFunctionBegin;
  PetscCall(PetscStrlen(value, &len));
  if (t < 0 || H5Tset_size(t, len ? len : 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0) Fail(f, PETSC_ERR_LIB, "cannot make a string type for attribute '%s'", name);
  else WriteAttr(f, obj, name, t, t, 1, len ? value : "");
  if (t >= 0) H5Tclose(t);
  PetscCall(Sync(f));
  PetscFunctionReturn(0);
}
