/* Halo exchange for convolutions on a distributed grid: the input of a convolution is
   copied into a buffer widened by the kernel radius on every side that has a neighbouring
   process (filled from it), a mirrored face of the grid (filled with the mirror image of
   the cells inside it, x_-1-k = x_k) or that oneDNN does not pad itself (filled with zeros).
   Axes are exchanged one after the other over the full widened extents of the others,
   so edge and corner values arrive through two or three hops. */
#include "nnimpl.h"

PetscErrorCode KrylearnNetFillHalo_Private(KrylearnNet net, const NNStep *s)
{
  const NNValue *v  = &net->values[s->in];
  const PetscInt nb = v->c / v->b, zero[3] = {0, 0, 0};
  PetscInt       e[3], off[3];

  PetscFunctionBegin;
  for (PetscInt d = 0; d < 3; d++) e[d] = v->n[d] + s->lo[d] + s->hi[d];
  for (PetscInt d = 0; d < 3; d++) off[d] = s->lo[d];
  NNBoxCopy(net->halo, e, off, net->bufs[v->buf], v->n, zero, v->n, nb, v->b);
  for (PetscInt d = 0; d < 3; d++) {
    const PetscInt r = PetscMax(s->lo[d], s->hi[d]);
    for (PetscInt side = 0; side < 2 && r; side++) {
      /* side 0: send the low interior slab down, receive the high halo from above; side 1: the reverse */
      const PetscInt w  = side ? s->lo[d] : s->hi[d];
      PetscMPIInt    to = net->nbr[d][side], from = net->nbr[d][1 - side], count;
      PetscInt       box[3], rbox[3], so[3] = {0, 0, 0}, ro[3] = {0, 0, 0};
      for (PetscInt a = 0; a < 3; a++) box[a] = rbox[a] = a == d ? r : e[a];
      rbox[d] = w;
      so[d]   = side ? s->lo[d] + v->n[d] - r : s->lo[d];
      ro[d]   = side ? 0 : s->lo[d] + v->n[d];
      PetscCall(PetscMPIIntCast((PetscInt)(v->c * box[0] * box[1] * box[2]), &count));
      if (to >= 0) NNBoxCopy(net->sendbuf, box, zero, net->halo, e, so, box, nb, v->b);
      PetscCallMPI(MPI_Sendrecv(net->sendbuf, to >= 0 ? count : 0, MPI_FLOAT, to >= 0 ? to : MPI_PROC_NULL, 0, net->recvbuf, from >= 0 ? count : 0, MPI_FLOAT, from >= 0 ? from : MPI_PROC_NULL, 0, net->comm, MPI_STATUS_IGNORE));
      if (from >= 0) NNBoxCopy(net->halo, e, ro, net->recvbuf, box, zero, box, nb, v->b);
      else if (w && net->face[d][1 - side] == KRYLEARN_NET_FACE_MIRROR) {
        PetscInt slab[3], to[3], of[3];
        for (PetscInt a = 0; a < 3; a++) slab[a] = a == d ? 1 : e[a], to[a] = of[a] = 0;
        for (PetscInt k = 0; k < w; k++) { /* the k-th halo layer past the face from the k-th layer inside */
          to[d] = side ? s->lo[d] - 1 - k : s->lo[d] + v->n[d] + k;
          of[d] = side ? s->lo[d] + k : s->lo[d] + v->n[d] - 1 - k;
          NNBoxCopy(net->halo, e, to, net->halo, e, of, slab, nb, v->b);
        }
      } else if (w) NNBoxZero(net->halo, e, ro, rbox, nb, v->b);
    }
  }
  PetscFunctionReturn(0);
}
