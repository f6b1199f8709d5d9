r"""Declaration of the random-feature model of Maloney, Roberts and Sully (paper Sec. II).

Index spaces: feature (``N``, solid), train sample (``T``, dashed), test sample (``That``, dotted),
latent (``M``, wavy).  Gaussian matrices:

=========  ==================  =====================================================
matrix     shape               covariance
=========  ==================  =====================================================
``x``      latent x train      ``<x_Ia x_Jb> = Lambda_IJ delta_ab``      (Eq. 5)
``xhat``   latent x test       ``<xhat_Ia xhat_Jb> = Lambdahat_IJ delta_ab``
``u``      feature x latent    ``<u_jI u_kJ> = delta_jk Sigma_IJ``       (Eq. 12)
=========  ==================  =====================================================

with ``Sigma = (sigma_u^2/M) 1``, ``Lambda = diag(spectrum)`` and ``Lambdahat = diag(spectrum_test)``
(by default the same spectrum; a different one is a **covariate shift**).  The symbols ``Lambda``
and ``Lambdahat`` stay separate in symbolic work.

The teacher ``w`` (``C x M``, entries ``N(0, sigma_w^2/M)``) is averaged analytically (paper Eq. 20):
with ``phi = u x``, ``phihat = u xhat`` and ``Q = (gamma + phi^T phi)^-1`` (Eq. 18),

    <L> = C sigma_w^2/(2 M That) <tr(A^T A)>,       A = x Q phi^T phihat - xhat,

and label noise of variance ``sigma_eps^2`` on the training labels (App. A) adds
``C sigma_eps^2/(2 That) <tr(B^T B)>`` with ``B = Q phi^T phihat``.

>>> MODEL.name, [p.flag for p in MODEL.parameters][:4]
('random-features', ['--N', '--T', '--That', '--spectrum'])
>>> x
GaussianMatrix('x', latent x train, cov=(Lambda, 1))
>>> sorted(MATRICES)
['u', 'x', 'xhat']
"""

from __future__ import annotations

import sympy

from diagrams.models.declaration import Model, PowerLaw, Route

__all__ = [
    "MODEL", "declare",
    "FEATURE", "TRAIN", "TEST", "LATENT", "SPACES",
    "u", "x", "xhat", "MATRICES",
    "N", "T", "That", "M", "gamma", "sigma_u2", "sigma_w2", "C", "sigma_eps2",
    "q", "Q", "xi", "s",
]


