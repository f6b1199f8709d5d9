"""Write the notebooks of this directory, execute them and save them with their outputs.

    python notebooks/make_notebooks.py              # tour, your_own_model, scaling_laws
    python notebooks/make_notebooks.py tour         # only notebooks/tour.ipynb

Edit the cells here, not in the ``.ipynb`` files: ``tests/test_notebooks.py`` checks that the
committed notebooks have the sources written here and an output in every code cell, and (slow)
runs them again headless.  Every notebook imports the installed ``diagrams`` (``pip install -e .``
from the repository root, or ``PYTHONPATH`` set to it) and runs in well under a minute on two cores.
The documentation site renders the saved outputs (``nb_execution_mode = "off"`` in ``docs/conf.py``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

#: Seconds a cell may run before the generator gives up.
CELL_TIMEOUT = 600

#: The first code cell of every notebook: imports and display helpers (exact numbers and formulas as LaTeX).
SETUP = r'''%matplotlib inline
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import sympy
from IPython.display import Markdown, Math, display

import diagrams
from diagrams.output.latex import to_display


def tex(x):
    """LaTeX of a number or sympy expression; an exact Fraction prints as a fraction."""
    if isinstance(x, Fraction):
        x = sympy.Rational(x.numerator, x.denominator)
    return sympy.latex(x)


def table(header, rows):
    """A Markdown table; cells that are Fractions or sympy objects are typeset as LaTeX."""
    def cell(v):
        return f"${tex(v)}$" if isinstance(v, (Fraction, sympy.Basic)) else str(v)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def formula(expr, model, width=56):
    """A formula in the model's notation, broken into lines as in a paper (``to_display``)."""
    lines = to_display(expr, notation=model, width=width).splitlines()
    body = "\n".join(lines[1:-1])
    if "align" not in lines[0]:
        body = "&" + body.replace("\\\\\n", "\\\\\n&")
    return Math(r"\begin{aligned}" + body + r"\end{aligned}")


print("nsl-diagrams", diagrams.__version__)'''


def tour() -> list:
    md, code = new_markdown_cell, new_code_cell
    return [
        md(r"""# A tour of `nsl-diagrams`

Large-N diagrammatics of the random-feature model of neural scaling laws (Maloney, Roberts & Sully,
arXiv:2210.16859; solved at any ridge by Zhang 2024, arXiv:2405.19398).  The test loss of ridge
regression on random features $\varphi = u x$, averaged over the teacher (paper Eq. 20), is

$$\langle\hat{\mathcal L}\rangle = \frac{C\sigma_w^2}{2M\hat T}\,\langle \mathrm{tr}(A^TA)\rangle,\qquad
A = x\,Q\,\varphi^T\hat\varphi - \hat x,\qquad Q = (\gamma + \varphi^T\varphi)^{-1} = \sum_{n\ge0}(-1)^n\gamma^{-1-n}(\varphi^T\varphi)^n ,$$

so each power $\gamma^{-k}$ is a finite sum of traces of words in the Gaussian matrices
$u, x, \hat x$.  Wick's theorem turns each trace into a sum over ribbon graphs (diagrams); the planar
ones give the large-$N$ limit.  The model is **data**: a declaration of its index spaces, matrices,
parameters and observable, from which everything below is derived.  This notebook walks through:
**enumerate** the diagrams, look at one **ribbon graph**, **check** the planar sums against the closed
form (Eq. 104) and the planar Dyson equation, **resum** them, check the **duality**
$N\leftrightarrow T$, and **export** LaTeX."""),
        code(SETUP + r'''


from diagrams.models.registry import load_model

rf = load_model("random-features")
rf'''),
        md(r"""## 1. Enumerate: the words of each order and their diagrams

`diagrams.analysis.expansion` expands the declared observable in $1/\gamma$: at order $k$ a few
words, each with an integer coefficient (the cross term of the square written once with a factor 2,
as the paper lists them)."""),
        code(r'''from diagrams.analysis import expansion
from diagrams.output.latex import word_latex

lines = [rf"k = {k}: &\quad {tex(t.coefficient)}\, {word_latex(t.word, notation=rf)}"
         for k in range(3) for t in expansion.terms(rf, k)]
