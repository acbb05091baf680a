"""Python side of the model format: round trip through HDF5, shared weights stored once,
metadata, the automatic V-cycle depth and the description checks."""
import h5py
import numpy as np
import torch

import krylearn_model as km


def roundtrip(desc, shape, meta=None):
    net = km.KrylearnNet(desc)
    km.save(net, "m.h5", meta)
    back = km.load("m.h5")
    x = torch.randn((2, 1) + shape)
    g = (torch.rand((1, 1) + shape) < 0.3).float() if net.geometry else None
    with torch.no_grad():
        assert torch.equal(net(x, g), back(x, g)), desc["name"]
    return net, back


def expect_error(desc, words):
    try:
        km.KrylearnNet(desc)
    except ValueError as e:
        assert words in str(e), (words, str(e))
        return
    raise AssertionError(f"no error for {words}")


torch.manual_seed(0)
net, back = roundtrip(km.dcdm_paper(3, 64), (8, 8, 8), {"trained_grid": [64, 64, 64], "operator": "poisson7",
                                                       "loss_history": [3.0, 2.0, 1.5]})
assert km.num_weights(net) == 97457 and km.num_weights(km.KrylearnNet(km.dcdm_paper(3, 128))) == 152881
assert back.metadata["operator"] == "poisson7" and list(back.metadata["loss_history"]) == [3.0, 2.0, 1.5]
with h5py.File("m.h5") as f:
    assert f.attrs["format"] == b"krylearn-model" and f.attrs["format_version"] == 2 and f.attrs["dimension"] == 3
    assert all(f["weights"][k].dtype == np.float32 for k in f["weights"])
roundtrip(km.unet(2, width=4, levels=3, depth=1, kernel=5), (16, 24))
net, back = roundtrip(km.vcycle(2, width=4), (32, 32))
with h5py.File("m.h5") as f:  # the level body's weights are stored once
    assert sorted(k for k in f["weights"] if k.startswith("level_")) == sorted(
        {o["weight"] for o in net.description["graphs"]["level"]["ops"] if o["type"] == "conv"}
        | {o["bias"] for o in net.description["graphs"]["level"]["ops"] if o["type"] == "conv" and o["bias"]})

d = km.vcycle(2, width=4, coarsest=4)
op = d["graphs"]["main"]["ops"][1]
info = km.KrylearnNet(d).info
assert [km.vcycle_levels(d, op, info, (n, n)) for n in (8, 16, 64, 256)] == [1, 2, 4, 6]
assert km.vcycle_levels(d, op, info, (48, 64)) == 3  # 48 = 3 * 16: divisible by 2^4 but 48/16 = 3 < 4

# the gated V-cycle reads the solid geometry at every level; without biases (the gates keep
# theirs) it stays positively homogeneous in its input
desc = km.vcycle(2, width=4, gated=True)
net, back = roundtrip(desc, (32, 32))
assert back.geometry == "solid" and back.description == desc
with h5py.File("m.h5") as f:
    assert f.attrs["format_version"] == 2 and f.attrs["geometry"] == b"solid" and f["graphs/level"].attrs["geometry"] == b"m"
with torch.no_grad():
    for name, w in net.weights.items():
        if name.endswith("_b") and "gate" not in name:
            w.zero_()
    x, g = torch.randn(1, 1, 32, 32), (torch.rand(1, 1, 32, 32) < 0.3).float()
    assert torch.allclose(net(3.0 * x, g), 3.0 * net(x, g), rtol=1e-5, atol=1e-6)
    assert not torch.allclose(net(x, g), net(x, torch.zeros_like(g)))
for call, words in ((lambda: net(x), "reads a geometry field"), (lambda: km.KrylearnNet(km.vcycle(2))(x, g), "reads no geometry")):
    try:
        call()
    except ValueError as e:
        assert words in str(e), str(e)
    else:
        raise AssertionError(words)
bad = km.vcycle(2, width=4, gated=True)
del bad["geometry"]
expect_error(bad, "reads a geometry field but the model declares none")
bad = km.vcycle(2, width=4)
bad["geometry"] = "solid"
expect_error(bad, "geometry field that no graph reads")
bad = km.vcycle(2, width=4, gated=True)
mul = next(o for o in bad["graphs"]["level"]["ops"] if o["type"] == "mul")
mul["inputs"][1] = "v"   # 4 channels: fine; a 1-channel tensor would broadcast
km.KrylearnNet(bad)
pool = next(o for o in bad["graphs"]["level"]["ops"] if o["type"] == "avgpool")
last = [o for o in bad["graphs"]["level"]["ops"] if o["type"] == "mul"][-1]
last["inputs"][1] = pool["output"]
expect_error(bad, "second input needs the resolution")

bad = km.dcdm_paper(2, 64, width=8)
bad["graphs"]["main"]["ops"][2]["in_channels"] = 5
expect_error(bad, "in_channels 5 but input has 8")
bad = km.dcdm_paper(2, 64, width=8)
bad["graphs"]["main"]["ops"][3]["type"] = "softmax"
expect_error(bad, "unknown operation")
bad = km.dcdm_paper(2, 64, width=8)
bad["graphs"]["main"]["ops"][1]["kernel"] = 4
expect_error(bad, "is not odd")
print("model format: all checks passed")
