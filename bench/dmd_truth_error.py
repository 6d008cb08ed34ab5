#!/usr/bin/python3
"""Error of a saved DMD model's states against noise-free snapshots.

Usage: dmd_truth_error.py MODEL.h5 CLEAN.h5 [NOISY.h5]
MODEL.h5 is written by `snapflow dmd -dmd_save_modes` from noisy snapshots; CLEAN.h5 holds
the same case without the noise (e.g. `synth province ... -noise 0`). Prints the relative
error of the model's state at every snapshot time against the clean snapshots (mean, max),
and, with NOISY.h5, the noise itself (the noisy snapshots against the clean ones): a fit
below the noise level has removed noise. States are blended across window overlaps as
snapflow does (smoothstep weights over the shared span).
"""
import sys

import h5py
import numpy as np


def windows(model):
    g = model["dmd"]
    names = sorted(k for k in g if k.startswith("window_"))
    parts = []
    for name in names or [None]:
        w = g[name] if name else g
        modes = w["modes"][()].astype(np.float64)
        phi = (modes[..., 0] + 1j * modes[..., 1]).reshape(modes.shape[0], -1)
        b = w["amplitude"][:, 0] + 1j * w["amplitude"][:, 1]
        omega = w["omega"][:, 0] + 1j * w["omega"][:, 1]
        parts.append(dict(phi=phi, b=b, omega=omega, t0=w.attrs["t0"], dt=w.attrs["dt"],
                          count=w.attrs.get("snapshots", 0),
                          owned_to=w.attrs.get("owned_to", np.inf)))
    return parts


def state(parts, t):
    def one(p):
        return np.real((p["b"] * np.exp(p["omega"] * (t - p["t0"]))) @ p["phi"])
    k = next((i for i, p in enumerate(parts) if t < p["owned_to"]), len(parts) - 1)
    for later in (k, k + 1):
        if 0 < later < len(parts):
            a, b = parts[later - 1], parts[later]
            start, end = b["t0"], a["t0"] + (a["count"] - 1) * a["dt"]
            if end > start and start < t < end:
                s = (t - start) / (end - start)
                w = s * s * (3 - 2 * s)
                return (1 - w) * one(a) + w * one(b)
    return one(parts[k])


def relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def main(model_path, clean_path, noisy_path=None):
    with h5py.File(model_path, "r") as m, h5py.File(clean_path, "r") as c:
        parts = windows(m)
        times = c["time"][()]
        errors = [relative(state(parts, t), c["density"][k].ravel()) for k, t in enumerate(times)]
        print("model vs clean snapshots: mean %.4f, max %.4f" % (np.mean(errors), np.max(errors)))
        if noisy_path:
            with h5py.File(noisy_path, "r") as n:
                noise = [relative(n["density"][k].ravel(), c["density"][k].ravel())
                         for k in range(len(times))]
            print("noisy vs clean snapshots: mean %.4f, max %.4f" % (np.mean(noise), np.max(noise)))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
