"""Krylearn model format: networks as ordered operation graphs stored in HDF5.

A Krylearn model maps one scalar field on a 2-D or 3-D grid (shape (B, 1, ny, nx)
or (B, 1, nz, ny, nx)) to another of the same shape. A model may also read a second,
fixed field of the same grid, its *geometry* (for -ksp_type deepcd: 1 on the solid
cells, whose rows and columns hold only a diagonal entry, 0 elsewhere), which lets
it adapt to walls the first field cannot show. It is described by a plain
dictionary (the *description*) plus named float32 weights. The same description is
executed by :class:`KrylearnNet` here (PyTorch, for training) and by the C runtime
(``KrylearnNetLoad`` / ``KrylearnNetApply``); docs/model-format.md specifies the file.

Description::

    {"dimension": 2 or 3,
     "name": "unet",                              # free text, for humans
     "geometry": "solid",                         # optional: the geometry field read
     "hybrid": {"smoother": "jacobi", "sweeps": 2, "damping": 0.8,
                "classical_levels": 1,
                "coarse_iterations": 1},          # optional (or one per level): see train/hybrid.py
     "graphs": {"main": GRAPH, "level": GRAPH}}   # "main" is required

A model with a "hybrid" structure is the coarse part of an operator-smoothed multigrid
cycle (train/hybrid.py): its graphs run on the grid 2^classical_levels times coarser
than the operator's, after `sweeps` damped-Jacobi sweeps with the operator itself.

    GRAPH = {"input": "x", "output": "y", "ops": [OP, OP, ...],   # executed in order
             "geometry": "g"}                     # optional: names the geometry field

A graph that names "geometry" can read that tensor (1 channel) at the resolution of
its input: in main the field itself, in a vcycle body the field average-pooled as
often as that level's input is.

Every op writes one new tensor ("output", a name not used before in that graph) from
tensors computed earlier ("inputs"). Operations:

    conv      inputs [x]: 'same' convolution with zero boundary. Keys: weight (name
              of a (cout, cin, k, k[, k]) weight), bias (name of a (cout,) weight or
              None), kernel (odd k), in_channels, out_channels,
              activation ("relu" or "identity", applied after the bias).
              A kernel of 1 is a 1x1 projection.
    avgpool   inputs [x]: average over 2x2 (2x2x2) blocks; halves every extent.
    upsample  inputs [x]: nearest-neighbour upsampling by 2.
    add       inputs [a, b]: a + b (same channels and resolution).
    mul       inputs [a, g]: a * g, g with the channels of a or 1 (broadcast), same
              resolution; then "activation". With g computed from the geometry only,
              a geometry-dependent gate that keeps the network positively homogeneous.
    vcycle    inputs [x]: runs graph `body` recursively (a learned V-cycle with the
              same weights at every level). Keys: body, levels (0: chosen from the
              grid at run time), coarsest (smallest allowed extent of the grid that
              the deepest `recurse` receives).
    recurse   inputs [x]: only inside a vcycle body: applies the body to x one level
              deeper; at the deepest level it returns zeros.

Weights live in one dictionary keyed by name (letters, digits, '_'); several ops may name the same weight
(shared weights). Use the builders :func:`dcdm_paper`, :func:`unet`, :func:`vcycle`
or write a description by hand, then::

    net = KrylearnNet(description)          # random init (PyTorch defaults)
    y = net(x)                              # x: (B, 1, *grid) float tensor
    save(net, "model.h5", {"trained_grid": [64, 64], "loss_history": losses})
    net = load("model.h5")                  # a KrylearnNet with the stored weights

Automatic V-cycle depth: with `levels` = 0 the number of levels is the largest L >= 1
such that every grid extent n is divisible by 2**(s*L) and n / 2**(s*L) >= coarsest,
where s is the number of poolings between the body input and its `recurse`
(see :func:`vcycle_levels`).
"""
import math
import re

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import hybrid

