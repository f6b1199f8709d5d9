"""Generate the notebooks of this directory (without outputs), so that they are reproducible.

    python notebooks/make_notebooks.py            # writes notebooks/tour.ipynb, notebooks/scaling_laws.ipynb

The notebooks are executed headless by ``tests/test_notebooks.py``; keep every cell fast (small
orders, ``quick=True`` figures).  Edit the cells here, not in the ``.ipynb`` files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

SETUP = """\
%matplotlib inline
import sys, pathlib
# run from a checkout without installing: put the repository root on the path
for p in (pathlib.Path.cwd(), *pathlib.Path.cwd().parents):
    if (p / "diagrams" / "__init__.py").exists():
        sys.path.insert(0, str(p))
        break
import importlib.util
import numpy as np
import sympy
from IPython.display import Math, display

def have(module):
    \"\"\"True if an optional module of the toolkit is present in this checkout.\"\"\"
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
"""


def tour() -> nbformat.NotebookNode:
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md("""\
# A tour of `nsl-diagrams`

Large-N diagrammatics of the random-feature model of neural scaling laws (Zhang 2024,
arXiv:2405.19398).  The test loss of ridge regression on random features,
averaged over the teacher, is

$$\\langle\\hat{\\mathcal L}\\rangle = \\frac{C\\sigma_w^2}{2M\\hat T}\\,\\langle \\mathrm{tr}(A^TA)\\rangle,\\qquad
A = x\\,Q\\,\\varphi^T\\hat\\varphi - \\hat x,\\qquad Q = \\sum_{n\\ge0}(-1)^n\\gamma^{-1-n}(\\varphi^T\\varphi)^n ,$$

so each power $\\gamma^{-k}$ is a finite sum of traces of words in the Gaussian matrices
$u, x, \\hat x$.  Wick's theorem turns each trace into a sum over ribbon graphs (diagrams); the planar
ones give the large-$N$ limit.  This notebook walks through: **enumerate** the diagrams, look at
one **ribbon graph**, **check** the planar sums against the closed form (Eq. 104), **resum** them,
check the **duality** $N\\leftrightarrow T$, and **export** LaTeX."""),
        code(SETUP),
        md("## 1. Enumerate: the words of each order and their diagrams"),
        code("""\
from diagrams.models.random_features.expansion import loss_terms, order_summary, loss_diagrams

for k in range(4):
    for t in loss_terms(k):
        print(f"order {k}: {t.coefficient:+d} tr({t.word})")"""),
        code("""\
rows = []
for k in range(4):
    s = order_summary(k)                     # planar diagrams, listed one by one
    rows.append((k, s["contractions"], s["planar"]))
print("order  all contractions  planar")
for k, n_all, n_planar in rows:
    print(f"{k:5d}  {n_all:16d}  {n_planar:6d}")
# docs/physics.md Sec. 2: planar 1, 1, 7, 44 and all 1, 1, 18, 675
assert [r[2] for r in rows] == [1, 1, 7, 44] and [r[1] for r in rows] == [1, 1, 18, 675]"""),
        md("The planar coefficient of $\\gamma^{-2}$, a polynomial in $N$, $T$ and latent traces:"),
        code("""\
from diagrams.models.random_features.expansion import loss_coefficient
c2 = loss_coefficient(2)
c2"""),
        md("""\
## 2. One diagram as a ribbon graph

A contraction of one trace is a ribbon graph with one vertex; its faces are index loops (feature
$N$, train $T$, test $\\hat T$, latent: a trace of covariances).  Planar means genus 0, i.e.
$F = E + 1$."""),
        code("""\
from diagrams.engine import ribbon

term, c = next(iter(loss_diagrams(2)))
G = ribbon.ribbon_graph(c)
print("word:   ", term.word, " (coefficient", term.coefficient, ")")
print("edges:  ", G.number_of_edges(), " faces:", len(ribbon.faces(G)), " chi:", ribbon.euler_characteristic(G))
print("genus:  ", ribbon.genus(G), " planar:", ribbon.is_planar(G))
print("faces by index space:", ribbon.face_counts(G))
for f in ribbon.faces(G):
    print("   ", f.space.name, f.covariances)
ribbon.value(G)"""),
        md("A non-planar diagram of the same order (it contributes only at finite size):"),
        code("""\
nonplanar = next((t, c) for t, c in loss_diagrams(2, genus="all") if not c.is_planar)
Gn = ribbon.ribbon_graph(nonplanar[1])
print("faces:", len(ribbon.faces(Gn)), " edges:", Gn.number_of_edges(),
      " Euler genus:", ribbon.euler_genus(Gn), " orientable:", ribbon.is_orientable(Gn))
ribbon.value(Gn)"""),
        md("""\
## 3. Check: planar sums against the Taylor coefficients of the closed form

