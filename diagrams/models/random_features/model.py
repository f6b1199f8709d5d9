"""Declaration of the random-feature model of Maloney, Roberts and Sully (paper Sec. II).

Index spaces (REFERENCE Sec. 1): feature (N, solid), train sample (T, dashed), test sample
(T̂, dotted), latent (M, wavy).  Gaussian matrices:

=========  ==================  =====================================================
matrix     shape               covariance
=========  ==================  =====================================================
``x``      latent x train      ``<x_Ia x_Jb> = Lambda_IJ delta_ab``      (Eq. 5)
``xhat``   latent x test       ``<xhat_Ia xhat_Jb> = Lambdahat_IJ delta_ab``
``u``      feature x latent    ``<u_jI u_kJ> = delta_jk Sigma_IJ``       (Eq. 12)
=========  ==================  =====================================================

with ``Sigma = (sigma_u^2/M) 1`` and numerically ``Lambdahat = Lambda``; the symbols stay separate in
symbolic work.  The teacher ``w`` is averaged out analytically (REFERENCE Sec. 3).

>>> x
GaussianMatrix('x', latent x train, cov=(Lambda, 1))
>>> sorted(MATRICES)
['u', 'x', 'xhat']
"""

from __future__ import annotations

import sympy

from diagrams.engine.matrices import GaussianMatrix
from diagrams.engine.spaces import Space

__all__ = [
    "FEATURE", "TRAIN", "TEST", "LATENT", "SPACES",
    "u", "x", "xhat", "MATRICES",
    "N", "T", "That", "M", "gamma", "sigma_u2", "sigma_w2", "C",
]

FEATURE = Space("feature", "N", "solid")
TRAIN = Space("train", "T", "dashed")
TEST = Space("test", "That", "dotted")
LATENT = Space("latent", "M", "wavy")
SPACES = (FEATURE, TRAIN, TEST, LATENT)

N, T, That, M = FEATURE.size, TRAIN.size, TEST.size, LATENT.size
gamma = sympy.Symbol("gamma", positive=True)
sigma_u2 = sympy.Symbol("sigma_u2", positive=True)
sigma_w2 = sympy.Symbol("sigma_w2", positive=True)
C = sympy.Symbol("C", positive=True)

u = GaussianMatrix("u", FEATURE, LATENT, col_cov="Sigma")
x = GaussianMatrix("x", LATENT, TRAIN, row_cov="Lambda")
xhat = GaussianMatrix("xhat", LATENT, TEST, row_cov="Lambdahat", latex=r"\hat{x}")
MATRICES = {m.name: m for m in (u, x, xhat)}