FORMAT_NAME = "krylearn-model"
FORMAT_VERSION = 2          # version 2 added the geometry field and "mul"; version 1 files still load
HYBRID_VERSION = 3          # written for models with a hybrid structure (version 3 added it)
READ_VERSIONS = (1, 2, 3)
GEOMETRIES = ("solid",)
OP_TYPES = ("conv", "avgpool", "upsample", "add", "mul", "vcycle", "recurse")
ACTIVATIONS = ("identity", "relu")


# ----------------------------------------------------------------------------------
# Validation and resolution analysis (shared by the module and the writer)
# ----------------------------------------------------------------------------------
def _analyse(desc, weights_shape=None):
    """Check a description; return {graph: {tensor: (channels, shift)}} where shift is
    the number of poolings relative to the graph input. Raises ValueError."""
    dim = desc.get("dimension")
    if dim not in (2, 3):
        raise ValueError(f"dimension must be 2 or 3, not {dim!r}")
    graphs = desc.get("graphs", {})
    if "main" not in graphs:
        raise ValueError("description has no 'main' graph")
    info = {}

    if "hybrid" in desc:
        hybrid.validate(desc["hybrid"])
    kind = desc.get("geometry")
    if kind is not None and kind not in GEOMETRIES:
        raise ValueError(f"unknown geometry {kind!r} (known: {', '.join(GEOMETRIES)})")

    def walk(gname, in_channels, allow_recurse):
        g = graphs[gname]
        tensors = {g["input"]: (in_channels, 0)}
        if g.get("geometry"):
            if kind is None:
                raise ValueError(f"graph {gname} reads a geometry field but the model declares none")
            if g["geometry"] == g["input"]:
                raise ValueError(f"graph {gname}: geometry and input have the same name")
            tensors[g["geometry"]] = (1, 0)
        for i, op in enumerate(g["ops"]):
            where = f"graph {gname} op {i} ({op.get('type')})"
            t = op.get("type")
            if t not in OP_TYPES:
                raise ValueError(f"{where}: unknown operation")
            ins = op["inputs"]
            for n in ins:
                if n not in tensors:
                    raise ValueError(f"{where}: input tensor {n!r} is not defined before")
            if op["output"] in tensors:
                raise ValueError(f"{where}: tensor {op['output']!r} written twice")
            need = 2 if t in ("add", "mul") else 1
            if len(ins) != need:
                raise ValueError(f"{where}: needs {need} inputs")
            c, s = tensors[ins[0]]
            if t == "conv":
                k = op["kernel"]
                if k < 1 or k % 2 == 0:
                    raise ValueError(f"{where}: kernel {k} is not odd")
                if op["in_channels"] != c:
                    raise ValueError(f"{where}: in_channels {op['in_channels']} but input has {c}")
                if op.get("activation", "identity") not in ACTIVATIONS:
                    raise ValueError(f"{where}: unknown activation")
                if weights_shape is not None:
                    want = (op["out_channels"], c) + (k,) * dim
                    if tuple(weights_shape(op["weight"])) != want:
                        raise ValueError(f"{where}: weight {op['weight']} shape {weights_shape(op['weight'])} != {want}")
                    if op.get("bias") and tuple(weights_shape(op["bias"])) != (op["out_channels"],):
                        raise ValueError(f"{where}: bias {op['bias']} has wrong shape")
                out = (op["out_channels"], s)
            elif t == "avgpool":
                out = (c, s + 1)
            elif t == "upsample":
                out = (c, s - 1)
            elif t == "add":
                if tensors[ins[1]] != (c, s):
                    raise ValueError(f"{where}: inputs differ in channels or resolution")
                out = (c, s)
            elif t == "mul":
                cg, sg = tensors[ins[1]]
                if sg != s or cg not in (c, 1):
                    raise ValueError(f"{where}: second input needs the resolution and the channels of the first, or 1 channel")
                if op.get("activation", "identity") not in ACTIVATIONS:
                    raise ValueError(f"{where}: unknown activation")
                out = (c, s)
            elif t == "recurse":
                if not allow_recurse:
                    raise ValueError(f"{where}: recurse outside a vcycle body")
                if s < 1:
                    raise ValueError(f"{where}: recurse input must be pooled at least once")
                out = (c, s)
            else:  # vcycle
                body = op["body"]
                if body not in graphs or body == gname or allow_recurse:
                    raise ValueError(f"{where}: bad body graph {body!r}")
                bt = walk(body, c, True)
                rec = [o for o in graphs[body]["ops"] if o["type"] == "recurse"]
                if len(rec) != 1:
                    raise ValueError(f"{where}: body must contain exactly one recurse")
                if bt[graphs[body]["output"]] != (c, 0):
                    raise ValueError(f"{where}: body output must keep channels and resolution")
                out = (c, s)
            if out[1] < 0:
                raise ValueError(f"{where}: upsampling above the input resolution")
            tensors[op["output"]] = out
        if g["output"] not in tensors:
            raise ValueError(f"graph {gname}: output {g['output']!r} not computed")
        info[gname] = tensors
        return tensors

    main = walk("main", 1, False)
    if main[graphs["main"]["output"]] != (1, 0):
        raise ValueError("main graph output must have 1 channel at the input resolution")
    if kind is not None and not any(g.get("geometry") for g in graphs.values()):
        raise ValueError(f"the model declares a {kind!r} geometry field that no graph reads")
    return info