Math(r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}")'''),
        md(r"""The number of Wick contractions of a word is a product of double factorials, one per matrix
(its letters pair among themselves); the planar ones are counted by the interval recursion without
listing them, and listed one by one by the planar generator:"""),
        code(r'''from collections import Counter
from math import prod


def double_factorial(n):
    return prod(range(n, 0, -2))


rows = []
for k in range(5):
    words = [t.word for t in expansion.terms(rf, k)]
    pairings = sum(prod(double_factorial(n - 1) for n in Counter(a.matrix.name for a in w.letters).values())
                  for w in words)
    listed = sum(1 for _ in expansion.diagrams(rf, k)) if k <= 3 else "-"
    rows.append((k, expansion.count_all(rf, k), pairings, expansion.count_planar_diagrams(rf, k), listed))
table(("order", "all contractions", "product of (n-1)!!", "planar (recursion)", "planar (listed)"), rows)'''),
        md(r"""The planar coefficient of $\gamma^{-2}$, a polynomial in the sizes and the latent traces, printed in
the model's notation (`diagrams.output.latex`):"""),
        code(r'''from diagrams.output.expressions import get_expression

formula(get_expression(rf, "order-2"), rf)'''),
        md(r"""## 2. One diagram as a ribbon graph

A contraction of one trace is a ribbon graph with one vertex; its faces are index loops (feature
$N$, train $T$, test $\hat T$, latent: a trace of covariances).  Planar means genus 0, i.e.
$F = E + 1$.  A contraction draws itself in the notebook (arcs above the word; a dashed arc is a
twisted ribbon):"""),
        code(r'''from diagrams.engine import ribbon

term, c = next(expansion.diagrams(rf, 2))
print("word:", term.word, "   coefficient:", term.coefficient)
c'''),
        code(r'''G = ribbon.ribbon_graph(c)
print("edges:", G.number_of_edges(), "  faces:", len(ribbon.faces(G)), "  chi:", ribbon.euler_characteristic(G),
      "  genus:", ribbon.genus(G), "  planar:", ribbon.is_planar(G))
print("faces by index space:", ribbon.face_counts(G))
for f in ribbon.faces(G):
    print("   ", f.space.name, f.covariances)
Math(tex(ribbon.value(G)))'''),
        md("A non-planar diagram of the same order (it contributes only at finite size):"),
        code(r'''nonplanar_term, nonplanar = next((t, d) for t, d in expansion.diagrams(rf, 2, genus="all") if not d.is_planar)
Gn = ribbon.ribbon_graph(nonplanar)
print("faces:", len(ribbon.faces(Gn)), "  edges:", Gn.number_of_edges(), "  Euler genus:", ribbon.euler_genus(Gn),
      "  orientable:", ribbon.is_orientable(Gn))
nonplanar'''),
        md(r"""The same two diagrams in the double-line convention (feature solid, train dashed, test dotted,
latent wavy), each index loop a closed curve; the caption is the diagram's weight:"""),
        code(r'''from diagrams.output.draw import draw_diagram

fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
draw_diagram(c, ax=axes[0], coefficient=term.coefficient, notation=rf)
draw_diagram(nonplanar, ax=axes[1], coefficient=nonplanar_term.coefficient, notation=rf)
axes[0].set_title("planar (order 2)", fontsize=9)
axes[1].set_title("non-planar (order 2)", fontsize=9)
plt.show()'''),
        md(r"""## 3. Check: planar sums against two independent routes

`check_orders(model, K)` compares, order by order, the planar diagram sum (exact rationals, at the
model's check values) with the Taylor coefficients of every route of the model -- here the closed
form Eq. (104) and the planar Dyson equation the toolkit derives from the declaration -- compares
the diagrams listed one by one with the routes' symbolic coefficients, and checks that the series
truncated at $K$ misses each route's value by $O(\gamma^{-(K+1)})$."""),
        code(r'''from diagrams.analysis.check import check_orders

report = check_orders(rf, 4)
routes = [e["route"] for e in report.orders[0]["exact"]]
rows = [(r["order"], Fraction(r["diagram_sum"]),
         *("yes" if e["match"] else "NO" for e in r["exact"]),
         ", ".join("yes" if s["match"] else "NO" for s in r.get("symbolic", [])) or "-")
        for r in report.orders]
display(table(("order", "planar diagram sum", *routes, "symbolic"), rows))
for t in report.truncation:
    print(f"{t['route']}: truncation error ~ gamma^{t['slope']:.3f} (expected {t['expected']})")
print("all checks pass:", report.ok)'''),
        md(r"""## 4. Resummation

The planar diagrams sum to (resummation factor) × (primary diagrams), $R\cdot P$, with
$P = l/(1-B)$ and $R = 1/(1 - A - G/(1-B))$, which simplifies to the closed form $l/D$
(`diagrams.models.random_features.resum`, an analysis of this model only)."""),
        code(r'''from diagrams.models.random_features import closed_form as cf
from diagrams.models.random_features import resum

res = resum.derive_resummation()
print("sum over classes == R P:", res["sum == R P"], "   R P == l/D:", res["R P == l/D"])
rep = resum.resummation_report(3)
print(len(rep["rows"]), "class checks to order 3; failures:", sum(not r["match"] for r in rep["rows"]))
lam = [1.0, 0.5, 0.25]
print("rebuilt R P:", resum.rebuilt_loss(2, 3, 0.1, lam), "   closed form:", cf.closed_form_loss(2, 3, 0.1, lam).loss)'''),
        md(r"""## 5. Duality $N \leftrightarrow T$

Swapping feature and train lines (solid ↔ dashed, $\Sigma\leftrightarrow\Lambda$) maps every planar
diagram to a planar diagram of the same order (or to itself), so each order's sum is symmetric."""),
        code(r'''from diagrams.models.random_features.duality import duality_report

rows = []
for k in range(5):
    d = duality_report(k, classes=False)
    rows.append((k, d["planar"], d["pairs"], d["self_dual"], d["unmatched"], d["sum_self_dual"]))
table(("order", "planar (both mirror sets)", "dual pairs", "self-dual", "unmatched", "sum symmetric"), rows)'''),
        md("## 6. Export: LaTeX in the paper's notation, TikZ-Feynman for papers"),
        code(r'''from diagrams.output.expressions import expression_names

for name in ("loss", "consistency", "optimal_loss"):
    display(formula(get_expression(rf, name), rf))
print(len(expression_names(rf)), "named expressions:", ", ".join(expression_names(rf)))'''),
        code(r'''from diagrams.output.tikz import tikz_diagram

code = tikz_diagram(c, notation=rf)
print("\n".join(code.splitlines()[:10]), "\n...", len(code.splitlines()), "lines")'''),
    ]


