/* PCDEEPCD: the deep conjugate direction network as a (nonlinear) preconditioner for
   flexible Krylov methods (KSPFCG, KSPGCR, KSPFGMRES).

   y = s N(x/||x||) on the domain's cells, with the scale s = q.x / q.Aq fixed by the
   Rayleigh quotient (the optimal step along q), plus x_i / A_ii on decoupled rows. */
#include <petsc/private/pcimpl.h>
#include "deepcdnet.h"

typedef struct {
  KrylearnDeepCDNet dn;
  Vec               z, aq;
} PC_DeepCD;

static PetscErrorCode PCSetUp_DeepCD(PC pc)
{
  PC_DeepCD *cd = (PC_DeepCD *)pc->data;

  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetUp(&cd->dn, (PetscObject)pc, pc->dm, pc->pmat));
  if (!cd->z) PetscCall(MatCreateVecs(pc->pmat, &cd->z, &cd->aq));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCApply_DeepCD(PC pc, Vec x, Vec y)
{
  PC_DeepCD   *cd = (PC_DeepCD *)pc->data;
  MatNullSpace nsp;
  PetscReal    nrm;
  PetscScalar  qAq, qz;

  PetscFunctionBegin;
  PetscCall(MatGetNullSpace(pc->pmat, &nsp));
  PetscCall(VecCopy(x, cd->z));
  if (nsp) PetscCall(MatNullSpaceRemove(nsp, cd->z));
  PetscCall(VecNorm(cd->z, NORM_2, &nrm));
  if (nrm > 0.0) {
    PetscCall(VecScale(cd->z, 1.0 / nrm));
    PetscCall(KrylearnDeepCDNetApply(&cd->dn, cd->z, 1.0, y));
    if (nsp) PetscCall(MatNullSpaceRemove(nsp, y));
    PetscCall(MatMult(pc->pmat, y, cd->aq));
    PetscCall(VecDotBegin(cd->aq, y, &qAq));
    PetscCall(VecDotBegin(cd->z, y, &qz));
    PetscCall(VecDotEnd(cd->aq, y, &qAq));
    PetscCall(VecDotEnd(cd->z, y, &qz));
    if (!(PetscRealPart(qAq) > 0.0) || PetscIsInfOrNanScalar(qz)) {
      PetscCall(PetscInfo(pc, "q.Aq = %g: no positive Rayleigh quotient, preconditioner failed\n", (double)PetscRealPart(qAq)));
      PetscCall(PCSetFailedReason(pc, PC_SUBPC_ERROR));
      PetscCall(VecSetInf(y));
      PetscFunctionReturn(0);
    }
    PetscCall(VecScale(y, nrm * qz / qAq));
  } else PetscCall(VecSet(y, 0.0));
  if (cd->dn.ndecoupled) {
    PetscCall(VecPointwiseMult(cd->z, cd->dn.dinv, x));
    PetscCall(VecAXPY(y, 1.0, cd->z));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PCReset_DeepCD(PC pc)
{
  PC_DeepCD *cd = (PC_DeepCD *)pc->data;

  PetscFunctionBegin;
  PetscCall(VecDestroy(&cd->z));
  PetscCall(VecDestroy(&cd->aq));
  PetscCall(KrylearnDeepCDNetReset(&cd->dn));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDestroy_DeepCD(PC pc)
{
  PetscFunctionBegin;
  PetscCall(PCReset_DeepCD(pc));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDSetModel_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDSetGrid_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDSetFaces_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDGetFaces_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDGetGrid_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDGetModel_C", NULL));
  PetscCall(PetscFree(pc->data));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCView_DeepCD(PC pc, PetscViewer viewer)
{
  PC_DeepCD *cd = (PC_DeepCD *)pc->data;
  PetscBool  isascii;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  scale: Rayleigh quotient q.r/q.Aq (one extra mat-vec per application)\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(KrylearnDeepCDNetView(&cd->dn, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCSetFromOptions_DeepCD(PC pc, PetscOptionItems *PetscOptionsObject)
{
  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "PC deepcd (deep conjugate direction network) options");
  PetscCall(KrylearnDeepCDNetSetFromOptions(PetscOptionsObject, &((PC_DeepCD *)pc->data)->dn));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDeepCDSetModel_DeepCD(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetModel(&((PC_DeepCD *)pc->data)->dn, file));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDeepCDGetModel_DeepCD(PC pc, const char *file[])
{
  PetscFunctionBegin;
  *file = ((PC_DeepCD *)pc->data)->dn.model;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDeepCDGetGrid_DeepCD(PC pc, PetscInt *dim, PetscInt n[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetGetGrid(&((PC_DeepCD *)pc->data)->dn, dim, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDeepCDSetFaces_DeepCD(PC pc, KrylearnDeepCDFaceType faces)
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetFaces(&((PC_DeepCD *)pc->data)->dn, faces));
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDeepCDGetFaces_DeepCD(PC pc, KrylearnDeepCDFaceType *faces)
{
  PetscFunctionBegin;
  *faces = ((PC_DeepCD *)pc->data)->dn.faces;
  PetscFunctionReturn(0);
}

static PetscErrorCode PCDeepCDSetGrid_DeepCD(PC pc, PetscInt dim, const PetscInt n[])
{
  PetscFunctionBegin;
  PetscCall(KrylearnDeepCDNetSetGrid(PetscObjectComm((PetscObject)pc), &((PC_DeepCD *)pc->data)->dn, dim, n));
  PetscFunctionReturn(0);
}

/*@C
  PCDeepCDSetModel - Sets the network model file (Krylearn HDF5 format) used by `PCDEEPCD`.

  Logically Collective

  Input Parameters:
+ pc   - the preconditioner
- file - the model file; NULL or "" selects the shipped default for the grid's dimension

  Options Database Key:
. -pc_deepcd_model <file> - the model file

  Level: intermediate

.seealso: `PCDEEPCD`, `KSPDeepCDSetModel()`
@*/
PetscErrorCode PCDeepCDSetModel(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCDeepCDSetModel_C", (PC, const char[]), (pc, file));
  PetscFunctionReturn(0);
}

/*@C
  PCDeepCDGetModel - Gets the network model file set for `PCDEEPCD`.

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. file - the file set with `PCDeepCDSetModel()` or -pc_deepcd_model; "" when the shipped default is used

  Level: intermediate

.seealso: `PCDEEPCD`, `PCDeepCDSetModel()`
@*/
PetscErrorCode PCDeepCDGetModel(PC pc, const char *file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(file, 2);
  PetscUseMethod(pc, "PCDeepCDGetModel_C", (PC, const char *[]), (pc, file));
  PetscFunctionReturn(0);
}

/*@
  PCDeepCDSetGrid - Sets the cell grid of an operator that has no DMDA attached.

  Logically Collective

  Input Parameters:
+ pc  - the preconditioner
. dim - 2 or 3
- n   - the grid sizes nx, ny[, nz] (natural ordering, x fastest)

  Options Database Key:
. -pc_deepcd_grid <nx,ny[,nz]> - the grid

  Level: intermediate

.seealso: `PCDEEPCD`, `KSPDeepCDSetGrid()`
@*/
PetscErrorCode PCDeepCDSetGrid(PC pc, PetscInt dim, const PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCDeepCDSetGrid_C", (PC, PetscInt, const PetscInt[]), (pc, dim, n));
  PetscFunctionReturn(0);
}

/*@
  PCDeepCDGetGrid - Gets the cell grid set for an operator that has no DMDA attached.

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameters:
+ dim - 2 or 3, or 0 when no grid was set
- n   - the grid sizes nx, ny, nz (an array of 3; 1 beyond dim), or NULL

  Level: intermediate

.seealso: `PCDEEPCD`, `PCDeepCDSetGrid()`
@*/
PetscErrorCode PCDeepCDGetGrid(PC pc, PetscInt *dim, PetscInt n[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidIntPointer(dim, 2);
  PetscUseMethod(pc, "PCDeepCDGetGrid_C", (PC, PetscInt *, PetscInt[]), (pc, dim, n));
  PetscFunctionReturn(0);
}

/*@
  PCDeepCDSetFaces - Sets what the network of `PCDEEPCD` sees past the faces of the grid.

  Logically Collective

  Input Parameters:
+ pc - the preconditioner
- faces - `KRYLEARN_DEEPCD_FACES_AUTO` (default), `KRYLEARN_DEEPCD_FACES_ZERO` or `KRYLEARN_DEEPCD_FACES_MIRROR`

  Options Database Key:
. -pc_deepcd_faces <auto,zero,mirror> - the choice

  Notes:
  The networks are trained with zeros past the grid, which is right for faces with a
  prescribed value (Dirichlet). Past a closed face (Neumann: no flux), the mirror image of
  the cells inside makes the network act as the inverse for that face, by the method of
  images. With auto, a face is mirrored when most rows of the cells on it (edges left out)
  sum to zero, as no-flux faces make them; -pc_view names the faces mirrored. A grid
  padded for the network's poolings keeps zeros past its high faces.

  Level: intermediate

.seealso: `PCDEEPCD`, `PCDeepCDGetFaces()`, `KrylearnDeepCDFaceType`, `KrylearnNetSetFaces()`
@*/
PetscErrorCode PCDeepCDSetFaces(PC pc, KrylearnDeepCDFaceType faces)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(pc, faces, 2);
  PetscTryMethod(pc, "PCDeepCDSetFaces_C", (PC, KrylearnDeepCDFaceType), (pc, faces));
  PetscFunctionReturn(0);
}

/*@
  PCDeepCDGetFaces - Gets what the network of `PCDEEPCD` sees past the faces of the grid.

  Not Collective

  Input Parameter:
. pc - the preconditioner

  Output Parameter:
. faces - the choice set with `PCDeepCDSetFaces()` or -pc_deepcd_faces

  Level: intermediate

.seealso: `PCDEEPCD`, `PCDeepCDSetFaces()`
@*/
PetscErrorCode PCDeepCDGetFaces(PC pc, KrylearnDeepCDFaceType *faces)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(faces, 2);
  PetscUseMethod(pc, "PCDeepCDGetFaces_C", (PC, KrylearnDeepCDFaceType *), (pc, faces));
  PetscFunctionReturn(0);
}

/*MC
   PCDEEPCD - "deepcd": the deep conjugate direction network as a preconditioner.

   Options Database Keys:
+  -pc_deepcd_model <file>      - network model (default: shipped model for the grid's dimension)
.  -pc_deepcd_grid <nx,ny[,nz]> - grid of an operator without a DMDA (natural ordering)
-  -pc_deepcd_faces <auto>      - what the network sees past the grid's faces: auto (mirror images past closed faces), zero, mirror

   Notes:
   The network's output is defined up to scale; it is scaled by the Rayleigh quotient
   q.x / q.Aq, which costs one mat-vec per application. The preconditioner is nonlinear:
   use it with flexible methods (`KSPFCG`, `KSPGCR`, `KSPFGMRES`). Decoupled rows are
   preconditioned by 1/A_ii. A failed application (q.Aq <= 0) sets `PC_SUBPC_ERROR`.

   Level: beginner

.seealso: `KSPDEEPCD`, `PCCreate()`, `PCSetType()`, `KSPFCG`, `KSPGCR`
M*/
PETSC_INTERN PetscErrorCode PCCreate_DeepCD(PC pc)
{
  PC_DeepCD *cd;

  PetscFunctionBegin;
  PetscCall(PetscNew(&cd));
  cd->dn.pre              = "pc";
  pc->data                = (void *)cd;
  pc->ops->setup          = PCSetUp_DeepCD;
  pc->ops->apply          = PCApply_DeepCD;
  pc->ops->reset          = PCReset_DeepCD;
  pc->ops->destroy        = PCDestroy_DeepCD;
  pc->ops->view           = PCView_DeepCD;
  pc->ops->setfromoptions = PCSetFromOptions_DeepCD;
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDSetModel_C", PCDeepCDSetModel_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDSetGrid_C", PCDeepCDSetGrid_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDSetFaces_C", PCDeepCDSetFaces_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDGetFaces_C", PCDeepCDGetFaces_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDGetGrid_C", PCDeepCDGetGrid_DeepCD));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDeepCDGetModel_C", PCDeepCDGetModel_DeepCD));
  PetscFunctionReturn(0);
}
