r"""Long spectra replaced by a quadrature: two nodes per narrow bin matching its moments 0, 1, 2.

Sums over a spectrum ``sum_I f(lambda_I)`` of smooth functions (the traces of the planar Dyson equation
and of its finite-size correction) cost one pass over M eigenvalues; for M in the millions a
compressed copy -- a two-point Gauss rule per bin 1/16 of an octave wide -- gives the same sums to
about 1e-8 relative with a few hundred nodes.  Used for starting points and continuations (the final
evaluation runs on the full spectrum) and, optionally, for the 1/N correction.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

__all__ = ["compress_spectra", "COMPRESS_ABOVE"]

#: Spectra longer than this are compressed by default.
COMPRESS_ABOVE = 4096


def compress_spectra(spec: Mapping, per_octave: int = 16, above: int | None = None) -> tuple[dict, dict]:
    """Long spectra replaced by a quadrature, two nodes per narrow bin matching its moments 0, 1 and 2.

    The eigenvalues of a space with more than ``above`` of them are sorted and binned by the value of
    its first spectrum (``1/per_octave`` of an octave per bin), and each bin is replaced by two nodes
    carrying half its count each, at its mean plus or minus its standard deviation (the two-point rule
    matching the moments 0, 1 and 2 of the bin); the other spectra of the space are fitted linearly in
    the first within the bin.  A trace ``sum_I f(lambda_I)`` of a smooth ``f`` changes by ``O(h^4)``
    per bin, ``h`` ~ 4 % of the eigenvalue.  A space whose first spectrum (in sorted order of the names)
    is short, or not positive, is returned as it is, without weights.

    Parameters
    ----------
    spec : mapping
        ``{space: {name: 1-D array of eigenvalues}}``, all arrays of a space of the same length (the
        spectra of a trace-program context).
    per_octave : int, optional
        Bins per octave of the first spectrum.
    above : int, optional
        Compress only spaces with more than this many eigenvalues (default :data:`COMPRESS_ABOVE`).

    Returns
    -------
    spectra : dict
        ``{space: {name: array}}``: the compressed nodes, or the input arrays of a space left as it is.
    weights : dict
        ``{space: array}``: the weight of each node, for the compressed spaces only; the weights of a
        space sum to its number of eigenvalues.

    Examples
    --------
    >>> lam = np.arange(1, 10001, dtype=float) ** -2.0
    >>> small, w = compress_spectra({"latent": {"Lambda": lam}})
    >>> len(small["latent"]["Lambda"]) < 1000, float(w["latent"].sum())
    (True, 10000.0)
    >>> f = lambda x: x / (1 + 50 * x)
    >>> bool(abs(np.dot(w["latent"], f(small["latent"]["Lambda"])) / f(lam).sum() - 1) < 1e-6)
    True
    >>> compress_spectra({"latent": {"Lambda": lam[:10]}})[1]
    {}
    """
    above = COMPRESS_ABOVE if above is None else above
    out, weights = {}, {}
    for space, arrays in spec.items():
        names = sorted(arrays)
        if not names or len(arrays[names[0]]) <= above:
            out[space] = arrays
            continue
        primary = np.asarray(arrays[names[0]], dtype=float).ravel()
        order = None if np.all(np.diff(primary) <= 0) else np.argsort(-primary, kind="stable")
        p = primary if order is None else primary[order]
        if not p[-1] > 0:
            out[space] = arrays
            continue
        M = p.size
        K = int(math.ceil(math.log2(p[0] / p[-1]) * per_octave)) + 1
        thresholds = p[0] * np.exp2(-np.arange(K + 1) / per_octave)
        starts = np.unique(M - np.searchsorted(p[::-1], thresholds, side="right"))
        starts = starts[starts < M]
        if starts[0] != 0:
            starts = np.concatenate(([0], starts))
        counts = np.diff(np.append(starts, M)).astype(float)
        m1 = np.add.reduceat(p, starts) / counts
        m2 = np.add.reduceat(p * p, starts) / counts
        sd = np.sqrt(np.maximum(m2 - m1 * m1, 0.0))
        comp = {names[0]: np.concatenate([m1 - sd, m1 + sd])}
        for name in names[1:]:
            a = np.asarray(arrays[name], dtype=float).ravel()
            a = a if order is None else a[order]
            ma = np.add.reduceat(a, starts) / counts
            cov = np.add.reduceat(a * p, starts) / counts - ma * m1
            slope = np.where(sd > 0, cov / np.where(sd > 0, sd * sd, 1.0), 0.0)
            comp[name] = np.concatenate([ma - slope * sd, ma + slope * sd])
        out[space] = comp
        weights[space] = np.concatenate([counts / 2, counts / 2])
    return out, weights
