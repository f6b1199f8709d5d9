r"""Declaration of a deeper random-feature model: two random linear layers, ``phi = v u x``.

``x`` (``M x T``, columns ``N(0, Lambda)``) and ``xhat`` (``M x That``) as in the random-feature model;
``u`` (``N1 x M``, entries ``N(0, sigma_u^2/M)``) and ``v`` (``N x N1``, entries ``N(0, sigma_v^2/N1)``)
are the two layers, so ``phi = v u x`` and ``phihat = v u xhat``.  Ridge regression on ``phi`` with the
teacher averaged analytically gives

    <L> = C sigma_w^2/(2 M That) <tr(A^T A)>,   A = x (gamma + phi^T phi)^-1 phi^T phihat - xhat.

Index spaces: feature (``N``, solid), hidden (``N1``, dash-dotted), train (``T``, dashed),
test (``That``, dotted), latent (``M``, wavy).

>>> MODEL.name, sorted(MODEL.matrices)
('deep-random-features', ['u', 'v', 'x', 'xhat'])
"""

from __future__ import annotations

from diagrams.models.declaration import Model

__all__ = ["MODEL", "declare"]


def declare() -> Model:
    """The two-layer random-feature model as a :class:`~diagrams.models.declaration.Model`.
    Examples
    --------
    >>> m = declare()
    >>> m.name, [p.name for p in m.parameters][:4]
    ('deep-random-features', ['N', 'N1', 'T', 'That'])
    """
    m = Model("deep-random-features", "ridge regression on two random linear layers, phi = v u x "
              "(u: N1 x M, v: N x N1)")
    m.integer("N", "number of features (width of the second layer)")
    m.integer("N1", "width of the first random layer")
    m.integer("T", "number of training samples")
    That = m.integer("That", "number of test samples", default=1)
    m.spectrum("spectrum", "eigenvalues of the data covariance Lambda; M = their number", "latent",
               power_law=("--alpha", "--M", "--lambda-plus"))
    su = m.number("sigma_u2", "variance of the first layer (entries N(0, sigma_u2/M))", default=1,
                  minimum=0, strict_minimum=True)
    sv = m.number("sigma_v2", "variance of the second layer (entries N(0, sigma_v2/N1))", default=1,
                  minimum=0, strict_minimum=True)
    sw = m.number("sigma_w2", "variance of the teacher weights (entries N(0, sigma_w2/M))", default=1,
                  minimum=0, strict_minimum=True)
    C = m.integer("C", "label dimension", default=1)
    feature = m.space("feature", "N", "solid")
    hidden = m.space("hidden", "N1", "dashdotted")
    train = m.space("train", "T", "dashed")
    test = m.space("test", "That", "dotted")
    latent = m.space("latent", "M", "wavy")
    M, N1 = latent.size, hidden.size
    m.covariance("Lambda", latent, spectrum="spectrum")
    m.covariance("Sigma", latent, scalar=su / M)
    m.covariance("Sigma1", hidden, scalar=sv / N1)
    u = m.gaussian("u", hidden, latent, col_cov="Sigma")
    v = m.gaussian("v", feature, hidden, col_cov="Sigma1")
    x = m.gaussian("x", latent, train, row_cov="Lambda")
    xhat = m.gaussian("xhat", latent, test, row_cov="Lambda", latex=r"\hat{x}")
    phi, phihat = v @ u @ x, v @ u @ xhat
    m.quadratic(C * sw / (2 * M * That), x @ m.resolvent(phi.T @ phi) @ phi.T @ phihat - xhat, label="test loss")
    m.notation.update({"observable": r"\langle \hat{L} \rangle", "That": r"\hat{T}", "sigma_u2": r"\sigma_u^2", "sigma_v2": r"\sigma_v^2",
                       "sigma_w2": r"\sigma_w^2", "Sigma1": r"\Sigma_1", "N1": "N_1"})
    m.check_values = {"N": 3, "N1": 4, "T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9"]}
    return m


MODEL = declare()
