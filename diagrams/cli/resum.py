"""``diagrams resum``: rebuild the closed form by resumming classes of planar diagrams.

Prints the expressions the toolkit derives (consistency relation, self-energies, resummation factor
``R``, primary diagrams ``P``, ``<L> = C sigma_w^2/(2M) R P``) as sympy and LaTeX strings, and a
per-class, per-order table of "diagram sum vs closed expression".  Without numbers the check is
symbolic (``Sigma = sigma_u2/M 1``, ``Lambdahat = Lambda``); with ``--N --T --spectrum`` it is in
exact rationals.  With ``--gamma`` (and numbers) the numeric values of ``R``, the primary sum and
``<L>`` are printed too.  Exit status 1 when a class fails to match.
"""

from __future__ import annotations


import sympy

from diagrams.cli.options import add_json, add_model_options, read_values, write_json
from diagrams.engine.numbers import read_fraction

#: Default and largest orders (symbolic checks beyond 6 get slow; exact ones are fine to 7).
DEFAULT_ORDER = 4
MAX_ORDER = 8


def register(sub, model) -> None:
    p = sub.add_parser(
        "resum",
        help="resum classes of planar diagrams into the closed form and check them order by order",
        description="Classify the planar diagrams (1PI self-energies, top-bottom barriers, latent "
                    "structure), rebuild the resummation factor and the primary diagrams as closed "
                    "expressions, and compare each class sum with the series of its expression, "
                    "order by order in 1/gamma.  Exit status 1 if a class fails to match.")
    p.add_argument("--order", default=str(DEFAULT_ORDER), metavar="K",
                   help=f"highest order K in 1/gamma (default {DEFAULT_ORDER}, at most {MAX_ORDER})")
    p.add_argument("--gamma", metavar="g", help="ridge: print numeric R, primary sum and <L> (needs numbers)")
    p.add_argument("--filter", metavar="SPEC",
                   help="also count and sum the planar loss diagrams passing a filter, e.g. 'twopi' or "
                        "'top-bottom-u=2,!connected' (see diagrams.models.random_features.classify.make_filter)")
    p.add_argument("--no-hops", action="store_true", help="skip the hop-class rows (faster)")
    add_json(p)
    add_model_options(p, model)
    p.set_defaults(func=run)


def _order(text) -> int:
    from diagrams.cli.options import read_order

    return read_order(text, MAX_ORDER)


def _env(args, model):
    from diagrams.models.random_features.resolvent import ExactEnv, SymbolicEnv

    given = [p.name for p in model.parameters if p.default is None and getattr(args, p.name, None) is not None]
    if not given and getattr(args, "spectrum__alpha", None) is None:
        return None, SymbolicEnv()
    vals = read_values(args, model, require=[p.name for p in model.parameters])
    if vals.get("label_noise") or vals["spectrum_test"] is not vals["spectrum"] and \
            list(vals["spectrum_test"]) != list(vals["spectrum"]):
        raise ValueError("--label-noise, --spectrum-test: the resummation classes are those of Eq. 104 "
                         "(no label noise, no covariate shift)")
    from diagrams.models.declaration import PowerLaw, power_law_exact

    spec = power_law_exact(vals["spectrum"]) if isinstance(vals["spectrum"], PowerLaw) else vals["spectrum"]
    params = {"N": vals["N"], "T": vals["T"], "spectrum": spec, "sigma_u2": vals["sigma_u2"],
              "sigma_w2": vals["sigma_w2"], "C": vals["C"]}
    return params, ExactEnv(params["N"], params["T"], params["spectrum"], params["sigma_u2"])


def _latex(obj, model=None) -> str:
    try:
        from diagrams.output.latex import to_latex
    except ImportError:  # pragma: no cover - the LaTeX module is optional
        if isinstance(obj, tuple):
            return " = ".join([sympy.latex(obj[0].lhs)] + [sympy.latex(e.rhs) for e in obj])
        return sympy.latex(obj)
    return to_latex(obj, notation=model)


def _chain_str(eqs) -> str:
    return " = ".join([str(eqs[0].lhs)] + [str(e.rhs) for e in eqs])


def _fmt(v) -> str:
    return str(v)


def _filter_rows(spec: str, order: int, env) -> list:
    from diagrams.models.random_features.classify import make_filter
    from diagrams.models.random_features.expansion import loss_diagrams
    from diagrams.engine.symbols import canonical_cycle

    pred = make_filter(spec)
    rows = []
    for k in range(order + 1):
        n = 0
        total = env.zero
        for term, c in loss_diagrams(k, "planar", mirror=True):
            if not pred(term, c):
                continue
            n += 1
            faces = [(f.space.name, canonical_cycle(f.covariances)) for f in c.faces]
            faces.remove(("test", ()))
            total = total + env.coerce(term.coefficient) * env.monomial(tuple(sorted(faces)))
        rows.append({"order": k, "diagrams": n, "sum": str(env.to_sympy(total))})
    return rows


