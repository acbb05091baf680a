#!/usr/bin/python3
"""Train a DCDM network (Kaneda et al., ICML 2023) and write it as a Krylearn model.

    train/train_dcdm.py --problem disc:64,64 --problem none:128,128 --arch vcycle \
        --minutes 15 --out model.h5

Training data: for every problem, Ritz vectors of A from Lanczos with full
reorthogonalisation (null space dropped); each sample is a random combination of them
with the lowest part of the spectrum weighted up, normalised to 1. Problems are
visited in turn, one batch each. Loss (scale-invariant in the network output p):
    L(b) = || b - (p.b / p.Ap) A p ||^2,   A a torch sparse matrix,
with p zero on the cells outside the domain (rows holding only a diagonal).
Adam with a cosine learning-rate decay; a held-out validation set per problem;
checkpoints with everything needed to resume (model, optimiser, random states,
history, elapsed time).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

import dcdm
import hybrid
import krylearn_model
import poisson
import problems
import ritz


def build_network(args, dim):
    """The network. The V-cycle's coarse-correction mixing convolution (applied to the
    nearest-upsampled coarse result) gets kernel --mix-kernel: with 3 it can learn a
    smooth prolongation instead of the staircase of nearest upsampling. Without --bias the convolution biases are fixed at zero, which makes
    it positively homogeneous (N(a r) = a N(r) for a > 0): its directions then do not
    depend on the amplitude of r / ||r||, which shrinks like 1/sqrt(cells) on larger grids."""
    if args.arch == "vcycle":
        desc = krylearn_model.vcycle(dim, width=args.width, coarsest=args.coarsest, gated=args.gated)
        body = desc["graphs"]["level"]["ops"]
        upsampled = {op["output"] for op in body if op["type"] == "upsample"}
        mixing = [op for op in body if op["type"] == "conv" and op["inputs"][0] in upsampled]
        for op in mixing:
            op["kernel"] = args.mix_kernel
    elif args.arch == "unet":
        desc = krylearn_model.unet(dim, width=args.width, levels=args.levels)
    else:
        desc = krylearn_model.dcdm_paper(dim, size=args.paper_size)
    if args.hybrid_levels:
        desc["hybrid"] = {"smoother": "jacobi", "sweeps": args.hybrid_sweeps, "damping": args.hybrid_damping,
                          "classical_levels": args.hybrid_levels, "coarse_iterations": args.hybrid_coarse_iterations}
    net = krylearn_model.KrylearnNet(desc)
    if args.arch == "vcycle" and args.mix_gain:
        for op in mixing:
            w = net.weights[op["weight"]]
            w.data.zero_()
            for c in range(w.shape[0]):
                w.data[c, c] = args.mix_gain / args.mix_kernel ** dim
    gates = {op["weight"] for g in desc["graphs"].values() for op in g["ops"]
             if op["type"] == "conv" and op["inputs"][0] == g.get("geometry")}
    for name in gates:   # start as the ungated V-cycle: gate 1 everywhere
        net.weights[name].data.zero_()
        net.weights[name[:-2] + "_b"].data.fill_(1.0)
    if not args.bias:   # gate biases stay: the gates do not scale with r
        biases = {op["bias"] for g in desc["graphs"].values() for op in g["ops"]
                  if op.get("bias") and op["weight"] not in gates}
        for name in biases:
            net.weights[name].data.zero_()
            net.weights[name].requires_grad_(False)
    return net


class TrainingSet:
    """One problem's operator (torch sparse), active mask and Ritz sampler."""

    def __init__(self, problem, args, device, seed):
        self.problem = problem
        t = time.perf_counter()
        cache = os.path.join(args.ritz_cache, f"{problem.name.replace('/', '_')}-{args.lanczos_steps}-{seed}.npz") \
            if args.ritz_cache else ""
        if cache and os.path.exists(cache):
            with np.load(cache) as f:
                values, vectors = f["values"], f["vectors"]
        else:
            values, vectors = ritz.lanczos_ritz(problem.A, args.lanczos_steps, problem.active, seed=seed)
            if cache:
                os.makedirs(args.ritz_cache, exist_ok=True)
                np.savez(cache, values=values, vectors=vectors)
        self.lanczos_seconds = time.perf_counter() - t
        self.ritz_count, self.ritz_range = len(values), (float(values[0]), float(values[-1]))
        self.sampler = ritz.RitzSampler(values, vectors, args.low_fraction, args.low_weight, args.power, device)
        self.A = poisson.to_torch(problem.A, device)
        self.mask = torch.as_tensor(problem.active, dtype=torch.float32, device=device)
        self.geometry = problem.geometry(device)
        self.hierarchy = None
        if args.hybrid_levels:
            self.hierarchy = hybrid.Hierarchy(problem.A, problem.shape, args.hybrid_levels).torch(device)

    def direction(self, net, r):
        """The network's directions for the residuals r (B, n), zero outside the domain
        (a hybrid model's: the classical cycle around the network, train/hybrid.py)."""
        if getattr(net, "hybrid", None):
            return hybrid.direction(net.hybrid, self.hierarchy, net, r) * self.mask
        geometry = self.geometry if getattr(net, "geometry", None) else None
        p = net(r.reshape(r.shape[0], 1, *self.problem.shape), geometry)
        return p.reshape(r.shape[0], -1) * self.mask

    def loss(self, net, b, unroll=1, ndirs=2):
        """Mean over the batch b (B, n) of || b - (p.b / p.Ap) A p ||^2 (unroll 1, the
        paper's loss). With unroll K > 1: K steps of DCDM from r_0 = b (directions
        A-orthogonalised against the last ndirs, as the solver does), and the mean over
        the steps of || r_k+1 ||^2 / || r_k ||^2, differentiated through the whole
        solve: the network also learns the residuals its own directions leave."""
        r, dirs, total = b, [], 0.0
        for _ in range(unroll):
            rn = r.norm(dim=1, keepdim=True)
            p = self.direction(net, r / rn)
            for q, Aq, qAq in dirs:
                p = p - (p * Aq).sum(1, keepdim=True) / qAq * q
            Ap = (self.A @ p.T).T
            pAp = (p * Ap).sum(1, keepdim=True)
            r_next = r - (p * r).sum(1, keepdim=True) / pAp * Ap
            total = total + ((r_next / rn) ** 2).sum(1).mean()
            dirs = (dirs + [(p, Ap, pAp)])[-ndirs:]
            r = r_next
        return total / unroll


