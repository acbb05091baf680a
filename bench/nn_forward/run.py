"""Network inference, C runtime (oneDNN) versus PyTorch, side by side in one run.

usage: run.py [--threads T] [--repeat K] [--quick]

For each case the same network (random weights) is saved in the Krylearn format and
timed in the C runtime (build/bench/nn_forward/nn_forward, OMP_NUM_THREADS=T) and in
PyTorch (torch.set_num_threads(T), torch.no_grad(), default allocator settings), each
with one warm-up application. Ratio = C time / PyTorch time (best of K; below 1: C faster).
"""
import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "train"))
import krylearn_model as km  # noqa: E402

CASES = [  # name, builder, grid (nz,) ny, nx
    ("DCDM paper 2-D", lambda: km.dcdm_paper(2, 64), (256, 256)),
    ("DCDM paper 2-D", lambda: km.dcdm_paper(2, 64), (1024, 1024)),
    ("DCDM paper 3-D", lambda: km.dcdm_paper(3, 64), (32, 32, 32)),
    ("DCDM paper 3-D", lambda: km.dcdm_paper(3, 64), (64, 64, 64)),
    ("U-Net 2-D w8 l4", lambda: km.unet(2, width=8, levels=4), (512, 512)),
    ("V-cycle 2-D w8", lambda: km.vcycle(2, width=8), (512, 512)),
]


def blas():
    try:
        out = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        return re.search(r"^Value: (.*)$", out, re.M).group(1)
    except (OSError, AttributeError):
        return "unknown"


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            return re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        return platform.processor()


def dnnl_version():
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libdnnl-dev"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    return out or "unknown"


def time_torch(net, shape, repeat):
    x = torch.randn((1, 1) + shape)
    with torch.no_grad():
        net(x)
        ts = []
        for _ in range(repeat):
            t = time.perf_counter()
            net(x)
            ts.append(time.perf_counter() - t)
    return min(ts), sum(ts) / len(ts)


def time_c(path, shape, repeat, threads):
    exe = os.path.join(ROOT, "build", "bench", "nn_forward", "nn_forward")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    r = subprocess.run([exe, "-model", path, "-n", ",".join(map(str, shape[::-1])), "-repeat", str(repeat)],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    m = re.search(r"best ([0-9.e+-]+) mean ([0-9.e+-]+)", r.stdout)
    if r.returncode or not m:
        sys.exit(f"nn_forward failed:\n{r.stdout}")
    return float(m.group(1)), float(m.group(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="the smaller grid of each paper network only")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"# nn_forward: Krylearn C runtime (oneDNN {dnnl_version()}) vs PyTorch {torch.__version__}")
    print(f"# CPU: {cpu()}; threads: {args.threads} (OMP_NUM_THREADS for C, torch.set_num_threads for PyTorch)")
    print(f"# BLAS: {blas()}; PyTorch: no_grad, float32, batch 1, "
          f"MALLOC_MMAP_MAX_={os.environ.get('MALLOC_MMAP_MAX_', 'unset')}, "
          f"MALLOC_TRIM_THRESHOLD_={os.environ.get('MALLOC_TRIM_THRESHOLD_', 'unset')}")
    print(f"# best / mean of {args.repeat} applications after one warm-up; ratio = C / PyTorch")
    print(f"{'network':18s} {'grid':>14s} {'weights':>8s} {'C best ms':>10s} {'PT best ms':>11s} "
          f"{'ratio best':>10s} {'ratio mean':>10s}")
    cases = CASES[::2][:2] if args.quick else CASES
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, build, shape in cases:
            net = km.KrylearnNet(build())
            path = os.path.join(tmp, "model.h5")
            km.save(net, path)
            cb, cm = time_c(path, shape, args.repeat, args.threads)
            pb, pm = time_torch(net, shape, args.repeat)
            worst = max(worst, cb / pb)
            print(f"{name:18s} {'x'.join(map(str, shape)):>14s} {km.num_weights(net):8d} {1e3 * cb:10.1f} "
                  f"{1e3 * pb:11.1f} {cb / pb:10.2f} {cm / pm:10.2f}", flush=True)
    print(f"# largest ratio (best times): {worst:.2f}")


if __name__ == "__main__":
    main()