`check_orders(K)` compares, order by order, the planar diagram sum with the coefficient of
$\\gamma^{-k}$ of Eq. (104) (symbolically and at exact rationals), and checks that the series
truncated at $K$ misses the closed form by $O(\\gamma^{-(K+1)})$."""),
        code("""\
from diagrams.models.random_features.check import check_orders

report = check_orders(4)
for row in report.orders:
    print(row["order"], "exact:", row["exact_match"], " symbolic:", row.get("symbolic_match", "-"))
print("truncation error slope in log gamma:", round(report.slope, 3), "(expected -5)")
assert report.ok"""),
        md("""\
## 4. Resummation

The planar diagrams sum to (resummation factor) × (primary diagrams), $R\\cdot P$, with
$P = l/(1-B)$ and $R = 1/(1 - A - G/(1-B))$, which simplifies to the closed form $l/D$."""),
        code("""\
if have("diagrams.models.random_features.resum"):
    from diagrams.models.random_features import resum
    res = resum.derive_resummation()
    print("sum over classes == R P:", res["sum == R P"], "   R P == l/D:", res["R P == l/D"])
    rep = resum.resummation_report(3)
    bad = [r for r in rep["rows"] if not r["match"]]
    print(len(rep["rows"]), "class checks to order 3; failures:", len(bad))
    assert rep["ok"]
    # the rebuilt loss against the closed form of closed_form.py at one point
    from diagrams.models.random_features import closed_form as cf
    lam = [1.0, 0.5, 0.25]
    print("rebuilt R*P:", resum.rebuilt_loss(2, 3, 0.1, lam), "  closed form:", cf.closed_form_loss(2, 3, 0.1, lam).loss)
else:
    print("diagrams.models.random_features.resum is not in this checkout")"""),
        md("""\
## 5. Duality $N \\leftrightarrow T$