def run(args, model) -> int:
    if "resum" not in model.analyses:
        raise ValueError(f"--model: the resummation classes exist only for the random-features model, not {model.name}")
    from diagrams.engine.progress import Progress
    from diagrams.models.random_features import resum

    order = _order(args.order)
    params, env = _env(args, model)
    gamma_value = None
    if args.gamma is not None:
        gamma_value = read_fraction(args.gamma, "--gamma", minimum=0, strict_minimum=True)
        if params is None:
            raise ValueError("--gamma: numeric values need numbers (give --N, --T and --spectrum)")
    filter_rows = _filter_rows(args.filter, order, env) if args.filter else None

    with Progress(total=3, desc="resum", unit="step") as bar:
        rows = resum.check_propagators(order, env)
        bar(1)
        rows += resum.check_factorisation(order, env)
        bar(1)
        if not args.no_hops:
            rows += resum.check_hops(order, env)
        bar(1)
    rel = resum.derive_consistency_relation()
    res = resum.derive_resummation()
    exprs = resum.expressions()
    numeric = None
    if gamma_value is not None:
        vals = resum.resummed_values(params["N"], params["T"], gamma_value, params["spectrum"],
                                     params["sigma_u2"], params["sigma_w2"], params["C"])
        numeric = {k: float(vals[k]) for k in ("q", "Q", "xi", "l", "A", "B", "G", "R", "P", "primary", "loss")}
    failed = [r for r in rows if not r["match"]]
    ok = not failed and res["sum == R P"] and res["R P == l/D"]

    shown = ["t", "l", "r_c", "v", "r_dp", "A", "B", "G", "R", "P", "loss"]
    if args.json:
        out = {
            "order": order,
            "mode": "exact" if params else "symbolic (Sigma = sigma_u2/M 1, Lambdahat = Lambda)",
            "parameters": None if params is None else {
                "N": str(params["N"]), "T": str(params["T"]), "spectrum": [str(x) for x in params["spectrum"]],
                "sigma_u2": str(params["sigma_u2"]), "sigma_w2": str(params["sigma_w2"]), "C": str(params["C"])},
            "consistency_relation": {"sympy": _chain_str(rel), "latex": _latex(rel, model)},
            "expressions": {k: {"sympy": str(exprs[k]), "latex": _latex(exprs[k], model)} for k in shown},
            "resummation": {"sum_over_classes": str(res["sum_symbols"]), "primary": str(res["primary_symbols"]),
                            "sum == R P": bool(res["sum == R P"]), "R P == l/D": bool(res["R P == l/D"])},
            "rows": [{
                "group": r["group"], "class": r["class"], "rule": r.get("rule", ""),
                "counts": r.get("counts"), "match": bool(r["match"]), "matches": [bool(m) for m in r["matches"]],
                **({"diagrams": [_fmt(x) for x in r["diagrams"]], "closed": [_fmt(x) for x in r["closed"]]}
                   if "diagrams" in r else {}),
            } for r in rows],
            "numeric": None if numeric is None else {"gamma": str(gamma_value), **numeric},
            "filter": None if filter_rows is None else {"spec": args.filter, "orders": filter_rows},
            "ok": bool(ok),
        }
        write_json(out)
        return 0 if ok else 1

    mode = ("exact rationals at N=%s, T=%s, spectrum=%s, sigma_u2=%s" % (
        params["N"], params["T"], ",".join(str(x) for x in params["spectrum"]), params["sigma_u2"])
        if params else "symbolic, Sigma = sigma_u2/M 1 and Lambdahat = Lambda")
    print(f"Resummation of the planar diagrams of <L> to order {order} in 1/gamma ({mode})")
    print()
    print("Consistency relation, from the 1PI self-energies Pi_T = -N<q> t, Pi_N = -T<Q> t and Dyson:")
    print("  " + _chain_str(rel))
    print("  LaTeX: " + _latex(rel, model))
    print()
    print("Rebuilt expressions (tr_resolvent(a, p, k, h) = tr[Lambdahat^h (Lambda Sigma)^p (1 + a Lambda Sigma)^-k]):")
    for k in shown:
        print(f"  {k} = {exprs[k]}")
        print(f"      LaTeX: {_latex(exprs[k], model)}")
    print()
    print(f"Sum over all barrier words (automaton): {res['sum_symbols']}")
    print(f"  = R P: {res['sum == R P']};  R P = l/D (Eq. 104): {res['R P == l/D']}")
    print()
    print("Per class and order: diagram sum vs closed expression (ok = equal; class sums in units of "
          "C sigma_w2/(2M))")
    w1 = max(len(r["class"]) for r in rows)
    w2 = max(len(r.get("rule", "")) for r in rows)
    head = "  ".join(f"{k:>4}" for k in range(order + 1))
    print(f"{'group':<17} {'class':<{w1}}  {'closed expression':<{w2}}  {head}")
    for r in rows:
        marks = "  ".join(f"{('ok' if m else 'FAIL'):>4}" for m in r["matches"])
        print(f"{r['group']:<17} {r['class']:<{w1}}  {r.get('rule', ''):<{w2}}  {marks}")
    if filter_rows is not None:
        print()
        print(f"Planar loss diagrams passing filter {args.filter!r} (sum without the prefactor):")
        for fr in filter_rows:
            print(f"  order {fr['order']}: {fr['diagrams']} diagrams, sum {fr['sum']}")
    if numeric is not None:
        print()
        print(f"Numbers at gamma = {gamma_value} (derived relation solved numerically):")
        print(f"  <q> = {numeric['q']:.15g}   <Q> = {numeric['Q']:.15g}   xi = {numeric['xi']:.15g}")
        print(f"  resummation factor R = {numeric['R']:.15g}")
        print(f"  primary diagrams C sigma_w2/(2M) P = {numeric['primary']:.15g}")
        print(f"  <L> = R x primary = {numeric['loss']:.15g}")
    print()
    if ok:
        print(f"All {len(rows)} classes match at every order 0..{order}.")
    else:
        print(f"FAILED: {len(failed)} class(es) do not match: " + "; ".join(r["class"] for r in failed))
    return 0 if ok else 1
