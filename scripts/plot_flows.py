#!/usr/bin/python3
"""Arrows of the recovered flow over the density of one frame of a `snapflow run` output, like
the seed paper's figures.

Usage: plot_flows.py RUN.h5 [-frame F | -time SECONDS] [-o PLOT.png] [-stride S] [-truth IN.h5]

-frame picks a frame by number (default: the frame with the most moved mass), -time the frame
that contains that time. Arrows show /frames/velocity where there is mass (every S-th cell,
S chosen for ~40 arrows across by default); their length is the distance travelled in one
frame. -truth adds the known /truth/velocity of a synthetic input at the frame's middle, for
comparison. Runs on Debian's python3 (numpy, h5py, matplotlib).
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], prefix_chars="-")
    p.add_argument("run")
    p.add_argument("-frame", type=int)
    p.add_argument("-time", type=float)
    p.add_argument("-o", default=None)
    p.add_argument("-stride", type=int, default=0)
    p.add_argument("-truth", default=None)
    return p.parse_args()


def main():
    args = parse()
    with h5py.File(args.run, "r") as f:
        if f.attrs.get("complete") != 1:
            print(f"{args.run}: warning: the run is not complete (attribute complete = 0)",
                  file=sys.stderr)
        times = f["frames/time"][()]
        done = f["frames/done"][()]
        frames = len(times) - 1
        if args.frame is not None:
            frame = args.frame
        elif args.time is not None:
            frame = int(np.clip(np.searchsorted(times, args.time, side="right") - 1, 0, frames - 1))
        else:
            moved = [f["frames/flow"][k].sum() - f["frames/flow"][k][..., 4].sum() if done[k] else -1
                     for k in range(frames)]
            frame = int(np.argmax(moved))
        if not 0 <= frame < frames:
            sys.exit(f"{args.run}: frame {frame} does not exist (0..{frames - 1})")
        if not done[frame]:
            sys.exit(f"{args.run}: frame {frame} has not been computed yet")
        density = 0.5 * (f["frames/density"][frame] + f["frames/density"][frame + 1])
        velocity = f["frames/velocity"][frame]
        dx, dy = float(f.attrs["dx"]), float(f.attrs["dy"])
        x0, y0 = float(f.attrs.get("x0", 0.0)), float(f.attrs.get("y0", 0.0))
        units = f.attrs.get("units", b"mass")
        units = units.decode() if isinstance(units, bytes) else str(units)
    t0, t1 = times[frame], times[frame + 1]
    ny, nx = density.shape
    stride = args.stride or max(1, max(nx, ny) // 40)
    xs = x0 + (np.arange(nx) + 0.5) * dx
    ys = y0 + (np.arange(ny) + 0.5) * dy
    fig, ax = plt.subplots(figsize=(8, 8 * ny * dy / (nx * dx) + 0.8))
    image = ax.imshow(np.maximum(density, 0), origin="lower", cmap="viridis",
                      extent=(x0, x0 + nx * dx, y0, y0 + ny * dy))
    fig.colorbar(image, ax=ax, label=f"density ({units}), mean over the frame", shrink=0.8)
    sel = (slice(0, ny, stride), slice(0, nx, stride))
    X, Y = np.meshgrid(xs, ys)
    has_mass = density[sel] > 1e-3 * max(density.max(), 1e-300)
    duration = t1 - t0
    U, V = velocity[sel][..., 0] * duration, velocity[sel][..., 1] * duration
    ax.quiver(X[sel][has_mass], Y[sel][has_mass], U[has_mass], V[has_mass], color="white",
              angles="xy", scale_units="xy", scale=1.0 / stride, width=0.003,
              label="recovered (x stride)")
    if args.truth:
        with h5py.File(args.truth, "r") as g:
            tt = g["time"][()]
            k = int(np.clip(np.searchsorted(tt, 0.5 * (t0 + t1)) - 1, 0, len(tt) - 1))
            truth = g["truth/velocity"][k]
        ax.quiver(X[sel][has_mass], Y[sel][has_mass], truth[sel][..., 0][has_mass] * duration,
                  truth[sel][..., 1][has_mass] * duration, color="red", angles="xy",
                  scale_units="xy", scale=1.0 / stride, width=0.002, alpha=0.7,
                  label="truth (x stride)")
        ax.legend(loc="upper right")
    ax.set_title(f"{args.run}: frame {frame}, t = {t0:g} .. {t1:g} s; arrows: displacement "
                 f"over the frame x {stride}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    out = args.o or args.run.rsplit(".", 1)[0] + f"_frame{frame}.png"
    fig.savefig(out, dpi=110, bbox_inches="tight")
    print(f"plot_flows: wrote {out} (frame {frame} of {frames})")


if __name__ == "__main__":
    main()