Swapping feature and train lines (solid ↔ dashed, $\\Sigma\\leftrightarrow\\Lambda$) maps every planar
diagram to a planar diagram of the same order (or to itself), so each order's sum is symmetric."""),
        code("""\
if have("diagrams.models.random_features.duality"):
    from diagrams.models.random_features.duality import duality_report
    for k in range(4):
        d = duality_report(k, classes=False)
        print(f"order {k}: {d['planar']:3d} planar diagrams (both mirror sets), {d['pairs']:3d} dual pairs, "
              f"{d['self_dual']:2d} self-dual, unmatched {d['unmatched']}, sum symmetric: {d['sum_self_dual']}")
        assert d["ok"]
else:
    print("diagrams.models.random_features.duality is not in this checkout")"""),
        md("## 6. Export: LaTeX in the paper's notation"),
        code("""\
if have("diagrams.output.expressions"):
    from diagrams.models.random_features.model import MODEL
    from diagrams.output import latex
    from diagrams.output.expressions import expression_names, get_expression
    for name in ("loss", "consistency", "optimal_loss"):
        if name in expression_names(MODEL):
            tex = latex.to_latex(get_expression(MODEL, name), notation=MODEL)
            print(tex)
            display(Math(tex))
    print(latex.to_latex(c2, notation=MODEL)[:300], "...")
else:
    print(sympy.latex(c2)[:300], "...")"""),
    ]
    cells += [
        md("""\
## 7. Drawing diagrams

The same diagrams in the double-line convention (feature solid, train dashed, test dotted, latent
wavy), with matplotlib for a quick look and as TikZ-Feynman code for papers."""),
        code("""\
if have("diagrams.output.draw"):
    import matplotlib.pyplot as plt
    from diagrams.output.draw import draw_diagram
    fig, axes = plt.subplots(1, 2, figsize=(10, 3))
    from diagrams.models.random_features.model import MODEL
    draw_diagram(c, ax=axes[0], coefficient=term.coefficient, notation=MODEL)
    draw_diagram(nonplanar[1], ax=axes[1], coefficient=nonplanar[0].coefficient, notation=MODEL)
    axes[0].set_title("planar (order 2)", fontsize=9)
    axes[1].set_title("non-planar (order 2)", fontsize=9)
    plt.show()
else:
    print("diagrams.output.draw is not in this checkout")"""),
        code("""\
if have("diagrams.output.tikz"):
    from diagrams.output.tikz import tikz_diagram
    code = tikz_diagram(c)
    print("\\n".join(code.splitlines()[:12]), "\\n...", len(code.splitlines()), "lines")
else:
    print("diagrams.output.tikz is not in this checkout")"""),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def scaling_laws() -> nbformat.NotebookNode:
    md, code = new_markdown_cell, new_code_cell
    cells = [
        md("""\
# Scaling laws and the role of regularisation (paper Sec. IV, Figs. 2 and 3)

Power-law data $\\lambda_I = \\lambda_+ I^{-(1+\\alpha)}$, $I = 1..M$.  Solid curves: the planar
closed form (Eq. 104); dashed: the approximation formulas of Secs. IV.3–IV.4; markers: direct
simulations of the model (mean ± one standard error).  The figures here use `quick=True` (small
$M$, few trials); `diagrams figures --out DIR` writes the full versions."""),
        code(SETUP + """\
from diagrams.output import figures as F
from diagrams.models.random_features import scaling as sc
QUICK = True"""),
        md("""\
## Fig. 2, top left: loss against the ridge

Several $N$ at fixed $T$: the minimum (dot) is at a nonzero $\\gamma^*$.  Over-regularisation
always costs; under-regularisation matters only near $N = T$, where the loss diverges as
$\\gamma\\to0$."""),
        code("""\
fig = F.fig_loss_vs_gamma(quick=QUICK)
d = fig.data
for N in d["N"]:
    print(f"N={N:4d}  gamma* = {d['gamma_star'][N]:.3e}   L* = {d['loss_star'][N]:.3e}")
fig"""),
        md("""\
## Fig. 2, top right: double descent and its regularisation

Ridgeless ($\\gamma\\to0$) the loss diverges at $N = T$; a small ridge lowers the peak, the
ridge that is optimal at $N=T$ gives a monotonic curve, a large ridge lifts the whole curve; the
optimal ridge at each $N$ is below all of them."""),
        code("""\
fig = F.fig_loss_vs_N(quick=QUICK)
d = fig.data
print("ridgeless curve peaks at N =", round(float(d["N"][np.nanargmax(d["ridgeless"])]), 2), " (T =", d["T"], ")")
worst = min(np.min(L / d["optimal"]) for _, _, L in d["fixed"])
print("min over N and fixed ridges of L(gamma)/L(gamma*):", round(float(worst), 6), "(>= 1)")
fig"""),
        md("""\
## Fig. 2, bottom: ridgeless against optimal

The optimal loss has no singularity; it falls like a power law and plateaus once $N \\gg T$
(left) or $T \\gg N$ (right).  The two panels agree by the $N\\leftrightarrow T$ symmetry."""),
        code("""\
fig = F.fig_ridgeless_vs_optimal(quick=QUICK)
fig"""),
        md("""\
## Fig. 3: the optimal ridge

$\\gamma^* \\propto (1/N + 1/T)^{\\alpha-1}$: growing with $N$ for $\\alpha<1$, nearly constant
($\\approx \\pi^2/(4M)$) at $\\alpha=1$, falling for $\\alpha>1$, and flat once $N\\gg T$.  The last panel
compares with the minimum of the simulated loss."""),
        code("""\
fig = F.fig_optimal_ridge(quick=QUICK)
ck = fig.data["check"]
print("simulated gamma* / Eq. (104) gamma*:",
      np.round(ck["sim"]["gamma"] / np.interp(ck["sim"]["N"], ck["N"], ck["exact"]), 3))
fig"""),
        md("""\
## The scaling exponent against $\\alpha$

At fixed $T/N$ the approximation gives $L^* \\propto N^{-\\alpha}$ exactly; the exact minimum of
Eq. (104) at finite $M$ is fitted over a range of $N = T$."""),
        code("""\
fig = F.fig_exponent_vs_alpha(quick=QUICK)
d = fig.data
print(" alpha   fitted (Eq. 104)   approximation")
for a, e, s, ap in zip(d["alpha"], d["exact"], d["exact_stderr"], d["approx"]):
    print(f"{a:6.2f}   {e:7.3f} +- {s:.3f}   {ap:9.3f}")
fig"""),
        md("## Approximations against the exact optimum at large $M$"),
        code("""\
M = 20000
print(" alpha   N    T    L*_approx/L*_exact   gamma*_approx/gamma*_exact")
for a in (0.5, 1.0, 2.0):
    for N, T in ((50, 200), (100, 100)):
        ex = sc.exact_optimum(N, T, a, M)
        print(f"{a:6.1f} {N:4d} {T:4d}   {sc.optimal_loss_approx(N, T, a, M) / ex.loss:10.3f}"
              f"   {sc.optimal_ridge_approx(N, T, a, M) / ex.gamma:14.3f}")"""),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    return nb


NOTEBOOKS = {"tour.ipynb": tour, "scaling_laws.ipynb": scaling_laws}


def main(out_dir=HERE) -> list[Path]:
    out_dir = Path(out_dir)
    paths = []
    for name, build in NOTEBOOKS.items():
        nb = build()
        for i, cell in enumerate(nb.cells):      # stable ids: regenerating gives identical files
            cell["id"] = f"{Path(name).stem}-{i:02d}"
        nbformat.validate(nb)
        path = out_dir / name
        nbformat.write(nb, str(path))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in main(*sys.argv[1:]):
        print(p)