class Selection:
    """Model selection by DCDM iterations: solves each selection problem (rtol 1e-4) with
    the current network and keeps the weights with the fewest iterations in total, the
    latest of them on a tie (a solve that does not converge counts twice its iteration
    limit). Right-hand side on the active cells, seeded: 'smooth' (random combination of
    the sine modes with up to 4 half-waves per axis plus 10 % uniform noise) or 'random'
    (uniform)."""

    def __init__(self, specs, kind="smooth", maxit=200):
        self.problems = [problems.load(s) for s in specs]
        rng = np.random.default_rng(0)
        self.rhs = []
        for p in self.problems:
            b = rng.uniform(-1.0, 1.0, p.shape)
            if kind == "smooth":
                x = [c / n for c, n in zip(poisson.cell_centres(p.shape), p.shape)]
                b *= 0.1
                for k in np.ndindex(*(4,) * len(p.shape)):
                    b += rng.standard_normal() * np.prod([np.sin(np.pi * (ka + 1) * xa) for ka, xa in zip(k, x)], axis=0)
            self.rhs.append(np.where(p.active, b.reshape(-1), 0.0))
        self.kind = kind
        self.maxit = maxit
        self.best = None

    def __call__(self, net, step):
        net.eval()
        device = next(net.parameters()).device
        counts = []
        for p, b in zip(self.problems, self.rhs):
            _, its, hist, _ = dcdm.dcdm(p.A, b, dcdm.network_preconditioner(net, p.A, p.shape, device),
                                        rtol=1e-4, maxit=self.maxit)
            counts.append(its if hist[-1] <= 1e-4 * hist[0] else 2 * self.maxit)
        net.train()
        if self.best is None or sum(counts) <= sum(self.best["iterations"]):   # ties: the later weights
            self.best = {"step": step, "iterations": counts,
                         "weights": {k: v.detach().clone() for k, v in net.state_dict().items()}}
        return counts