def your_own_model() -> list:
    md, code = new_markdown_cell, new_code_cell
    return [
        md(r"""# Your own model

A model is data: declare its parameters, index spaces, covariances, Gaussian and deterministic
matrices and its observable, and the toolkit derives the rest -- the words of the expansion in
$1/\gamma$, the diagrams and their exact sums, the planar (large-$N$) solution by the Dyson
equation, a simulation of the model, sweeps and plots.  Nothing below is specific to this model.

The example (also in `docs/models.md`): ridge regression on features $\varphi = v x$ of one random
linear layer with a deterministic diagonal weighting $S$ of the features,

$$\langle \mathcal O\rangle = \frac{1}{2M\hat T}\,\big\langle \mathrm{tr}(E^TE)\big\rangle,\qquad
E = x\,(\gamma + \varphi^T S\varphi)^{-1}\varphi^T S\hat\varphi - \hat x .$$"""),
        code(SETUP),
        md("## 1. Declare it"),
        code(r'''from diagrams.models.declaration import Model

m = Model("weighted-features", "ridge regression on weighted random features S^(1/2) v x")
N = m.integer("N", "number of features")
T = m.integer("T", "number of training samples")
That = m.integer("That", "number of test samples", default=1)
m.spectrum("spectrum", "eigenvalues of the data covariance Lambda", "latent")
m.spectrum("weights", "diagonal of the feature weighting S", "feature")
sv = m.number("sigma_v2", "variance of the layer", default=1, minimum=0, strict_minimum=True)
feature, train = m.space("feature", "N", "solid"), m.space("train", "T", "dashed")
test, latent = m.space("test", "That", "dotted"), m.space("latent", "M", "wavy")
M = latent.size
m.covariance("Lambda", latent, spectrum="spectrum")
m.covariance("Sigma", latent, scalar=sv / M)
v = m.gaussian("v", feature, latent, col_cov="Sigma")
x = m.gaussian("x", latent, train, row_cov="Lambda")
xhat = m.gaussian("xhat", latent, test, row_cov="Lambda")
S = m.diagonal("S", feature, spectrum="weights")
phi, phihat = v @ x, v @ xhat
m.quadratic(1 / (2 * M * That), x @ m.resolvent(phi.T @ S @ phi) @ phi.T @ S @ phihat - xhat, label="test loss")
m.notation.update({"That": r"\hat{T}", "sigma_v2": r"\sigma_v^2", "observable": r"\langle \mathcal{O} \rangle"})
m'''),
        md(r"""## 2. Enumerate: words, diagrams, exact coefficients

The words of the first orders, the number of contractions (all of them: exact at finite size;
planar ones: the large-$N$ limit), and the planar coefficient of $\gamma^{-k}$ -- symbolically, and
as an exact rational at numbers (the coefficient-only recursion: nothing is listed)."""),
        code(r'''from diagrams.analysis import expansion
from diagrams.output.latex import word_latex

lines = [rf"k = {k}: &\quad {tex(t.coefficient)}\, {word_latex(t.word, notation=m)}"
         for k in range(3) for t in expansion.terms(m, k)]
Math(r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}")'''),
        code(r'''from diagrams.output.expressions import get_expression

display(formula(get_expression(m, "order-1"), m))
display(formula(get_expression(m, "order-2"), m))'''),
        code(r'''values = {"N": 3, "T": 5, "spectrum": ["1", "1/2"], "weights": ["2", "1", "1"]}
rows = [(k, expansion.count_all(m, k), expansion.count_planar_diagrams(m, k), expansion.coefficient(m, k, values=values))
        for k in range(7)]
display(Markdown(f"At `{values}`:"))
table(("order k", "all contractions", "planar", r"planar coefficient of $\gamma^{-k}$ (exact)"), rows)'''),
        md(r"""## 3. Look at a diagram

A planar diagram of order 2 and a non-planar one; the weighting $S$ sits at the slots between
letters and is met by the feature loops through them."""),
        code(r'''term, c = next(expansion.diagrams(m, 2))
print("word:", term.word, "  coefficient:", term.coefficient, "  value:", c.value)
c'''),
        code(r'''from diagrams.output.draw import draw_diagram

nonplanar_term, nonplanar = next((t, d) for t, d in expansion.diagrams(m, 2, genus="all") if not d.is_planar)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
draw_diagram(c, ax=axes[0], coefficient=term.coefficient, notation=m)
draw_diagram(nonplanar, ax=axes[1], coefficient=nonplanar_term.coefficient, notation=m)
plt.show()'''),
        md(r"""## 4. The planar Dyson equation: an independent route

The model declares no closed form of its own; the toolkit linearizes the observable and derives
the planar self-consistent (Dyson) equations from the declaration -- the unknowns $\tau_i$ are traces
of blocks of the planar resolvent, the $\chi_i$ solve the linear ladder equations of the square:"""),
        code(r'''from diagrams.analysis.dyson_equations import equations_latex, model_equations

body = "\n".join(line for line in equations_latex(m, model_equations(m)).splitlines() if not line.startswith("%"))
Math(body.replace("align*", "aligned"))'''),
        md(r"""Solved as power series in $1/\gamma$ with exact rationals, the Dyson route gives the Taylor
coefficients of the planar observable.  They must equal the planar diagram sums -- a different
algorithm (the diagrams, counted with their values) over the same declaration:"""),
        code(r'''from diagrams.analysis.routes import routes_of

print([r.name for r in routes_of(m)])
dyson = routes_of(m)[-1]
vals = m.read_values(values, require=[p.name for p in m.parameters])
series = dyson.series_exact(8, vals)
diagram_sums = [expansion.coefficient(m, k, values=vals) for k in range(9)]
table(("order k", "planar diagram sum", "Dyson series", "equal"),
      [(k, d, s, d == s) for k, (d, s) in enumerate(zip(diagram_sums, series))])'''),
        md(r"""`check_orders` does this for every route of a model, adds the symbolic comparison (the planar
diagrams listed one by one against the route's symbolic coefficients) and the truncation test (the
series truncated at $K$ misses the route's value by $O(\gamma^{-(K+1)})$):"""),
        code(r'''from diagrams.analysis.check import check_orders

report = check_orders(m, 4, values, symbolic_max=3)
for t in report.truncation:
    print(f"{t['route']}: error of the truncated series ~ gamma^{t['slope']:.3f} (expected {t['expected']})")
print("all checks pass:", report.ok)'''),
        md(r"""## 5. The planar value against a simulation

At finite sizes the simulation draws every Gaussian matrix and evaluates the observable with linear
solves; the planar value is the large-$N$ limit, so the two agree up to corrections of relative order
$1/N$ (here a few per cent) -- and more closely as the sizes grow."""),
        code(r'''from diagrams.analysis.simulate import simulate


def point(n, t, m_latent):
    return {"N": n, "T": t, "spectrum": [Fraction(1, i) for i in range(1, m_latent + 1)],
            "weights": [2] * (n // 2) + [1] * (n - n // 2)}


rows = []
for size in (1, 2, 4):
    p = point(25 * size, 50 * size, 75 * size)
    theory = dyson.evaluate(m.read_values(p), [0.1])[0]["observable"]
    sim = simulate(m, p, 0.1, trials=40, seed=size)
    rows.append((p["N"], p["T"], len(p["spectrum"]), f"{theory:.5f}", f"{sim.mean:.5f} ± {sim.stderr:.5f}",
                 f"{sim.mean / theory - 1:+.3f}"))
table(("N", "T", "M", "planar (Dyson)", "simulation", "relative difference"), rows)'''),
        md(r"""## 6. A sweep, and a plot

`run_sweep` simulates a grid of parameter points and ridges and evaluates the planar theory at each
(here serially, in this process; `executor="dask"` runs the same tasks on a cluster, and `out=` writes
a resumable table).  Every ridge of one parameter point uses the same draws, so the curves are smooth."""),
        code(r'''from diagrams.analysis.sweep import grid, run_sweep

base = point(40, 40, 120)
points = grid(m, {"T": "20 40 80", "spectrum": [base["spectrum"]], "weights": [base["weights"]], "N": "40"},
              "1e-3:10:9log")
sweep = run_sweep(m, points, trials=12, seed=0, executor="serial")
print(len(sweep.rows), "points,", sweep.tasks, "tasks in", round(sweep.elapsed, 1), "s")
table(("T", "gamma", "mean", "stderr", "theory", "pull"),
      [(r["T"], f"{r['gamma']:.3g}", f"{r['mean']:.4f}", f"{r['stderr']:.4f}", f"{r['theory']:.4f}", f"{r['pull']:+.2f}")
       for r in sweep.rows[:9]])'''),
        code(r'''gammas = np.logspace(-3, 1, 80)
fig, ax = plt.subplots(figsize=(7, 4.2))
for colour, t in zip(("C0", "C1", "C2"), (20, 40, 80)):
    rows = [r for r in sweep.rows if r["T"] == t]
    curve = dyson.evaluate(m.read_values({**base, "T": t}), gammas)
    ax.plot(gammas, [c["observable"] for c in curve], color=colour, label=f"planar (Dyson), T = {t}")
    ax.errorbar([r["gamma"] for r in rows], [r["mean"] for r in rows], yerr=[r["stderr"] for r in rows],
                fmt="o", ms=4, color=colour, label=f"simulation, T = {t}")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel(r"ridge $\gamma$")
ax.set_ylabel(r"$\langle \mathcal{O} \rangle$")
ax.set_title("weighted features, N = 40, M = 120 (12 trials per point)", fontsize=10)
ax.legend(fontsize=8, ncol=2)
plt.show()'''),
        md(r"""Saved in a file, the same declaration works from the command line
(`diagrams enumerate --model my_model.py:m --order 4`, `diagrams check --model my_model.py:m ...`,
`diagrams sweep --model my_model.py:m ...`); see `docs/models.md`."""),
    ]


