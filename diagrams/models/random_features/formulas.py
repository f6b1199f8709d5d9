r"""The random-feature model's named formulas, for LaTeX documents and ``diagrams latex --expr``.

:func:`latex_expressions` is the model's :attr:`~diagrams.models.declaration.Model.latex_expressions`:
``{name: (description, formula)}`` where each formula is a zero-argument callable returning a sympy
``Expr``, ``Eq`` or tuple of ``Eq`` (a chain ``a = b = c`` when each right side is the next left
side), built only when asked for.  They are

* the closed form of the planar test loss written out as formulas: Eq. (104) and its pieces
  ``l, r_c, v, r_d', D``, the split into resummation factor ``R`` and primary diagrams ``P``
  (Eq. 93), the consistency relation (Eq. 99) and ``xi`` (Eq. 45);
* the scaling laws for a power-law spectrum ``lambda_I = lambda_+ I^-(1+alpha)``: ``c_alpha``,
  the effective dimension ``Xi``, the loss and the ridge as functions of ``Xi``, the optimal ridge
  and loss, the ridgeless loss (Sec. IV);
* the expressions the resummation rebuilds from the diagrams
  (:mod:`diagrams.models.random_features.resum`): ``resum-consistency``, ``resum-self-energy``,
  ``resum-R``, ``resum-P``, ``resum-D``, ``resum-loss``.

The symbols are plain sympy symbols (``q``, ``Q``, ``xi``, ``Lhat``, ...); their LaTeX (``\langle q
\rangle``, ...) is in the model's :attr:`~diagrams.models.declaration.Model.notation`.  Traces of
matrix functions are ``sympy.Trace`` of the ``M x M`` matrix symbols :data:`COVARIANCE_MATRICES`.

:func:`diagram_class` is the grouping of planar diagrams by their class
(:mod:`diagrams.models.random_features.classify`) in the form documents take it.

>>> f = latex_expressions()
>>> f["xi"][0], f["xi"][1]()
('Definition of $\\xi$', Eq(xi, N*Q*T*q))
>>> "order-2" in f
False
"""

from __future__ import annotations

from typing import Callable

import sympy
from sympy.matrices.expressions import Identity, MatrixSymbol, Trace

from diagrams.models.random_features.model import C, M, N, Q, T, gamma, q, sigma_u2, sigma_w2, xi

__all__ = ["latex_expressions", "diagram_class", "COVARIANCE_MATRICES", "SYMBOLS"]

_Lambda = MatrixSymbol("Lambda", M, M)
_Lambdahat = MatrixSymbol("Lambdahat", M, M)
_Sigma = MatrixSymbol("Sigma", M, M)
_One = Identity(M)
#: The covariance matrices of the closed form as sympy matrix symbols (``M x M``); not the Gaussian
#: matrices ``u, x, xhat`` of the model (:data:`~diagrams.models.random_features.model.MATRICES`).
COVARIANCE_MATRICES = {"Lambda": _Lambda, "Lambdahat": _Lambdahat, "Sigma": _Sigma}

#: The effective dimension ``Xi = N (1 - gamma<q>) = T (1 - gamma<Q>)`` of the scaling laws (Sec. IV.3),
#: not ``xi = N T <q> <Q>`` (Eq. 45).
Xi = sympy.Symbol("Xi", positive=True)
alpha = sympy.Symbol("alpha", positive=True)
nu = sympy.Symbol("nu", positive=True)
lambda_plus = sympy.Symbol("lambda_plus", positive=True)
c_alpha = sympy.Symbol("c_alpha", positive=True)
Lhat = sympy.Symbol("Lhat", positive=True)
l_, D_, r_c, v_, r_d, R_, P_ = (sympy.Symbol(n, real=True) for n in ("l", "D", "r_c", "v", "r_d", "R", "P"))
#: The symbols of the formulas, by name.
SYMBOLS = {s.name: s for s in (q, Q, xi, Xi, alpha, nu, lambda_plus, c_alpha, Lhat, l_, D_, r_c, v_, r_d, R_, P_)}

_LS = _Lambda * _Sigma
_G = _One + gamma * xi * _LS


def _trace_l():
    return Trace(_Lambdahat * _G ** -2)


def _trace_ls2():
    return Trace(_LS ** 2 * _G ** -2)


def _trace_ls():
    return Trace(_LS * _G ** -2)


def _blob_a():
    return gamma ** 2 * N * q ** 2 * r_c


def _blob_b():
    return gamma ** 2 * T * Q ** 2 * v_


