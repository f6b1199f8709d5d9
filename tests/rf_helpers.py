"""Short names for the random-feature model's expansion, used by several test modules."""

import sympy

from diagrams.analysis import expansion as _ex
from diagrams.models.random_features.model import MODEL as RF


def loss_coefficient(k, genus="planar"):
    """Coefficient of gamma^-k listing every diagram (face tracing)."""
    return _ex.order_summary(RF, k, genus)["coefficient"]


def planar_coefficient_symbolic(k):
    """Coefficient of gamma^-k from the coefficient-only recursion (nothing listed)."""
    return _ex.coefficient(RF, k)


def numeric_parameters(N_=None, T_=None, That_=None, spectrum=None, sigma_u2_=1, sigma_w2_=1, C_=1):
    return RF.read_values(dict(N=N_, T=T_, That=That_ or 1, spectrum=spectrum, sigma_u2=sigma_u2_,
                               sigma_w2=sigma_w2_, C=C_))


def planar_coefficient_exact(k, p):
    return _ex.coefficient(RF, k, values=p)


def substitute_numbers(expr, p):
    v = _ex.evaluate(expr, RF, RF.read_values(p))
    return sympy.Rational(v.numerator, v.denominator)


def order_summary(k, genus="planar"):
    return _ex.order_summary(RF, k, genus)