def vcycle_levels(desc, op, info, shape):
    """Number of levels a vcycle op runs on a grid of spatial `shape` (tuple)."""
    body = desc["graphs"][op["body"]]
    rec = next(o for o in body["ops"] if o["type"] == "recurse")
    s = info[op["body"]][rec["inputs"][0]][1]
    if op.get("levels", 0) > 0:
        return op["levels"]
    levels = 0
    while all(n % 2 ** (s * (levels + 1)) == 0 and n // 2 ** (s * (levels + 1)) >= op["coarsest"] for n in shape):
        levels += 1
    if levels == 0:
        raise ValueError(f"grid {tuple(shape)} too small or not divisible for a vcycle "
                         f"(coarsest {op['coarsest']}, {s} pooling(s) per level)")
    return levels


# ----------------------------------------------------------------------------------
# PyTorch module
# ----------------------------------------------------------------------------------
def _pad_faces(a, r, faces):
    """a (B, C, *grid) widened by r cells past every face: the mirror image of the cells
    inside (x_-1-k = x_k) past a 'mirror' face, zeros past a 'zero' one. Axes in the
    order x, y, z, each over the widths already added, as the C runtime fills its halos."""
    for axis in range(len(faces) // 2):
        d = a.dim() - 1 - axis
        parts = []
        for side in (0, 1):
            edge = a.narrow(d, 0 if side == 0 else a.shape[d] - r, r)
            parts.append(edge.flip(d) if faces[2 * axis + side] == "mirror" else torch.zeros_like(edge))
        a = torch.cat([parts[0], a, parts[1]], d)
    return a


class KrylearnNet(nn.Module):
    """Executes a Krylearn model description.

    Parameters are held in ``self.weights`` (an nn.ParameterDict keyed by the weight
    names of the description, so shared names are one Parameter). Without `weights`
    they are initialised like torch.nn.ConvNd; with `weights` (dict name -> array)
    they are copied from it.
    """

    def __init__(self, description, weights=None):
        super().__init__()
        self.description = description
        self.dim = description["dimension"]
        self._faces = self._domain = None   # set by forward
        shapes = {}
        for g in description["graphs"].values():
            for op in g["ops"]:
                if op["type"] == "conv":
                    k, cin, cout = op["kernel"], op["in_channels"], op["out_channels"]
                    shapes.setdefault(op["weight"], (cout, cin) + (k,) * self.dim)
                    if op.get("bias"):
                        shapes.setdefault(op["bias"], (cout,))
        self.info = _analyse(description, lambda n: shapes[n])
        for name in shapes:
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise ValueError(f"weight name {name!r}: use letters, digits and '_' only")
        self.weights = nn.ParameterDict()
        for name, shape in shapes.items():
            if weights is not None:
                if name not in weights:
                    raise ValueError(f"weight {name!r} missing")
                w = torch.as_tensor(np.asarray(weights[name], dtype=np.float32))
                if tuple(w.shape) != shape:
                    raise ValueError(f"weight {name!r} has shape {tuple(w.shape)}, expected {shape}")
            else:
                fan_in = math.prod(shape[1:]) if len(shape) > 1 else None
                if fan_in is None:  # bias: fan-in of its conv
                    fan_in = next(math.prod(shapes[o["weight"]][1:]) for g in description["graphs"].values()
                                  for o in g["ops"] if o["type"] == "conv" and o.get("bias") == name)
                bound = 1.0 / math.sqrt(fan_in)
                w = torch.empty(shape).uniform_(-bound, bound)
            self.weights[name] = nn.Parameter(w)

    def _geometry_at(self, geometry, gname, op):
        """The geometry of graph gname (None, or at its input's resolution) pooled to the
        resolution of op's input: what the graph that op runs (recurse, vcycle) reads."""
        pool = F.avg_pool2d if self.dim == 2 else F.avg_pool3d
        for _ in range(self.info[gname][op["inputs"][0]][1] if geometry is not None else 0):
            geometry = pool(geometry, 2)
        return geometry

    def _zero_outside(self, y):
        """y with zeros past the domain (at s poolings below the grid: past ceil(n / 2^s))."""
        if self._domain is None:
            return y
        keep = tuple(slice(0, -(-d // (g // n))) for d, g, n in zip(self._domain, self._grid, y.shape[2:]))
        mask = torch.zeros((1, 1) + tuple(y.shape[2:]), dtype=y.dtype, device=y.device)
        mask[(..., *keep)] = 1
        return y * mask

    def _run(self, gname, x, geometry, depth, levels):
        g = self.description["graphs"][gname]
        conv = F.conv2d if self.dim == 2 else F.conv3d
        pool = F.avg_pool2d if self.dim == 2 else F.avg_pool3d
        t = {g["input"]: x}
        if g.get("geometry"):
            t[g["geometry"]] = geometry
        for op in g["ops"]:
            a = t[op["inputs"][0]]
            typ = op["type"]
            if typ == "conv":
                b = self.weights[op["bias"]] if op.get("bias") else None
                if self._faces:
                    y = conv(_pad_faces(a, op["kernel"] // 2, self._faces), self.weights[op["weight"]], b)
                else:
                    y = conv(a, self.weights[op["weight"]], b, padding=op["kernel"] // 2)
                if op.get("activation", "identity") == "relu":
                    y = F.relu(y)
                y = self._zero_outside(y)
            elif typ == "avgpool":
                if any(n % 2 for n in a.shape[2:]):
                    raise ValueError(f"cannot pool a grid of extent {tuple(a.shape[2:])}")
                y = pool(a, 2)
            elif typ == "upsample":
                y = self._zero_outside(F.interpolate(a, scale_factor=2, mode="nearest"))
            elif typ == "add":
                y = a + t[op["inputs"][1]]
            elif typ == "mul":
                y = a * t[op["inputs"][1]]
                if op.get("activation", "identity") == "relu":
                    y = F.relu(y)
            elif typ == "recurse":
                coarse = self._geometry_at(geometry, gname, op)
                y = self._run(gname, a, coarse, depth + 1, levels) if depth + 1 < levels else torch.zeros_like(a)
            else:  # vcycle
                lv = vcycle_levels(self.description, op, self.info, tuple(a.shape[2:]))
                y = self._run(op["body"], a, self._geometry_at(geometry, gname, op), 0, lv)
            t[op["output"]] = y
        return t[g["output"]]

    @property
    def hybrid(self):
        """The hybrid structure (dict, see train/hybrid.py) or None: the model is then
        applied by hybrid.direction on the coarse grid of a classical cycle."""
        return self.description.get("hybrid")

    @property
    def geometry(self):
        """The geometry field the model reads ('solid'), or None."""
        return self.description.get("geometry")

    def forward(self, x, geometry=None, faces=None, domain=None):
        """x: (B, 1, *grid) tensor -> (B, 1, *grid). geometry: the (1 or B, 1, *grid)
        geometry field, required exactly when the model reads one. faces: what the
        convolutions see past the grid's faces, 2 * dim entries 'zero' or 'mirror' for the
        low and high face of x, then y (then z), as KrylearnNetSetFaces; None: zeros.
        domain: the cells of the domain per grid axis (the grid's order) when the grid is
        padded past it; activations are then zero past it after every convolution and
        upsampling, as KrylearnNetSetDomain."""
        if x.dim() != self.dim + 2 or x.shape[1] != 1:
            raise ValueError(f"input must have shape (B, 1, *grid) with {self.dim} grid axes")
        if faces is not None and (len(faces) != 2 * self.dim or any(f not in ("zero", "mirror") for f in faces)):
            raise ValueError(f"faces must be {2 * self.dim} entries 'zero' or 'mirror'")
        self._faces = faces if faces is not None and "mirror" in faces else None
        self._domain = None
        if domain is not None and tuple(domain) != tuple(x.shape[2:]):
            if len(domain) != self.dim or any(not 0 < d <= n for d, n in zip(domain, x.shape[2:])):
                raise ValueError(f"domain must be {self.dim} extents within the grid {tuple(x.shape[2:])}")
            self._domain, self._grid = tuple(domain), tuple(x.shape[2:])
        if (geometry is None) != (self.geometry is None):
            raise ValueError("this model reads a geometry field: pass it" if geometry is None else
                             "this model reads no geometry field")
        if geometry is not None:
            if geometry.dim() != x.dim() or geometry.shape[1] != 1 or geometry.shape[2:] != x.shape[2:]:
                raise ValueError("geometry must have shape (1 or B, 1, *grid) on the grid of the input")
            geometry = geometry.to(x.dtype).expand(x.shape[0], *geometry.shape[1:])
        return self._run("main", x, geometry, 0, 0)


# ----------------------------------------------------------------------------------
# Builders
# ----------------------------------------------------------------------------------
class _Graph:
    def __init__(self, dim, prefix=""):
        self.dim, self.prefix, self.ops, self.n = dim, prefix, [], 0

    def _new(self, stem):
        self.n += 1
        return f"{stem}{self.n}"

    def conv(self, x, cin, cout, k=3, act="relu", bias=True, weight=None):
        w = weight or f"{self.prefix}conv{self.n + 1}"
        out = self._new("t")
        self.ops.append({"type": "conv", "inputs": [x], "output": out, "weight": w + "_w",
                         "bias": (w + "_b") if bias else None, "kernel": k,
                         "in_channels": cin, "out_channels": cout, "activation": act})
        return out

    def op(self, typ, *inputs, **kw):
        out = self._new("t")
        self.ops.append(dict(type=typ, inputs=list(inputs), output=out, **kw))
        return out


def dcdm_paper(dim=3, size=64, width=16):
    """The DCDM paper's network (Kaneda et al. 2023), 2-D or 3-D.

    size=64: 1 residual pair before pooling, 3 at half resolution, 2 after upsampling
    (about 97k weights in 3-D); size=128: 2 / 5 / 3 pairs (about 153k weights).
    All convolutions 3x3(x3), ReLU except the first (linear) and the final 1x1 projection.
    Grid extents must be even."""
    pre, mid, post = {64: (1, 3, 2), 128: (2, 5, 3)}[size]
    g = _Graph(dim)
    x = g.conv("x", 1, width, act="identity")
    la = g.conv(x, width, width)
    for _ in range(pre):
        lb = g.conv(la, width, width)
        la = g.op("add", g.conv(lb, width, width), la)
    lb = g.conv(la, width, width)
    apa = g.op("avgpool", lb)
    for _ in range(mid):
        apb = g.conv(apa, width, width)
        apa = g.op("add", g.conv(apb, width, width), apa)
    upa = g.op("add", g.op("upsample", apa), lb)
    for _ in range(post):
        upb = g.conv(upa, width, width)
        upa = g.op("add", g.conv(upb, width, width), upa)
    y = g.conv(upa, width, 1, k=1, act="identity")
    return {"dimension": dim, "name": f"dcdm-paper-{size}",
            "graphs": {"main": {"input": "x", "output": y, "ops": g.ops}}}


def unet(dim=2, width=8, levels=4, depth=2, kernel=3):
    """A U-Net: lift 1->width, then at each of `levels` resolutions `depth` convs
    (ReLU) with a skip, average-pool; `depth` convs at the coarsest; on the way up
    nearest upsampling added to the skip, `depth` convs; 1x1 projection width->1.
    Grid extents must be divisible by 2**levels."""
    g = _Graph(dim)
    h = g.conv("x", 1, width, k=kernel, act="identity")
    skips = []
    for _ in range(levels):
        for _ in range(depth):
            h = g.conv(h, width, width, k=kernel)
        skips.append(h)
        h = g.op("avgpool", h)
    for _ in range(depth):
        h = g.conv(h, width, width, k=kernel)
    for s in reversed(skips):
        h = g.op("add", g.op("upsample", h), s)
        for _ in range(depth):
            h = g.conv(h, width, width, k=kernel)
    y = g.conv(h, width, 1, k=1, act="identity")
    return {"dimension": dim, "name": f"unet-w{width}-l{levels}-d{depth}",
            "graphs": {"main": {"input": "x", "output": y, "ops": g.ops}}}


def vcycle(dim=2, width=8, coarsest=4, levels=0, kernel=3, gated=False):
    """A learned V-cycle with weights shared across levels.

    main: lift conv 1->width, vcycle(body "level"), 1x1 projection width->1.
    level body (input v): s = v + relu(conv(relu(conv(v))));  c = recurse(avgpool(s));
    t = s + conv1x1(upsample(c)) (learned coarse-correction mixing, no bias);
    out = t + relu(conv(relu(conv(t)))). With levels=0 the depth follows the grid:
    the largest L with every extent / 2**L >= coarsest and divisible.

    gated: the model reads the solid-cell geometry, and each of the four smoothing
    convolutions of the body becomes relu(conv(.) * gate(m)), gate a 1->width
    convolution with bias of the geometry m at that level (pooled: the solid fraction
    of each coarse cell). The gate weights are named gate*."""
    b = _Graph(dim, prefix="level_")
    v = "v"

    def smooth(x):
        if not gated:
            return b.conv(x, width, width, k=kernel)
        y = b.conv(x, width, width, k=kernel, act="identity")
        g = b.conv("m", 1, width, k=kernel, act="identity", weight=f"level_gate{b.n + 1}")
        return b.op("mul", y, g, activation="relu")

    s = b.op("add", v, smooth(smooth(v)))
    c = b.op("recurse", b.op("avgpool", s))
    t = b.op("add", s, b.conv(b.op("upsample", c), width, width, k=1, act="identity", bias=False))
    out = b.op("add", t, smooth(smooth(t)))
    m = _Graph(dim)
    h = m.conv("x", 1, width, k=kernel, act="identity")
    h = m.op("vcycle", h, body="level", levels=levels, coarsest=coarsest)
    y = m.conv(h, width, 1, k=1, act="identity")
    level = {"input": v, "output": out, "ops": b.ops}
    desc = {"dimension": dim, "name": f"vcycle-w{width}" + ("-gated" if gated else ""),
            "graphs": {"main": {"input": "x", "output": y, "ops": m.ops}, "level": level}}
    if gated:
        desc["geometry"] = "solid"
        level["geometry"] = "m"
    return desc


# ----------------------------------------------------------------------------------
# HDF5 reading and writing
# ----------------------------------------------------------------------------------
def _s(v):
    """Fixed-length ASCII string attribute (readable from C without variable-length types)."""
    return np.bytes_(v.encode("ascii"))


def _str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def save(model, path, metadata=None):
    """Write `model` (a KrylearnNet) to `path` in the Krylearn HDF5 format.

    metadata: optional dict stored under /metadata. Scalars and strings become
    attributes, sequences (e.g. 'loss_history') datasets. Suggested keys:
    trained_grid, operator, training_data, loss_history."""
    desc = model.description
    with h5py.File(path, "w") as f:
        f.attrs["format"] = _s(FORMAT_NAME)
        f.attrs["format_version"] = np.int32(HYBRID_VERSION if desc.get("hybrid") else FORMAT_VERSION)
        f.attrs["dimension"] = np.int32(desc["dimension"])
        f.attrs["name"] = _s(desc.get("name", ""))
        if desc.get("geometry"):
            f.attrs["geometry"] = _s(desc["geometry"])
        if desc.get("hybrid"):
            h = desc["hybrid"]
            hg = f.create_group("hybrid")
            hg.attrs["smoother"] = _s(h["smoother"])
            hg.attrs["sweeps"] = np.int32(h["sweeps"])
            hg.attrs["damping"] = np.float64(h["damping"])
            hg.attrs["classical_levels"] = np.int32(h["classical_levels"])
            if h.get("coarse_iterations", 1) != 1:   # one number, or one per classical level
                hg.attrs["coarse_iterations"] = np.asarray(h["coarse_iterations"], dtype=np.int32)
        wg = f.create_group("weights")
        for name, p in model.weights.items():
            wg.create_dataset(name, data=p.detach().cpu().numpy().astype(np.float32))
        gg = f.create_group("graphs")
        for gname, g in desc["graphs"].items():
            h = gg.create_group(gname)
            h.attrs["input"], h.attrs["output"] = _s(g["input"]), _s(g["output"])
            h.attrs["num_ops"] = np.int32(len(g["ops"]))
            if g.get("geometry"):
                h.attrs["geometry"] = _s(g["geometry"])
            for i, op in enumerate(g["ops"]):
                o = h.create_group(f"op{i}")
                o.attrs["type"] = _s(op["type"])
                o.attrs["inputs"] = _s(",".join(op["inputs"]))
                o.attrs["output"] = _s(op["output"])
                if op["type"] == "mul":
                    o.attrs["activation"] = _s(op.get("activation", "identity"))
                if op["type"] == "conv":
                    o.attrs["weight"] = _s(op["weight"])
                    o.attrs["bias"] = _s(op.get("bias") or "")
                    o.attrs["activation"] = _s(op.get("activation", "identity"))
                    for k in ("kernel", "in_channels", "out_channels"):
                        o.attrs[k] = np.int32(op[k])
                elif op["type"] == "vcycle":
                    o.attrs["body"] = _s(op["body"])
                    o.attrs["levels"] = np.int32(op.get("levels", 0))
                    o.attrs["coarsest"] = np.int32(op["coarsest"])
        mg = f.create_group("metadata")
        for k, v in (metadata or {}).items():
            if isinstance(v, str):
                mg.attrs[k] = _s(v)
            elif np.ndim(v) == 0:
                mg.attrs[k] = v
            else:
                mg.create_dataset(k, data=np.asarray(v))


def read_description(path):
    """Return (description, weights dict, metadata dict) stored in `path`."""
    with h5py.File(path, "r") as f:
        if _str(f.attrs.get("format", b"")) != FORMAT_NAME:
            raise ValueError(f"{path}: not a Krylearn model file")
        if int(f.attrs["format_version"]) not in READ_VERSIONS:
            raise ValueError(f"{path}: unsupported format version {int(f.attrs['format_version'])}")
        desc = {"dimension": int(f.attrs["dimension"]), "name": _str(f.attrs.get("name", b"")), "graphs": {}}
        if "geometry" in f.attrs:
            desc["geometry"] = _str(f.attrs["geometry"])
        if "hybrid" in f:
            if int(f.attrs["format_version"]) < HYBRID_VERSION:
                raise ValueError(f"{path}: a /hybrid structure needs format version {HYBRID_VERSION}")
            a = f["hybrid"].attrs
            missing = [k for k in ("smoother", "sweeps", "damping", "classical_levels") if k not in a]
            if missing:
                raise ValueError(f"{path}: /hybrid lacks attribute {missing[0]!r}")
            for k, kind in (("sweeps", "iu"), ("classical_levels", "iu"), ("damping", "f")):
                if np.asarray(a[k]).dtype.kind not in kind or np.asarray(a[k]).size != 1:
                    raise ValueError(f"{path}: attribute {k!r} of /hybrid is not one "
                                     + ("integer" if kind == "iu" else "floating-point number"))
            if "coarse_iterations" in a and np.asarray(a["coarse_iterations"]).dtype.kind not in "iu":
                raise ValueError(f"{path}: attribute 'coarse_iterations' of /hybrid is not integers")
            desc["hybrid"] = {"smoother": _str(a["smoother"]), "sweeps": int(a["sweeps"]),
                              "damping": float(a["damping"]), "classical_levels": int(a["classical_levels"])}
            if "coarse_iterations" in a:
                ks = np.asarray(a["coarse_iterations"]).reshape(-1).tolist()
                desc["hybrid"]["coarse_iterations"] = ks[0] if np.ndim(a["coarse_iterations"]) == 0 else ks
        for gname, h in f["graphs"].items():
            ops = []
            for i in range(int(h.attrs["num_ops"])):
                a = h[f"op{i}"].attrs
                op = {"type": _str(a["type"]), "inputs": _str(a["inputs"]).split(","), "output": _str(a["output"])}
                if op["type"] == "conv":
                    op.update(weight=_str(a["weight"]), bias=_str(a["bias"]) or None,
                              activation=_str(a["activation"]),
                              **{k: int(a[k]) for k in ("kernel", "in_channels", "out_channels")})
                elif op["type"] == "vcycle":
                    op.update(body=_str(a["body"]), levels=int(a["levels"]), coarsest=int(a["coarsest"]))
                elif op["type"] == "mul":
                    op["activation"] = _str(a["activation"])
                ops.append(op)
            desc["graphs"][gname] = {"input": _str(h.attrs["input"]), "output": _str(h.attrs["output"]), "ops": ops}
            if "geometry" in h.attrs:
                desc["graphs"][gname]["geometry"] = _str(h.attrs["geometry"])
        weights = {k: np.array(v) for k, v in f["weights"].items()}
        meta = {}
        if "metadata" in f:
            meta.update({k: (_str(v) if isinstance(v, bytes) else v) for k, v in f["metadata"].attrs.items()})
            meta.update({k: np.array(v) for k, v in f["metadata"].items()})
    return desc, weights, meta


def load(path):
    """Read a Krylearn model file; return the KrylearnNet with its stored weights.
    The metadata is attached as the attribute `metadata` (a dict)."""
    desc, weights, meta = read_description(path)
    net = KrylearnNet(desc, weights)
    net.metadata = meta
    return net


def num_weights(model):
    """Number of scalar weights (shared weights counted once)."""
    return sum(p.numel() for p in model.weights.values())