def scaling_laws() -> list:
    md, code = new_markdown_cell, new_code_cell
    return [
        md(r"""# Scaling laws and the role of regularisation (paper Sec. IV, Figs. 2 and 3)

Power-law data $\lambda_I = \lambda_+ I^{-(1+\alpha)}$, $I = 1..M$.  Solid curves: the planar
closed form (Eq. 104); dashed: the approximation formulas of Secs. IV.3–IV.4; markers: direct
simulations of the model (mean ± one standard error).  The figures here use `quick=True` (small
$M$, few trials); `diagrams figures --out DIR` writes the full versions."""),
        code(SETUP + r'''


from diagrams.models.random_features import scaling as sc
from diagrams.output import figures as F

QUICK = True
print("quick figures:", F.settings(quick=QUICK))'''),
        md(r"""## Fig. 2, top left: loss against the ridge

Several $N$ at fixed $T$: the minimum (dot) is at a nonzero $\gamma^*$.  Over-regularisation
always costs; under-regularisation matters only near $N = T$, where the loss diverges as
$\gamma\to0$."""),
        code(r'''fig = F.fig_loss_vs_gamma(quick=QUICK)
d = fig.data
for N in d["N"]:
    print(f"N={N:4d}  gamma* = {d['gamma_star'][N]:.3e}   L* = {d['loss_star'][N]:.3e}")
fig'''),
        md(r"""## Fig. 2, top right: double descent and its regularisation

Ridgeless ($\gamma\to0$) the loss diverges at $N = T$; a small ridge lowers the peak, the
ridge that is optimal at $N=T$ gives a monotonic curve, a large ridge lifts the whole curve; the
optimal ridge at each $N$ is below all of them."""),
        code(r'''fig = F.fig_loss_vs_N(quick=QUICK)
d = fig.data
print("ridgeless curve peaks at N =", round(float(d["N"][np.nanargmax(d["ridgeless"])]), 2), " (T =", d["T"], ")")
worst = min(np.min(L / d["optimal"]) for _, _, L in d["fixed"])
print("min over N and fixed ridges of L(gamma)/L(gamma*):", round(float(worst), 6), "(>= 1)")
fig'''),
        md(r"""## Fig. 2, bottom: ridgeless against optimal

The optimal loss has no singularity; it falls like a power law and plateaus once $N \gg T$
(left) or $T \gg N$ (right).  The two panels agree by the $N\leftrightarrow T$ symmetry."""),
        code(r'''fig = F.fig_ridgeless_vs_optimal(quick=QUICK)
fig'''),
        md(r"""## Fig. 3: the optimal ridge

$\gamma^* \propto (1/N + 1/T)^{\alpha-1}$: growing with $N$ for $\alpha<1$, nearly constant
($\approx \pi^2/(4M)$) at $\alpha=1$, falling for $\alpha>1$, and flat once $N\gg T$.  The last panel
compares with the minimum of the simulated loss."""),
        code(r'''fig = F.fig_optimal_ridge(quick=QUICK)
ck = fig.data["check"]
print("simulated gamma* / Eq. (104) gamma*:",
      np.round(ck["sim"]["gamma"] / np.interp(ck["sim"]["N"], ck["N"], ck["exact"]), 3))
fig'''),
        md(r"""## The scaling exponent against $\alpha$

At fixed $T/N$ the approximation gives $L^* \propto N^{-\alpha}$ exactly; the exact minimum of
Eq. (104) at finite $M$ is fitted over a range of $N = T$."""),
        code(r'''fig = F.fig_exponent_vs_alpha(quick=QUICK)
d = fig.data
table(("alpha", "fitted exponent (Eq. 104)", "approximation"),
      [(f"{a:.2f}", f"{e:.3f} ± {s:.3f}", f"{ap:.3f}") for a, e, s, ap in zip(d["alpha"], d["exact"], d["exact_stderr"], d["approx"])])'''),
        code(r'''fig'''),
        md("## Approximations against the exact optimum at large $M$"),
        code(r'''M = 20000
rows = []
for a in (0.5, 1.0, 2.0):
    for N, T in ((50, 200), (100, 100)):
        ex = sc.exact_optimum(N, T, a, M)
        rows.append((a, N, T, f"{sc.optimal_loss_approx(N, T, a, M) / ex.loss:.3f}",
                     f"{sc.optimal_ridge_approx(N, T, a, M) / ex.gamma:.3f}"))
table(("alpha", "N", "T", "L*(approx) / L*(exact)", "gamma*(approx) / gamma*(exact)"), rows)'''),
    ]