def _blob_g():
    return gamma ** 2 * xi ** 2 * r_d ** 2 / (N * T)


def _loss():
    return sympy.Eq(Lhat, C * sigma_w2 / (2 * M) * l_ / ((1 - _blob_a()) * (1 - _blob_b()) - _blob_g()))


def _consistency():
    lhs = sympy.Mul(gamma, xi, Trace(_LS * _G ** -1), evaluate=False)  # printed in this order
    mid = N * (1 - gamma * q)
    return (sympy.Eq(lhs, mid), sympy.Eq(mid, T * (1 - gamma * Q)))


def _c_alpha_value():
    return (sympy.pi / (1 + alpha)) / sympy.sin(sympy.pi / (1 + alpha))


def _scaling_loss():
    pre = C * sigma_w2 * lambda_plus * c_alpha ** (1 + alpha) / (2 * M * (1 + alpha))
    den = 1 - alpha * Xi * (1 / N + 1 / T) / (1 + alpha) + (alpha - 1) * Xi ** 2 / ((1 + alpha) * N * T)
    return sympy.Eq(Lhat, pre * Xi ** (-alpha) / den)


def _scaling_gamma():
    return sympy.Eq(gamma, sigma_u2 * lambda_plus * c_alpha ** (1 + alpha) / M * N * T
                    * (1 - Xi / N) * (1 - Xi / T) * Xi ** (-(1 + alpha)))


def _nu():
    return sympy.Eq(nu, sympy.sqrt(1 - 4 * N * T * (alpha - 1) * (alpha + 2) / (alpha * (alpha + 1) * (N + T) ** 2)))


def _optimal_loss():
    return sympy.Eq(sympy.Symbol("Lhat_star", positive=True),
                    C * sigma_w2 * lambda_plus / (2 * M) * c_alpha ** (1 + alpha) * ((1 + nu) / 2) ** (1 + alpha)
                    * ((1 + (1 + alpha) * nu) / (2 + alpha)) ** -1 * (1 / N + 1 / T) ** alpha)


def _optimal_gamma():
    return sympy.Eq(sympy.Symbol("gamma_star", positive=True),
                    sigma_u2 * lambda_plus / M * c_alpha ** (1 + alpha) * 2 / (alpha * (alpha + 1))
                    * ((1 + nu) / 2) ** (alpha - 1) * (1 / N + 1 / T) ** (alpha - 1))


def _ridgeless_loss():
    return sympy.Eq(sympy.Symbol("Lhat_ridgeless", positive=True),
                    C * sigma_w2 * lambda_plus * c_alpha ** (1 + alpha) * N ** (-alpha) / (2 * M * (1 - N / T)))


# -- the resummation's rebuilt expressions (built from the diagrams, not from the formulas above) --
def _resum(key: str):
    def build():
        from diagrams.models.random_features.resum import expressions

        return sympy.Eq(sympy.Symbol(key if key != "loss" else "Lhat"), expressions()[key])
    return build


def _resum_consistency():
    from diagrams.models.random_features.resolvent import derive_consistency_relation

    return derive_consistency_relation()


def _resum_self_energy():
    from diagrams.models.random_features.resolvent import self_energy_expression

    return (sympy.Eq(sympy.Symbol("Pi_T"), self_energy_expression("train")),
            sympy.Eq(sympy.Symbol("Pi_N"), self_energy_expression("feature")))


