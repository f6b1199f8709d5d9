r"""Declaration of ridge regression on Gaussian data, the classical linear model.

Train inputs ``x`` (``M x T``, columns ``N(0, Lambda)``), test inputs ``xhat`` (``M x That``, same
covariance), teacher ``w`` (``C x M``, entries ``N(0, sigma_w^2/M)``), labels ``y = w x``.  Ridge
regression directly on the inputs gives ``theta* = y x^T (x x^T + gamma)^-1`` and the test loss
``||theta* xhat - w xhat||^2/(2 That)``.  Averaging the teacher analytically,

    <L> = C sigma_w^2/(2 M That) <tr(A^T A)>,   A = x (gamma + x^T x)^-1 x^T xhat - xhat

(the push-through identity ``x^T (x x^T + gamma)^-1 = (gamma + x^T x)^-1 x^T`` puts the resolvent on
the train space).  Its planar (large T, M) value is the deterministic equivalent of ridge regression
with anisotropic Gaussian covariates (Dobriban & Wager, Ann. Statist. 46 (2018); Hastie, Montanari,
Rosset & Tibshirani, Ann. Statist. 50 (2022)) -- see ``docs/models.md``.  It is also the N -> infinity
limit of the random-feature model with ridge ``gamma N sigma_u^2/M``.

>>> MODEL.name, sorted(MODEL.matrices)
('ridge', ['x', 'xhat'])
"""

from __future__ import annotations

from diagrams.models.declaration import Model, PowerLaw, Route, power_law_exact

__all__ = ["MODEL", "declare"]


def declare() -> Model:
    """Ridge regression as a :class:`~diagrams.models.declaration.Model`.
    Examples
    --------
    >>> m = declare()
    >>> m.name, [p.name for p in m.parameters][:4]
    ('ridge', ['T', 'That', 'spectrum', 'sigma_w2'])
    """
    m = Model("ridge", "ridge regression directly on Gaussian data, theta* = y x^T (x x^T + gamma)^-1 "
              "(deterministic equivalent: Dobriban-Wager 2018, Hastie et al. 2022)",
              reference="Dobriban & Wager, Ann. Statist. 46 (2018) 247; Hastie, Montanari, Rosset, "
                        "Tibshirani, Ann. Statist. 50 (2022) 949")
    m.integer("T", "number of training samples")
    That = m.integer("That", "number of test samples", default=1)
    m.spectrum("spectrum", "eigenvalues of the data covariance Lambda; M = their number", "latent",
               power_law=("--alpha", "--M", "--lambda-plus"))
    sw = m.number("sigma_w2", "variance of the teacher weights (entries N(0, sigma_w2/M))", default=1,
                  minimum=0, strict_minimum=True)
    C = m.integer("C", "label dimension", default=1)
    train = m.space("train", "T", "dashed")
    test = m.space("test", "That", "dotted")
    latent = m.space("latent", "M", "wavy")
    M = latent.size
    m.covariance("Lambda", latent, spectrum="spectrum")
    x = m.gaussian("x", latent, train, row_cov="Lambda")
    xhat = m.gaussian("xhat", latent, test, row_cov="Lambda", latex=r"\hat{x}")
    m.quadratic(C * sw / (2 * M * That), x @ m.resolvent(x.T @ x) @ x.T @ xhat - xhat, label="test loss")
    m.notation.update({"observable": r"\langle \hat{L} \rangle", "That": r"\hat{T}", "sigma_w2": r"\sigma_w^2"})
    m.check_values = {"T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9", "1/16"]}
    m.routes.append(Route("deterministic equivalent (R2)",
                          "Dobriban & Wager 2018; Hastie, Montanari, Rosset, Tibshirani 2022 (Thm. 5)",
                          series_exact=_series_exact, value_mp=_value_mp, evaluate=_evaluate))
    return m


def _spec(values):
    s = values["spectrum"]
    return power_law_exact(s) if isinstance(s, PowerLaw) else s


def _series_exact(order, values):
    from diagrams.models.ridge.deterministic import ridge_loss_series_exact

    return ridge_loss_series_exact(order, values["T"], _spec(values), values.get("sigma_w2", 1), values.get("C", 1))


def _value_mp(values, gamma, dps):
    from diagrams.models.ridge.deterministic import ridge_loss_mp

    return ridge_loss_mp(values["T"], gamma, _spec(values), values.get("sigma_w2", 1), values.get("C", 1), dps=dps)



def _evaluate(values, gammas, dps=None):
    from diagrams.models.ridge.deterministic import ridge_loss, ridge_loss_mp

    spec = values["spectrum"]
    args = (values.get("sigma_w2", 1), values.get("C", 1))
    if dps is None:
        lam = spec.floats() if isinstance(spec, PowerLaw) else [float(v) for v in spec]
        rows = [{"loss": ridge_loss(values["T"], float(g), lam, *args), "gamma": float(g)} for g in gammas]
    else:
        rows = [{"loss": ridge_loss_mp(values["T"], g, _spec(values), *args, dps=dps), "gamma": g} for g in gammas]
    for r in rows:
        r["observable"] = r["loss"]
    return rows


MODEL = declare()