#: Notebook file name -> function returning its cells.
NOTEBOOKS = {"tour.ipynb": tour, "your_own_model.ipynb": your_own_model, "scaling_laws.ipynb": scaling_laws}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` without outputs, with stable cell ids."""
    nb = new_notebook(cells=NOTEBOOKS[name]())
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{Path(name).stem}-{i:02d}"
    nbformat.validate(nb)
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh ``python3`` kernel (a cell that raises stops with its traceback)."""
    import nbclient

    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def main(names=None, out_dir=HERE) -> list[Path]:
    """Build, execute and write the notebooks ``names`` (default: all); returns the paths written."""
    out_dir = Path(out_dir)
    unknown = sorted(set(names or ()) - {Path(n).stem for n in NOTEBOOKS})
    if unknown:
        raise SystemExit(f"make_notebooks.py: unknown notebook {unknown[0]!r}; "
                         f"notebooks: {', '.join(Path(n).stem for n in NOTEBOOKS)}")
    paths = []
    for name in NOTEBOOKS:
        if names and Path(name).stem not in names:
            continue
        start = time.perf_counter()
        nb = execute(build(name), out_dir)
        path = out_dir / name
        nbformat.write(nb, str(path))
        print(f"{path}  ({time.perf_counter() - start:.0f} s)")
        paths.append(path)
    return paths


if __name__ == "__main__":
    main(sys.argv[1:])
