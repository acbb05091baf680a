/* Structural diagnosis of a pattern that cannot be balanced.

   A doubly stochastic matrix with the pattern of K exists iff every nonzero lies on a perfect
   matching of the bipartite row-column graph (total support). With a perfect matching M (row
   i matched to column m(i)), a nonzero (i, j) off M lies on some perfect matching iff row i and
   the row matched to column j lie in one strongly connected component of the graph with an
   arc i -> row matched to j for every nonzero (i, j). Both steps run on the first rank, on the
   gathered pattern: this is a diagnosis, run once when the iteration suggests divergence. */
#include "balanceimpl.h"

/* Maximum matching by augmenting paths (iterative depth-first search); rowmatch[i] = column or -1. */
static PetscErrorCode MaximumMatching(PetscInt n, const PetscInt *ia, const PetscInt *ja, PetscInt *rowmatch, PetscInt *colmatch)
{
  PetscInt *visited, *stack, *next;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(n, &visited, n, &stack, n, &next));
  for (PetscInt i = 0; i < n; i++) rowmatch[i] = colmatch[i] = -1, visited[i] = -1;
  for (PetscInt i = 0; i < n; i++) /* cheap greedy start */
    for (PetscInt e = ia[i]; e < ia[i + 1]; e++)
      if (colmatch[ja[e]] < 0) {
        rowmatch[i]     = ja[e];
        colmatch[ja[e]] = i;
        break;
      }
  for (PetscInt root = 0; root < n; root++) {
    PetscInt top = 0;
    if (rowmatch[root] >= 0) continue;
    stack[top++] = root;
    next[root]   = ia[root];
    while (top > 0) {
      const PetscInt i = stack[top - 1];
      PetscInt       j = -1;
      while (next[i] < ia[i + 1]) {
        const PetscInt cand = ja[next[i]++];
        if (visited[cand] == root) continue;
        visited[cand] = root;
        j             = cand;
        break;
      }
      if (j < 0) {
        top--;
        continue;
      }
      if (colmatch[j] < 0) { /* augment along the stack */
        for (PetscInt k = top - 1; k >= 0; k--) {
          const PetscInt row = stack[k], prev = rowmatch[row];
          rowmatch[row] = j;
          colmatch[j]   = row;
          j             = prev;
        }
        break;
      }
      stack[top++]      = colmatch[j];
      next[colmatch[j]] = ia[colmatch[j]];
    }
  }
  PetscCall(PetscFree3(visited, stack, next));
  PetscFunctionReturn(0);
}

/* Strongly connected components (iterative Tarjan) of the graph i -> colmatch[ja[e]]. */
static PetscErrorCode Components(PetscInt n, const PetscInt *ia, const PetscInt *ja, const PetscInt *colmatch, PetscInt *comp)
{
  PetscInt  *index, *low, *stack, *call, *next, count = 0, top = 0, ncomp = 0;
  PetscBool *onstack;

  PetscFunctionBegin;
  PetscCall(PetscMalloc5(n, &index, n, &low, n, &stack, n, &call, n, &next));
  PetscCall(PetscCalloc1(n, &onstack));
  for (PetscInt i = 0; i < n; i++) index[i] = -1;
  for (PetscInt root = 0; root < n; root++) {
    PetscInt depth = 0;
    if (index[root] >= 0) continue;
    call[depth++] = root;
    index[root] = low[root] = count++;
    next[root]              = ia[root];
    stack[top++]            = root;
    onstack[root]           = PETSC_TRUE;
    while (depth > 0) {
      const PetscInt v = call[depth - 1];
      if (next[v] < ia[v + 1]) {
        const PetscInt u = colmatch[ja[next[v]++]];
        if (index[u] < 0) {
          index[u] = low[u] = count++;
          next[u]           = ia[u];
          stack[top++]      = u;
          onstack[u]        = PETSC_TRUE;
          call[depth++]     = u;
        } else if (onstack[u]) low[v] = PetscMin(low[v], index[u]);
        continue;
      }
      if (low[v] == index[v]) {
        PetscInt u;
        do {
          u          = stack[--top];
          onstack[u] = PETSC_FALSE;
          comp[u]    = ncomp;
        } while (u != v);
        ncomp++;
      }
      depth--;
      if (depth > 0) low[call[depth - 1]] = PetscMin(low[call[depth - 1]], low[v]);
    }
  }
  PetscCall(PetscFree5(index, low, stack, call, next));
  PetscCall(PetscFree(onstack));
  PetscFunctionReturn(0);
}

#define SUPPORT_LIST 8

