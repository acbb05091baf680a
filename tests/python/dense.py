"""Dense curvature matrices of a PyTorch model's mean loss, independent of krylearn: the
Hessian by torch.autograd.functional.hessian, the Gauss-Newton matrix and the empirical
Fisher from full Jacobians and per-sample gradients, all in float64."""
import torch
from torch.nn.utils.stateless import functional_call


def _flat_fn(model, f):
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    shapes = [p.shape for n, p in model.named_parameters() if p.requires_grad]
    sizes = [s.numel() for s in shapes]
    theta = torch.cat([p.detach().reshape(-1) for n, p in model.named_parameters() if p.requires_grad])

    def unflat(t):
        return {n: c.view(s) for n, c, s in zip(names, torch.split(t, sizes), shapes)}

    return theta, (lambda t, *a: f(lambda *x: functional_call(model, unflat(t), x), *a))


def mean_loss(model, loss_fn, batches):
    N = sum(len(y) for _, y in batches)
    return lambda fwd: sum(loss_fn(fwd(x), y) * len(y) / N for x, y in batches)


def hessian(model, loss_fn, batches, weight_decay=0.0):
    theta, fn = _flat_fn(model, lambda fwd: mean_loss(model, loss_fn, batches)(fwd))
    H = torch.autograd.functional.hessian(fn, theta)
    return H + weight_decay * torch.eye(len(theta), dtype=H.dtype)


def ggn(model, loss_fn, batches, weight_decay=0.0):
    """(1/N) sum over batches of B_b J_b^T H_b J_b, H_b the Hessian of the batch mean loss in the outputs."""
    N = sum(len(y) for _, y in batches)
    theta = None
    G = 0
    for x, y in batches:
        theta, out_fn = _flat_fn(model, lambda fwd: fwd(x))
        J = torch.autograd.functional.jacobian(out_fn, theta).reshape(-1, len(theta))
        out = out_fn(theta).detach()
        Hl = torch.autograd.functional.hessian(lambda o: loss_fn(o.view(out.shape), y), out.reshape(-1))
        G = G + len(y) / N * J.T @ Hl @ J
    return G + weight_decay * torch.eye(len(theta), dtype=G.dtype)


def fisher(model, loss_fn, batches, weight_decay=0.0):
    """(1/N) sum_i g_i g_i^T with g_i the gradient of sample i's loss (loss_fn on a batch of one)."""
    N = sum(len(y) for _, y in batches)
    F, theta = 0, None
    for x, y in batches:
        for i in range(len(y)):
            xi = tuple(t[i:i + 1] for t in x) if isinstance(x, tuple) else x[i:i + 1]
            theta, fn = _flat_fn(model, lambda fwd: loss_fn(fwd(*(xi if isinstance(xi, tuple) else (xi,))), y[i:i + 1]))
            g = torch.autograd.functional.jacobian(fn, theta)
            F = F + torch.outer(g, g) / N
    return F + weight_decay * torch.eye(len(theta), dtype=F.dtype)
