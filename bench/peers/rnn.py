"""PyTorch's nn.LSTM and nn.GRU, the peers of mixir's LSTM and GRU cells
(examples/lstm.mlir, examples/gru.mlir scaled to hidden size H), at B=1.

mixir's kernels take the gates' input projections precomputed (xg); nn.LSTM
and nn.GRU compute them inside. So this times the whole module on a
[1, T, H] input and, separately, its input projection (x W_ihᵀ + b_ih, one
matmul over all steps), and prints the median of each and their difference,
the recurrent part that mixir's kernel does:
    RECURRENT_SECONDS FULL_SECONDS
Usage: rnn.py --cell lstm|gru --T T --H H [--reps N] [--threads N]
"""
import argparse

import torch

from timing import median_seconds


def warm_median_seconds(call, reps):
    call()  # warm-up
    return median_seconds(call, reps)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cell", required=True, choices=["lstm", "gru"])
    p.add_argument("--T", type=int, required=True)
    p.add_argument("--H", type=int, required=True)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    module = (torch.nn.LSTM if args.cell == "lstm" else torch.nn.GRU)(
        args.H, args.H, batch_first=True)
    x = torch.rand(1, args.T, args.H) - 0.5
    with torch.no_grad():
        full = warm_median_seconds(lambda: module(x), args.reps)
        projection = warm_median_seconds(
            lambda: torch.nn.functional.linear(x, module.weight_ih_l0,
                                               module.bias_ih_l0), args.reps)
    print("%.6f %.6f" % (max(full - projection, 0.0), full))


if __name__ == "__main__":
    main()