_FORMULAS: list[tuple[str, str, Callable]] = [
    ("loss", r"Test loss in the planar limit, Eq.~(104)", _loss),
    ("loss_factorised", r"Resummation factor times primary diagrams, Eq.~(93)",
     lambda: sympy.Eq(Lhat, C * sigma_w2 / (2 * M) * R_ * P_)),
    ("resummation_factor", r"Resummation factor $R$",
     lambda: sympy.Eq(R_, 1 / (1 - _blob_a() - _blob_g() / (1 - _blob_b())))),
    ("primary", r"Sum of the primary diagrams $P$",
     lambda: sympy.Eq(P_, _trace_l() / (1 - gamma ** 2 * T * Q ** 2 * N ** 2 * q ** 2 * _trace_ls2()))),
    ("consistency", r"Consistency relation, Eq.~(99)", _consistency),
    ("xi", r"Definition of $\xi$", lambda: sympy.Eq(xi, N * T * q * Q)),
    ("l", r"Latent trace $l$", lambda: sympy.Eq(l_, _trace_l())),
    ("D", r"Denominator $D$ of Eq.~(104)", lambda: sympy.Eq(D_, (1 - _blob_a()) * (1 - _blob_b()) - _blob_g())),
    ("r_c", r"Connected part $r_c$", lambda: sympy.Eq(r_c, T ** 2 * Q ** 2 * _trace_ls2())),
    ("v", r"Rung $v$", lambda: sympy.Eq(v_, N ** 2 * q ** 2 * _trace_ls2())),
    ("r_d", r"Rung $r_d'$", lambda: sympy.Eq(r_d, _trace_ls())),
    ("c_alpha", r"Power-law constant $c_\alpha$", lambda: sympy.Eq(c_alpha, _c_alpha_value())),
    ("Xi", r"Effective dimension $\Xi$",
     lambda: (sympy.Eq(Xi, N * (1 - gamma * q)), sympy.Eq(N * (1 - gamma * q), T * (1 - gamma * Q)))),
    ("scaling_loss", r"Test loss for power-law data", _scaling_loss),
    ("scaling_gamma", r"Ridge as a function of $\Xi$", _scaling_gamma),
    ("nu", r"Definition of $\nu$", _nu),
    ("optimal_loss", r"Test loss at the optimal ridge", _optimal_loss),
    ("optimal_gamma", r"Optimal ridge", _optimal_gamma),
    ("ridgeless_loss", r"Ridgeless test loss for $N < T$", _ridgeless_loss),
    ("resum-consistency", "Consistency relation derived from the recognised 1PI self-energies", _resum_consistency),
    ("resum-self-energy", "Planar 1PI self-energies recognised from the diagrams", _resum_self_energy),
    ("resum-R", "Resummation factor rebuilt from the diagram classes", _resum("R")),
    ("resum-P", "Primary diagrams rebuilt from the diagram classes", _resum("P")),
    ("resum-D", "Denominator found by summing the diagram classes", _resum("D")),
    ("resum-loss", r"Test loss rebuilt as $R \times P$", _resum("loss")),
]


def latex_expressions() -> dict:
    r"""The random-feature model's named formulas, built only when asked for.

    This is the model's :attr:`~diagrams.models.declaration.Model.latex_expressions` (see the module
    docstring for the list: Eq. 104 and its pieces, Eqs. 93, 99 and 45, the scaling laws of Sec. IV and
    the expressions rebuilt by the resummation).

    Returns
    -------
    dict
        ``{name: (description, build)}``: ``description`` is LaTeX text and ``build()`` returns a
        sympy ``Expr``, ``Eq`` or tuple of ``Eq`` (a chain ``a = b = c``).

    Examples
    --------
    >>> f = latex_expressions()
    >>> f["xi"][0], f["xi"][1]()
    ('Definition of $\\xi$', Eq(xi, N*Q*T*q))
    >>> f["c_alpha"][1]()
    Eq(c_alpha, pi/((alpha + 1)*sin(pi/(alpha + 1))))
    >>> "order-2" in f
    False
    """
    return {name: (desc, build) for name, desc, build in _FORMULAS}


def diagram_class(term, c) -> tuple:
    r"""The sort key and LaTeX heading of the class of a planar loss diagram, for documents.

    Parameters
    ----------
    term : Term
        A word of the two-line picture, with both mirror words written out
        (``diagrams.analysis.expansion.diagrams(MODEL, k, merge=False)``).
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    key : tuple
        ``(resummation power, primary rungs, barrier pattern)``, for sorting.
    heading : str
        The LaTeX heading of the class.

    Raises
    ------
    ValueError
        If the diagram has no class (:func:`~diagrams.models.random_features.classify.classify`).

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.random_features.model import MODEL
    >>> t, c = next(iter(diagrams(MODEL, 1, merge=False)))
    >>> diagram_class(t, c)[0]
    (0, 0, '')
    >>> sorted({diagram_class(t, c)[1] for t, c in diagrams(MODEL, 2, merge=False)})[0]
    'class $P\\,X^{0}$, barrier word \\texttt{(none)}: 0 primary rungs, blocks ()'
    """
    from diagrams.models.random_features.classify import classify

    cls = classify(term, c)
    n = cls.resummation_power
    pattern = cls.pattern or "(none)"
    head = (r"class $P\,X^{%d}$, barrier word \texttt{%s}: %d primary rung%s, blocks (%s)"
            % (n, pattern, cls.primary_rungs, "" if cls.primary_rungs == 1 else "s",
               ", ".join(str(b) for b in cls.blocks)))
    return (n, cls.primary_rungs, cls.pattern), head