def progress(step, total, loss, rate, val, elapsed, tty):
    line = (f"step {step}/{total}  loss {loss:.4e}  val {val:.4e}  "
            f"{rate:.1f} samples/s  {elapsed / 60:.1f} min")
    if tty:
        width = 24
        done = int(width * step / max(total, 1))
        sys.stderr.write("\r[" + "#" * done + "." * (width - done) + "] " + line)
        sys.stderr.flush()
    else:
        print(line, flush=True)


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problem", action="append", required=True,
                    help="KIND:NX,NY[,NZ][:neumann] (KIND none, disc, box) or FILE.h5[:GROUP]; repeat for several")
    ap.add_argument("--arch", choices=("vcycle", "unet", "paper"), default="vcycle")
    ap.add_argument("--width", type=int, default=8, help="channels (vcycle, unet)")
    ap.add_argument("--mix-kernel", type=int, default=3,
                    help="vcycle: kernel of the convolution applied to the upsampled coarse correction")
    ap.add_argument("--mix-gain", type=float, default=0.0,
                    help="vcycle: start the mixing convolution as this gain times a per-channel box filter "
                         "(0: random initialisation)")
    ap.add_argument("--gated", action="store_true",
                    help="vcycle: read the solid-cell geometry and gate the smoothing convolutions with it")
    ap.add_argument("--hybrid-levels", type=int, default=0,
                    help="operator-smoothed hybrid directions (train/hybrid.py): the network runs this many "
                         "2x coarsenings below the operator's grid (0: the network alone, at full resolution)")
    ap.add_argument("--hybrid-sweeps", type=int, default=2, help="hybrid: damped-Jacobi sweeps before and after")
    ap.add_argument("--hybrid-damping", type=float, default=0.8, help="hybrid: Jacobi damping")
    ap.add_argument("--hybrid-coarse-iterations", type=hybrid.parse_coarse_iterations, default=1,
                    help="hybrid: flexible-CG steps on each coarse level, one number or one per level "
                         "(1: a V-cycle, 2: a K-cycle)")
    ap.add_argument("--coarsest", type=int, default=2, help="vcycle: smallest grid extent of the deepest level")
    ap.add_argument("--levels", type=int, default=4, help="unet: pooling levels")
    ap.add_argument("--bias", action="store_true", help="train the convolution biases (default: fixed at zero)")
    ap.add_argument("--paper-size", type=int, choices=(64, 128), default=64, help="paper: 64 or 128 variant")
    ap.add_argument("--lanczos-steps", type=int, default=600)
    ap.add_argument("--ritz-cache", default="", help="directory keeping the Ritz pairs between runs")
    ap.add_argument("--low-fraction", type=float, default=0.5, help="fraction of the Ritz vectors weighted up")
    ap.add_argument("--low-weight", type=float, default=9.0)
    ap.add_argument("--power", type=float, default=0.0,
                    help="extra weight (theta_min/theta_j)^power on Ritz vector j (0: the paper's recipe)")
    ap.add_argument("--unroll", type=int, default=1,
                    help="DCDM steps the loss is taken over (1: the paper's loss on b alone)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--steps", type=int, default=2000, help="number of batches (upper bound with --minutes)")
    ap.add_argument("--minutes", type=float, default=0.0, help="stop after this much training time (0: no limit)")
    ap.add_argument("--val-samples", type=int, default=32, help="held-out samples per problem")
    ap.add_argument("--val-every", type=int, default=100)
    ap.add_argument("--select", action="append", default=[],
                    help="problem (as --problem) on which DCDM iterations are counted for model selection; "
                         "the weights with the fewest iterations are written; repeat for several")
    ap.add_argument("--select-rhs", choices=("smooth", "random"), default="smooth",
                    help="right-hand side of the selection solves")
    ap.add_argument("--select-every", type=int, default=500, help="steps between model-selection solves")
    ap.add_argument("--checkpoint", default="", help="checkpoint file (written every --val-every steps)")
    ap.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch default)")
    ap.add_argument("--device", default="auto", help="auto (GPU when present), cpu, cuda, cuda:N")
    ap.add_argument("--init-from", default="",
                    help="start from the weights of this model file (same architecture), e.g. to fine-tune a "
                         "shipped model on other operators or larger grids")
    ap.add_argument("--stop-at", type=int, default=0,
                    help="end this run after this step (checkpointed) without changing the schedule; --resume continues")
    ap.add_argument("--out", required=True, help="Krylearn model file to write")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)

    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    probs = [problems.load(s) for s in args.problem]
    dims = {len(p.shape) for p in probs}
    if len(dims) != 1:
        raise SystemExit("all problems must have the same dimension")
    dim = dims.pop()

    net = build_network(args, dim)
    start = None
    if args.init_from:
        start = krylearn_model.load(args.init_from)
        if start.description["graphs"] != net.description["graphs"] or \
                start.description.get("geometry") != net.description.get("geometry"):
            raise SystemExit(f"--init-from {args.init_from}: its network differs from the one asked for "
                             f"({start.description['name']} vs {net.description['name']})")
        with torch.no_grad():
            for name, w in start.weights.items():
                net.weights[name].copy_(w)
    net = net.to(device)
    sets = [TrainingSet(p, args, device, args.seed + i) for i, p in enumerate(probs)]
    for s in sets:
        print(f"{s.problem.name}: {s.ritz_count} Ritz vectors in [{s.ritz_range[0]:.3g}, {s.ritz_range[1]:.3g}], "
              f"Lanczos {s.lanczos_seconds:.1f} s", flush=True)
    vgen = torch.Generator().manual_seed(10_000 + args.seed)
    validation = [s.sampler.sample(args.val_samples, vgen) for s in sets]
    gen = torch.Generator().manual_seed(args.seed)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=args.lr)
    state = {"step": 0, "elapsed": 0.0, "train_loss": [], "val_loss": [], "val_step": []}
    if args.resume:
        if not (args.checkpoint and os.path.exists(args.checkpoint)):
            raise SystemExit(f"--resume: no checkpoint '{args.checkpoint}'")
        ck = torch.load(args.checkpoint)
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        gen.set_state(ck["generator"])
        torch.set_rng_state(ck["torch_rng"])
        state = ck["state"]
        print(f"resumed from {args.checkpoint} at step {state['step']}", flush=True)

    def validate():
        net.eval()
        with torch.no_grad():
            v = float(np.mean([s.loss(net, b, args.unroll).item() for s, b in zip(sets, validation)]))
        net.train()
        return v

    def save_checkpoint():
        if args.checkpoint:
            torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "generator": gen.get_state(),
                        "torch_rng": torch.get_rng_state(), "state": state, "args": vars(args)},
                       args.checkpoint + ".tmp")
            os.replace(args.checkpoint + ".tmp", args.checkpoint)

    selection = Selection(args.select, args.select_rhs) if args.select else None
    tty = sys.stderr.isatty()
    val = state["val_loss"][-1] if state["val_loss"] else validate()
    budget = args.minutes * 60
    window, samples, t_window = [], 0, time.perf_counter()
    t0 = time.perf_counter() - state["elapsed"]
    while state["step"] < args.steps and not (budget and state["elapsed"] >= budget) and \
            not (args.stop_at and state["step"] >= args.stop_at):
        frac = max(state["step"] / args.steps, state["elapsed"] / budget if budget else 0.0)
        for g in opt.param_groups:
            g["lr"] = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        s = sets[state["step"] % len(sets)]
        b = s.sampler.sample(args.batch, gen)
        loss = s.loss(net, b, args.unroll)
        opt.zero_grad()
        loss.backward()
        opt.step()
        state["step"] += 1
        state["elapsed"] = time.perf_counter() - t0
        window.append(loss.item())
        samples += args.batch
        if state["step"] % args.val_every == 0 or state["step"] == args.steps or \
                (budget and state["elapsed"] >= budget):
            val = validate()
            state["train_loss"].append(float(np.mean(window)))
            state["val_loss"].append(val)
            state["val_step"].append(state["step"])
            rate = samples / (time.perf_counter() - t_window)
            progress(state["step"], args.steps, state["train_loss"][-1], rate, val, state["elapsed"], tty)
            window, samples, t_window = [], 0, time.perf_counter()
            save_checkpoint()
        if selection and (state["step"] % args.select_every == 0 or state["step"] == args.steps or
                          (budget and state["elapsed"] >= budget)):
            counts = selection(net, state["step"])
            print(f"selection at step {state['step']}: DCDM iterations {counts} "
                  f"(best {selection.best['iterations']} at step {selection.best['step']})", flush=True)
    if tty:
        sys.stderr.write("\n")
    save_checkpoint()

    meta = {
        "trained_grid": [list(p.shape[::-1]) for p in probs][0] if len(probs) == 1 else
                        np.array([list(p.shape[::-1]) + [0] * (3 - dim) for p in probs]),
        "operator": "; ".join(p.name for p in probs) +
                    " (pressure-Poisson convention: unscaled 2*dim-point stencil, Dirichlet domain boundary,"
                    " Neumann solid cells with identity rows)",
        "training_data": f"Ritz vectors from {args.lanczos_steps}-step Lanczos with full reorthogonalisation, "
                         f"null space dropped; b = sum c_j q_j, c_j ~ N(0,1), lowest {args.low_fraction:g} "
                         f"of the spectrum weighted x{args.low_weight:g}, "
                         f"times (theta_min/theta_j)^{args.power:g}, normalised; batch {args.batch}, "
                         f"{args.val_samples} held-out samples per problem; seed {args.seed}",
        "loss": "mean || b - (p.b / p.Ap) A p ||^2" if args.unroll == 1 else
                f"mean over {args.unroll} unrolled DCDM steps (2 A-orthogonalised directions) of "
                "|| r_k+1 ||^2 / || r_k ||^2, r_0 = b",
        "optimizer": f"Adam lr {args.lr:g}, cosine decay to {0.05 * args.lr:g}",
        "loss_history": np.array(state["train_loss"]),
        "val_loss_history": np.array(state["val_loss"]),
        "loss_history_step": np.array(state["val_step"]),
        "training_steps": int(state["step"]),
        "training_seconds": float(state["elapsed"]),
        "training_device": f"{device} ({torch.get_num_threads()} threads)" if device == "cpu" else
                           f"{device} ({torch.cuda.get_device_name(device)})",
        "training_command": " ".join(["train/train_dcdm.py"] + (sys.argv[1:] if argv is None else list(argv))),
        "architecture": json.dumps({"arch": args.arch, "width": args.width, "coarsest": args.coarsest,
                                    "mix_kernel": args.mix_kernel, "mix_gain": args.mix_gain, "gated": args.gated,
                                    "levels": args.levels, "paper_size": args.paper_size,
                                    "bias": args.bias, "hybrid_levels": args.hybrid_levels,
                                    "hybrid_sweeps": args.hybrid_sweeps, "hybrid_damping": args.hybrid_damping,
                                    "hybrid_coarse_iterations": args.hybrid_coarse_iterations}),
        "weights": int(krylearn_model.num_weights(net)),
    }
    if start is not None:   # the model trained on keeps the record of its own training
        meta["initialised_from"] = args.init_from
        for key in ("training_command", "training_seconds", "training_steps", "training_device", "operator"):
            if key in start.metadata:
                meta[f"initial_{key}"] = start.metadata[key]
    if selection:
        net.load_state_dict(selection.best["weights"])
        meta["selected_step"] = int(selection.best["step"])
        meta["selection"] = "; ".join(
            f"{p.name}: " + (f"{n} DCDM iterations" if n <= selection.maxit else f"not converged in {selection.maxit}")
            + f" to rtol 1e-4 ({selection.kind} rhs)" for p, n in zip(selection.problems, selection.best["iterations"]))
    krylearn_model.save(net.cpu(), args.out, meta)
    print(f"wrote {args.out}: {meta['weights']} weights, {state['step']} steps in {state['elapsed']:.0f} s "
          f"on {meta['training_device']}, final loss {state['train_loss'][-1]:.4e}, "
          f"validation {state['val_loss'][-1]:.4e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