/* Errors with the rows involved when the kernel's pattern has no total support; *ok = PETSC_TRUE otherwise. */
PetscErrorCode KrylearnBalanceCheckSupport_Private(KrylearnBalance b, PetscBool *ok)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)b);
  PetscMPIInt rank;
  PetscInt    N, info[2 + 2 * SUPPORT_LIST]; /* kind (0 fine, 1 no matching, 2 no total support), count, indices */
  IS          isrow, iscol;
  Mat        *sub;
  PetscInt   *droprow = NULL, *dropcol = NULL, ndrop = 0;

  PetscFunctionBegin;
  PetscCall(PetscInfo(b, "Scalings diverge or the limit was reached: analysing the pattern\n"));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(MatGetSize(b->K, &N, NULL));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, rank ? 0 : N, 0, 1, &isrow));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, rank ? 0 : N, 0, 1, &iscol));
  PetscCall(MatCreateSubMatrices(b->K, 1, &isrow, &iscol, MAT_INITIAL_MATRIX, &sub));
  PetscCall(PetscArrayzero(info, 2 + 2 * SUPPORT_LIST));
  if (rank == 0) {
    const PetscInt    *ia0, *ja0;
    const PetscScalar *a;
    PetscInt           n, nr, *ia, *ja, *rowmatch, *colmatch, *comp;
    PetscBool          done;

    /* the pattern of the nonzero values: stored zeros are no entries */
    PetscCall(MatGetRowIJ(sub[0], 0, PETSC_FALSE, PETSC_FALSE, &n, &ia0, &ja0, &done));
    PetscCall(MatSeqAIJGetArrayRead(sub[0], &a));
    PetscCall(PetscMalloc2(n + 1, &ia, ia0[n], &ja));
    ia[0] = 0;
    for (PetscInt i = 0; i < n; i++) {
      ia[i + 1] = ia[i];
      for (PetscInt e = ia0[i]; e < ia0[i + 1]; e++)
        if (PetscAbsScalar(a[e]) > 0) ja[ia[i + 1]++] = ja0[e];
    }
    PetscCall(MatSeqAIJRestoreArrayRead(sub[0], &a));
    PetscCall(MatRestoreRowIJ(sub[0], 0, PETSC_FALSE, PETSC_FALSE, &nr, &ia0, &ja0, &done));
    PetscCall(PetscMalloc3(n, &rowmatch, n, &colmatch, n, &comp));
    PetscCall(MaximumMatching(n, ia, ja, rowmatch, colmatch));
    for (PetscInt i = 0; i < n; i++)
      if (rowmatch[i] < 0) {
        if (info[1] < SUPPORT_LIST) info[2 + info[1]] = i;
        info[0] = 1;
        info[1]++;
      }
    if (!info[0]) {
      PetscCall(Components(n, ia, ja, colmatch, comp));
      if (b->drop_unsupported) PetscCall(PetscMalloc2(ia[n], &droprow, ia[n], &dropcol));
      for (PetscInt i = 0; i < n; i++)
        for (PetscInt e = ia[i]; e < ia[i + 1]; e++)
          if (comp[i] != comp[colmatch[ja[e]]]) {
            if (info[1] < SUPPORT_LIST) {
              info[2 + 2 * info[1]]     = i;
              info[2 + 2 * info[1] + 1] = ja[e];
            }
            if (droprow) {
              droprow[ndrop]   = i;
              dropcol[ndrop++] = ja[e];
            }
            info[0] = 2;
            info[1]++;
          }
    }
    PetscCall(PetscFree3(rowmatch, colmatch, comp));
    PetscCall(PetscFree2(ia, ja));
  }
  PetscCall(MatDestroySubMatrices(1, &sub));
  PetscCall(ISDestroy(&isrow));
  PetscCall(ISDestroy(&iscol));
  PetscCallMPI(MPI_Bcast(info, 2 + 2 * SUPPORT_LIST, MPIU_INT, 0, comm));
  if (info[0] == 2 && b->drop_unsupported) { /* balance the pattern of the entries that lie on a perfect matching */
    const PetscScalar zero = 0;
    for (PetscInt k = 0; k < ndrop; k++) PetscCall(MatSetValues(b->K, 1, &droprow[k], 1, &dropcol[k], &zero, INSERT_VALUES));
    PetscCall(PetscFree2(droprow, dropcol));
    PetscCall(MatAssemblyBegin(b->K, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(b->K, MAT_FINAL_ASSEMBLY));
    PetscCall(KrylearnBalanceKernelChanged_Private(b));
    PetscCall(PetscInfo(b, "No total support: %" PetscInt_FMT " entries on no perfect matching left out of the balancing\n", info[1]));
    b->ndropped = info[1];
    *ok         = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscFree2(droprow, dropcol));
  if (info[0]) {
    char     list[512] = "";
    size_t   len       = 0;
    PetscInt shown     = PetscMin(info[1], SUPPORT_LIST);

    for (PetscInt k = 0; k < shown; k++) {
      if (info[0] == 1) PetscCall(PetscSNPrintf(list + len, sizeof(list) - len, "%s%" PetscInt_FMT, k ? ", " : "", info[2 + k]));
      else PetscCall(PetscSNPrintf(list + len, sizeof(list) - len, "%s(%" PetscInt_FMT ", %" PetscInt_FMT ")", k ? ", " : "", info[2 + 2 * k], info[2 + 2 * k + 1]));
      PetscCall(PetscStrlen(list, &len));
    }
    PetscCheck(info[0] != 1, comm, PETSC_ERR_ARG_WRONG, "The matrix cannot be balanced: its pattern has no perfect matching (the scalings diverge): %" PetscInt_FMT " of its rows cannot be matched to distinct columns, e.g. row %s%s", info[1], list, info[1] > shown ? ", ..." : "");
    SETERRQ(comm, PETSC_ERR_ARG_WRONG, "The matrix cannot be balanced: its pattern has no total support (the scalings diverge): %" PetscInt_FMT " nonzeros lie on no perfect matching, e.g. (row, column) %s%s", info[1], list, info[1] > shown ? ", ..." : "");
  }
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}
