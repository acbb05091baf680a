"""Export a PyTorch multi-layer perceptron and its data to the Krylearn HDF5 formats.

    make_mlp(widths, activation, bias=True)
        nn.Sequential (float64) of Linear layers widths[0] -> ... -> widths[-1] with the
        activation ('relu', 'tanh', 'sigmoid' or 'gelu') between them

    export_mlp(model, path, loss, weight_decay=0.0)
        model: torch.nn.Sequential of Linear, ReLU, Tanh, Sigmoid and GELU layers
        loss:  'cross_entropy' (nn.CrossEntropyLoss, mean over samples) or
               'mse' (nn.MSELoss, mean over samples and outputs)
    export_data(X, y, path)
        X: N x d floats; y: N integer labels, or N x outputs float targets

The layout is described in docs/spectrum.md. Parameters are stored in float64, strings as
fixed-length ASCII attributes: a variable-length string lives in the file's global heap,
which libhdf5 follows unchecked when it reads the attribute (docs/io.md).
"""
import h5py
import numpy as np
import torch

LAYERS = {torch.nn.Linear: "linear", torch.nn.ReLU: "relu", torch.nn.Tanh: "tanh",
          torch.nn.Sigmoid: "sigmoid", torch.nn.GELU: "gelu"}
LOSSES = ("cross_entropy", "mse")
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "gelu": torch.nn.GELU}


def make_mlp(widths, activation, bias=True):
    """Linear layers through widths with the named activation between them, in float64."""
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1], bias=bias))
        if i < len(widths) - 2:
            layers.append(ACTIVATIONS[activation]())
    return torch.nn.Sequential(*layers).double()


def export_mlp(model, path, loss, weight_decay=0.0):
    """Write model (an nn.Sequential) to the HDF5 file path with the given loss."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if not isinstance(model, torch.nn.Sequential):
        raise TypeError("export_mlp takes a torch.nn.Sequential")
    with h5py.File(path, "w") as f:
        f.attrs["format"] = np.bytes_(b"krylearn-mlp")
        f.attrs["loss"] = np.bytes_(loss.encode("ascii"))
        f.attrs["weight_decay"] = float(weight_decay)
        f.attrs["nlayers"] = len(model)
        for i, layer in enumerate(model):
            kind = LAYERS.get(type(layer))
            if kind is None:
                raise TypeError(f"layer {i} ({type(layer).__name__}) is not supported: use {sorted(LAYERS.values())}")
            if kind == "gelu" and getattr(layer, "approximate", "none") != "none":
                raise TypeError(f"layer {i}: only the exact (erf) GELU is supported")
            g = f.create_group(f"layer{i}")
            g.attrs["type"] = np.bytes_(kind.encode("ascii"))
            if kind == "linear":
                g["weight"] = layer.weight.detach().double().cpu().numpy()
                if layer.bias is not None:
                    g["bias"] = layer.bias.detach().double().cpu().numpy()


def export_data(X, y, path):
    """Write a data set: X (N x d floats) and y (N int labels or N x outputs float targets)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    y = y.astype(np.int64) if np.issubdtype(y.dtype, np.integer) else y.astype(np.float64)
    with h5py.File(path, "w") as f:
        f["X"] = X
        f["y"] = y


def load_mlp(path):
    """Read a model file back: (nn.Sequential in float64, loss, weight_decay)."""
    kinds = {v: k for k, v in LAYERS.items()}
    with h5py.File(path, "r") as f:
        layers = []
        for i in range(int(f.attrs["nlayers"])):
            g = f[f"layer{i}"]
            kind = g.attrs["type"]
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind == "linear":
                w = torch.from_numpy(g["weight"][...])
                lin = torch.nn.Linear(w.shape[1], w.shape[0], bias="bias" in g).double()
                with torch.no_grad():
                    lin.weight.copy_(w)
                    if "bias" in g:
                        lin.bias.copy_(torch.from_numpy(g["bias"][...]))
                layers.append(lin)
            else:
                layers.append(kinds[kind]())
        loss = f.attrs["loss"]
        return (torch.nn.Sequential(*layers), loss.decode() if isinstance(loss, bytes) else loss,
                float(f.attrs.get("weight_decay", 0.0)))