def declare() -> Model:
    """The random-feature model as a :class:`~diagrams.models.declaration.Model`.
    Examples
    --------
    >>> m = declare()
    >>> m.name, [p.name for p in m.parameters][:4]
    ('random-features', ['N', 'T', 'That', 'spectrum'])
    """
    m = Model("random-features",
              "ridge regression on random features phi = u x of Gaussian data (Maloney-Roberts-Sully; "
              "Zhang 2024, Eq. 104); covariate shift with --spectrum-test/--alpha-test, label noise "
              "with --label-noise",
              reference="Zhang, arXiv:2405.19398 (2024); Maloney, Roberts, Sully, arXiv:2210.16859")
    m.integer("N", "number of features")
    m.integer("T", "number of training samples")
    That = m.integer("That", "number of test samples", default=1)
    m.spectrum("spectrum", "eigenvalues of the data covariance Lambda; M = their number", "latent",
               power_law=("--alpha", "--M", "--lambda-plus"))
    m.spectrum("spectrum_test", "eigenvalues of the test covariance Lambdahat (covariate shift; default "
               "the train spectrum)", "latent", default="spectrum", power_law=("--alpha-test", "--M", "--lambda-plus"))
    su = m.number("sigma_u2", "variance of the feature weights (entries N(0, sigma_u2/M))", default=1,
                  minimum=0, strict_minimum=True)
    sw = m.number("sigma_w2", "variance of the teacher weights (entries N(0, sigma_w2/M))", default=1,
                  minimum=0, strict_minimum=True)
    C = m.integer("C", "label dimension", default=1)
    s2 = m.number("label_noise", "variance sigma_eps^2 of Gaussian noise on the training labels (App. A)",
                  default=0, minimum=0, symbolic=False)
    feature = m.space("feature", "N", "solid")
    train = m.space("train", "T", "dashed")
    test = m.space("test", "That", "dotted")
    latent = m.space("latent", "M", "wavy")
    M = latent.size
    m.covariance("Lambda", latent, spectrum="spectrum")
    m.covariance("Lambdahat", latent, spectrum="spectrum_test")
    m.covariance("Sigma", latent, scalar=su / M)
    u = m.gaussian("u", feature, latent, col_cov="Sigma")
    x = m.gaussian("x", latent, train, row_cov="Lambda")
    xhat = m.gaussian("xhat", latent, test, row_cov="Lambdahat", latex=r"\hat{x}")
    phi, phihat = u @ x, u @ xhat
    Q = m.resolvent(phi.T @ phi)
    m.quadratic(C * sw / (2 * M * That), x @ Q @ phi.T @ phihat - xhat, label="test loss")
    m.quadratic(C * s2 / (2 * That), Q @ phi.T @ phihat, label="label noise")
    m.notation.update({"Lambdahat": r"\hat{\Lambda}", "That": r"\hat{T}", "sigma_u2": r"\sigma_u^2",
                       "sigma_w2": r"\sigma_w^2", "label_noise": r"\sigma_\epsilon^2"})
    # the symbols of the named formulas (diagrams.models.random_features.formulas) and the observable
    m.notation.update({"observable": r"\langle \hat{L} \rangle", "Lhat": r"\langle \hat{L} \rangle",
                       "q": r"\langle q \rangle", "Q": r"\langle Q \rangle", "xi": r"\xi", "Xi": r"\Xi",
                       "lambda_plus": r"\lambda_{+}", "c_alpha": r"c_{\alpha}", "r_c": r"r_{c}", "r_d": r"r_{d}'",
                       "Lhat_star": r"\langle \hat{L} \rangle_{\gamma^{*}}",
                       "Lhat_ridgeless": r"\langle \hat{L} \rangle_{\gamma \to 0}", "gamma_star": r"\gamma^{*}"})
    m.latex_expressions = _latex_expressions
    m.analyses = ("resum", "duality", "scaling")
    m.check_values = {"N": 3, "T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9", "1/16"]}
    m.routes.append(Route(
        "closed form, Eq. (104)", "Zhang 2024, arXiv:2405.19398, Eqs. 99, 104 and App. A (label noise)",
        series_exact=_series_exact, value_mp=_value_mp, series_symbolic=_series_symbolic,
        reduce=_reduce, applies=_applies, evaluate=_evaluate, optimum=_optimum))
    return m


def _latex_expressions() -> dict:
    from diagrams.models.random_features.formulas import latex_expressions

    return latex_expressions()


# -- the paper's closed form as an independent route (Eq. 104; label noise App. A) ----------------

def _applies(values) -> str | None:
    a, b = values.get("spectrum"), values.get("spectrum_test")
    if b is None or b is a:
        return None
    same = (a == b) if isinstance(a, PowerLaw) or isinstance(b, PowerLaw) else list(a) == list(b)
    return None if same else "Eq. 104 assumes Lambdahat = Lambda (no covariate shift)"


def _numbers(values):
    spec = values["spectrum"]
    if isinstance(spec, PowerLaw):
        from diagrams.models.declaration import power_law_exact

        spec = power_law_exact(spec)
    return (values["N"], values["T"], spec, values.get("sigma_u2", 1), values.get("sigma_w2", 1),
            values.get("C", 1), values.get("label_noise", 0))


def _series_exact(order, values) -> list:
    from diagrams.engine.numbers import read_fraction
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact
    from diagrams.models.random_features.noise import noise_series_exact

    N_, T_, spec, su, sw, C_, s2 = _numbers(values)
    out = [read_fraction(c, "coefficient") for c in closed_form_series_exact(order, N_, T_, spec, su, sw, C_)]
    if s2:
        out = [a + b for a, b in zip(out, noise_series_exact(order, N_, T_, spec, s2, su, C_))]
    return out


def _value_mp(values, gamma_, dps):
    from diagrams.models.random_features.closed_form import closed_form_loss_mp
    from diagrams.models.random_features.noise import noise_loss_mp

    N_, T_, spec, su, sw, C_, s2 = _numbers(values)
    out = closed_form_loss_mp(N_, T_, gamma_, spec, su, sw, C_, dps=dps).loss
    if s2:
        out += noise_loss_mp(N_, T_, gamma_, spec, s2, su, sw, C_, dps=dps).loss
    return out


def _float_spectrum(values):
    spec = values["spectrum"]
    if isinstance(spec, PowerLaw):
        return spec.floats()
    import numpy as np

    return np.array([float(v) for v in spec])


def _mp_spectrum(values, dps):
    import mpmath

    from diagrams.engine.numbers import to_mpf

    spec = values["spectrum"]
    if isinstance(spec, PowerLaw):
        with mpmath.workdps(dps + 10):
            a, lp = to_mpf(spec.alpha), to_mpf(spec.lambda_plus)
            return [lp * mpmath.power(i, -(1 + a)) for i in range(1, spec.M + 1)]
    return list(spec)


def _evaluate(values, gammas, dps=None) -> list:
    """Eq. (104) and its ingredients (plus the label-noise term of App. A) at each ridge."""
    from diagrams.models.random_features.closed_form import closed_form_loss, closed_form_loss_mp
    from diagrams.models.random_features.noise import noise_loss, noise_loss_mp

    N_, T_ = values["N"], values["T"]
    su, sw, C_, s2 = (values.get("sigma_u2", 1), values.get("sigma_w2", 1), values.get("C", 1),
                      values.get("label_noise", 0))
    rows = []
    if dps is None:
        import numpy as np

        lam = _float_spectrum(values)
        g = np.array([float(x) for x in gammas])
        main = closed_form_loss(float(N_), float(T_), g, lam, float(su), float(sw), float(C_)).as_dict()
        noise = noise_loss(float(N_), float(T_), g, lam, float(s2), float(su), float(sw), float(C_)) if s2 else None
        for i in range(len(g)):
            row = {k: v[i] for k, v in main.items()}
            if noise is not None:
                row["noise_loss"] = float(np.atleast_1d(noise.loss)[i])
                row["total_loss"] = row["loss"] + row["noise_loss"]
            row["observable"] = row.get("total_loss", row["loss"])
            rows.append(row)
        return rows
    lam = _mp_spectrum(values, dps)
    for gm in gammas:
        row = closed_form_loss_mp(N_, T_, gm, lam, su, sw, C_, dps=dps).as_dict()
        if s2:
            row["noise_loss"] = noise_loss_mp(N_, T_, gm, lam, s2, su, sw, C_, dps=dps).loss
            row["total_loss"] = row["loss"] + row["noise_loss"]
        row["observable"] = row.get("total_loss", row["loss"])
        rows.append(row)
    return rows


def _optimum(values):
    from diagrams.models.random_features.closed_form import optimal_ridge

    if values.get("label_noise", 0):
        raise ValueError("--optimal: the optimal ridge with label noise is not implemented; give --gamma")
    opt = optimal_ridge(float(values["N"]), float(values["T"]), _float_spectrum(values),
                        float(values.get("sigma_u2", 1)), float(values.get("sigma_w2", 1)), float(values.get("C", 1)))
    return opt.gamma, opt.loss, opt.limit


def _series_symbolic(order) -> list:
    from diagrams.models.random_features.closed_form_series import closed_form_series

    return closed_form_series(order)


def _reduce(expr):
    import sympy

    from diagrams.engine.symbols import isotropic

    return sympy.expand(isotropic(expr, {"Sigma": s}, {"Lambdahat": "Lambda"}))


MODEL = declare()

FEATURE, TRAIN, TEST, LATENT = (MODEL.spaces[k] for k in ("feature", "train", "test", "latent"))
SPACES = (FEATURE, TRAIN, TEST, LATENT)
u, x, xhat = (MODEL.matrices[k] for k in ("u", "x", "xhat"))
MATRICES = {mm.name: mm for mm in (u, x, xhat)}
N, T, That, M = FEATURE.size, TRAIN.size, TEST.size, LATENT.size
gamma = MODEL.gamma
sigma_u2, sigma_w2, C, sigma_eps2 = (MODEL.parameter(k).symbol for k in ("sigma_u2", "sigma_w2", "C",
                                                                         "label_noise"))
#: The normalised traces of the full propagators, ``<q> = tr q/N`` and ``<Q> = tr Q/T`` (Eqs. 17-18),
#: and ``xi = N T <q> <Q>`` (Eq. 45): the one definition of these symbols, used by every formula of
#: the model (:mod:`~diagrams.models.random_features.formulas`,
#: :mod:`~diagrams.models.random_features.resolvent`, :mod:`~diagrams.models.random_features.resum`).
q, Q, xi = (sympy.Symbol(name, positive=True) for name in ("q", "Q", "xi"))
#: The scale of the isotropic feature covariance ``Sigma = s 1``, ``s = sigma_u^2/M`` (Eq. 12), kept as
#: one symbol where the symbolic work sets ``Sigma = s 1`` (duality, resummation, reduced Eq. 104).
s = sympy.Symbol("s", positive=True)
