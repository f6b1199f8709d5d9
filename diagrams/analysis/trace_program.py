r"""Evaluating rational expressions summed over spectra, in any number type, one pass per evaluation.

The Dyson equations (:mod:`diagrams.analysis.dyson`) are sums over the eigenvalues of a space of
rational functions of a few scalar unknowns (:class:`~diagrams.analysis.dyson.SpaceTrace`).  A
:class:`TraceProgram` compiles a list of them (and plain scalar expressions) once into a DAG of
``+ - * /`` nodes, equal sub-expressions shared (hash-consing), and evaluates it in any *backend*:

* numpy float arrays, vectorised over the eigenvalues and over a grid of ridges (:class:`NumpyBackend`);
* mpmath numbers at chosen precision, exact Fractions, truncated power series (the engine's
  :class:`~diagrams.engine.series.Series` with Fraction or sympy coefficients, or python-flint's
  ``fmpq_series``) -- :class:`ObjectBackend`, vectors as lists.

Every node has a *tier*: whether it depends on the eigenvalues (a vector) and whether it depends on
the *variables* (ridge, unknowns).  Nodes that do not depend on the variables are evaluated once per
:class:`Context` (parameter values and spectra) and cached, so a Newton iteration only pays for the
nodes that combine variables with eigenvalues.  Sums and products are regrouped by tier (scalar
factors multiplied together before they meet a vector), and a trace ``tr[c(scalars) g(eigenvalues,
scalars)]`` is computed as ``c * sum(g)``, equal ``g``'s summed once.

>>> import sympy
>>> from diagrams.engine.spaces import Space
>>> from diagrams.analysis.pencil import diagonal_symbol
>>> from diagrams.analysis.dyson import SpaceTrace
>>> V = Space("latent", "M")
>>> lam, a = diagonal_symbol("Lambda", V), sympy.Symbol("a")
>>> prog = TraceProgram([SpaceTrace(V, 2 * a * lam / (1 + a * lam))], [a])
>>> ctx = Context(prog, NumpyBackend(), {}, {"latent": {"Lambda": [1.0, 0.5]}})
>>> float(prog.run(ctx, {a: 1.0})[0][0, 0])       # 2 (1/2 + 0.5/1.5)
1.6666666666666665
>>> from fractions import Fraction
>>> prog.run(Context(prog, ObjectBackend.exact(), {}, {"latent": {"Lambda": [1, Fraction(1, 2)]}}), {a: 1})[0]
Fraction(5, 3)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import sympy

from diagrams.analysis.pencil import DiagonalSymbol

__all__ = ["TraceProgram", "Context", "NumpyBackend", "ObjectBackend"]


class _Node:
    __slots__ = ("op", "args", "vec", "var", "data")

    def __init__(self, op, args, vec, var, data=None):
        self.op, self.args, self.vec, self.var, self.data = op, tuple(args), vec, var, data


class TraceProgram:
    """A compiled list of outputs (each a :class:`~diagrams.analysis.dyson.SpaceTrace`, a scalar sympy
    expression, or a list of them to be added) in the ``variables``; every other symbol is a parameter
    or a diagonal symbol."""

    def __init__(self, outputs: Sequence, variables: Sequence[sympy.Symbol]):
        from diagrams.analysis.dyson import SpaceTrace

        self.variables = list(variables)
        self._var_index = {v: i for i, v in enumerate(self.variables)}
        self.nodes: list[_Node] = []
        self._memo: dict = {}
        self.parameters: set = set()
        self.spaces: dict = {}          # space name -> Space
        self.eigen: dict = {}           # space name -> set of diagonal names
        self.outputs = []
        for out in outputs:
            parts = out if isinstance(out, (list, tuple)) else [out]
            ids = [self._trace(p) if isinstance(p, SpaceTrace) else self._expr(sympy.sympify(p)) for p in parts]
            self.outputs.append(self._combine("add", ids))
        self._finish()

    # -- construction --------------------------------------------------------------------------
    def _add(self, op, args, vec, var, data=None, key=None) -> int:
        if key is not None and key in self._memo:
            return self._memo[key]
        self.nodes.append(_Node(op, args, vec, var, data))
        i = len(self.nodes) - 1
        if key is not None:
            self._memo[key] = i
        return i

    def _leaf(self, s: sympy.Symbol) -> int:
        if isinstance(s, DiagonalSymbol):
            self.spaces[s.space.name] = s.space
            self.eigen.setdefault(s.space.name, set()).add(s.name)
            return self._add("eigen", (), True, False, (s.space.name, s.name), key=("sym", s))
        if s in self._var_index:
            return self._add("var", (), False, True, self._var_index[s], key=("sym", s))
        self.parameters.add(s)
        return self._add("param", (), False, False, s, key=("sym", s))

    def _const(self, value) -> int:
        f = Fraction(int(value.p), int(value.q))
        return self._add("const", (), False, False, f, key=("const", f))

    def _tier(self, i):
        n = self.nodes[i]
        return (n.var, n.vec)

    def _combine(self, op: str, ids: list) -> int:
        """Combine ``ids`` with a commutative ``op`` ("add"/"mul"), cheapest tiers first."""
        if not ids:
            return self._const(sympy.Integer(0 if op == "add" else 1))
        groups: dict = {}
        for i in ids:
            groups.setdefault(self._tier(i), []).append(i)
        # order: parameters (scalar, vector) are cached; variable scalars are cheap; variable vectors last
        order = [(False, False), (False, True), (True, False), (True, True)]
        acc = None
        for tier in order:
            for i in sorted(groups.get(tier, [])):
                acc = i if acc is None else self._binary(op, acc, i)
        return acc

    def _binary(self, op: str, a: int, b: int) -> int:
        na, nb = self.nodes[a], self.nodes[b]
        if op in ("add", "mul"):
            a, b = min(a, b), max(a, b)
        return self._add(op, (a, b), na.vec or nb.vec, na.var or nb.var, key=(op, a, b))

    def _power(self, base: int, n: int) -> int:
        result, sq = None, base
        while n:
            if n & 1:
                result = sq if result is None else self._binary("mul", result, sq)
            n >>= 1
            if n:
                sq = self._binary("mul", sq, sq)
        return result

    def _expr(self, e) -> int:
        key = ("expr", e)
        if key in self._memo:
            return self._memo[key]
        if e.is_Rational:
            out = self._const(e)
        elif e.is_Symbol:
            out = self._leaf(e)
        elif e.is_Add:
            out = self._combine("add", [self._expr(a) for a in e.args])
        elif e.is_Mul:
            num, den = [], []
            for f in e.args:
                if f.is_Pow and f.exp.is_Integer and f.exp < 0:
                    den.append(self._expr(f.base) if f.exp == -1 else self._power(self._expr(f.base), int(-f.exp)))
                elif f.is_Rational and f.q != 1:
                    num.append(self._const(sympy.Integer(f.p)) if f.p != 1 else None)
                    den.append(self._const(sympy.Integer(f.q)))
                else:
                    num.append(self._expr(f))
            num = [x for x in num if x is not None]
            top = self._combine("mul", num)
            out = top if not den else self._binary("div", top, self._combine("mul", den))
        elif e.is_Pow and e.exp.is_Integer:
            n = int(e.exp)
            base = self._expr(e.base)
            if n >= 0:
                out = self._power(base, n) if n else self._const(sympy.Integer(1))
            else:
                out = self._binary("div", self._const(sympy.Integer(1)), self._power(base, -n))
        else:
            raise ValueError(f"trace program: cannot evaluate {e} (only + - * / and integer powers)")
        self._memo[key] = out
        return out

    def _trace(self, tr) -> int:
        space = tr.space
        self.spaces[space.name] = space
        eig = sorted({s for s in sympy.sympify(tr.summand).free_symbols
                      if isinstance(s, DiagonalSymbol) and s.space == space}, key=lambda s: s.name)
        size = self._add("size", (), False, False, space.name, key=("size", space.name))
        terms = sympy.Add.make_args(sympy.expand(tr.summand, deep=False, mul=True, multinomial=False,
                                                 power_exp=False, power_base=False, log=False))
        pieces: dict = {}
        order = []
        for t in terms:
            if eig:
                scalar, part = t.as_independent(*eig, as_Add=False)
            else:
                scalar, part = t, sympy.Integer(1)
            if part not in pieces:
                pieces[part] = sympy.Integer(0)
                order.append(part)
            pieces[part] += scalar
        outs = []
        for part in order:
            scalar = self._expr(sympy.sympify(pieces[part]))
            if part == 1:
                s = size
            else:
                g = self._expr(part)
                s = self._add("sum", (g,), False, self.nodes[g].var, space.name, key=("sum", g, space.name))
            outs.append(self._binary("mul", scalar, s))
        return self._combine("add", outs)

    def _finish(self) -> None:
        n = len(self.nodes)
        self.last_use = [-1] * n
        for i, node in enumerate(self.nodes):
            for a in node.args:
                self.last_use[a] = i
        for o in self.outputs:
            self.last_use[o] = n
        self.cost = sum(1 for node in self.nodes if node.vec and node.var)

    # -- evaluation ----------------------------------------------------------------------------
    def run(self, ctx: "Context", values: Mapping) -> list:
        """The outputs at ``values`` (``{variable: value}``) in the context's backend."""
        cache = ctx.cache
        if not ctx.ready:
            var_values = [None] * len(self.variables)
            for i, node in enumerate(self.nodes):
                if not node.var:
                    cache[i] = self._eval(node, ctx, cache, var_values)
            ctx.ready = True
        fn = self._function(getattr(ctx.backend, "operators", False))
        return fn([values[v] for v in self.variables], cache, ctx.backend, ctx)

    def _function(self, operators: bool):
        """The variable part of the program as straight-line Python (compiled once per flavour)."""
        key = "_fn_ops" if operators else "_fn_calls"
        fn = getattr(self, key, None)
        if fn is not None:
            return fn
        nodes, last = self.nodes, self.last_use

        def ref(a):
            return f"t{a}" if nodes[a].var else f"C[{a}]"

        lines = ["def _program(V, C, be, ctx):"]
        symbols = {"add": "+", "mul": "*", "div": "/"}
        for i, node in enumerate(nodes):
            if not node.var:
                continue
            op = node.op
            if op == "var":
                lines.append(f"    t{i} = V[{node.data}]")
            elif op == "sum":
                lines.append(f"    t{i} = be.sum({ref(node.args[0])}, ctx.weights({node.data!r}), ctx, {node.data!r})")
            elif op in symbols:
                a, b = ref(node.args[0]), ref(node.args[1])
                lines.append(f"    t{i} = {a} {symbols[op]} {b}" if operators else f"    t{i} = be.{op}({a}, {b})")
            else:
                raise ValueError(f"trace program: unknown node {op}")
            dead = [a for a in set(node.args) if nodes[a].var and last[a] == i]
            if dead:
                lines.append("    del " + ", ".join(f"t{a}" for a in dead))
        lines.append("    return [" + ", ".join(ref(o) for o in self.outputs) + "]")
        namespace: dict = {}
        exec(compile("\n".join(lines), f"<trace program {id(self)}>", "exec"), namespace)
        fn = namespace["_program"]
        setattr(self, key, fn)
        return fn

    def _eval(self, node, ctx, store, var_values):
        be = ctx.backend
        op = node.op
        if op == "const":
            return be.const(node.data)
        if op == "param":
            return ctx.param(node.data)
        if op == "var":
            return var_values[node.data]
        if op == "eigen":
            return ctx.eigen(*node.data)
        if op == "size":
            return ctx.size(node.data)
        a = store[node.args[0]]
        if op == "sum":
            return be.sum(a, ctx.weights(node.data), ctx, node.data)
        b = store[node.args[1]]
        if op == "add":
            return be.add(a, b)
        if op == "mul":
            return be.mul(a, b)
        if op == "div":
            return be.div(a, b)
        raise ValueError(f"trace program: unknown node {op}")


class Context:
    """Parameter values and spectra for a :class:`TraceProgram` in a backend (caches what does not vary).

    ``parameters``: ``{symbol or name: value}`` (exact values are converted by the backend);
    ``spectra``: ``{space name: {diagonal name: values}}``; ``sizes``: ``{space name: size}`` (default:
    the length of the space's spectra or the parameter of its size symbol); ``weights``: ``{space
    name: multiplicities}`` for a compressed spectrum (sums become weighted sums).
    """

    def __init__(self, program: TraceProgram, backend, parameters: Mapping, spectra: Mapping,
                 sizes: Mapping | None = None, weights: Mapping | None = None):
        self.program, self.backend = program, backend
        self.cache: dict = {}
        self.ready = False
        self._params = {}
        for k, v in parameters.items():
            self._params[k if isinstance(k, str) else k.name] = v
        self._spectra = {sp: {name: backend.vector(vals) for name, vals in d.items()} for sp, d in spectra.items()}
        self._weights = {sp: backend.weights(w) for sp, w in (weights or {}).items()}
        self._sizes = dict(sizes or {})

    def param(self, sym):
        try:
            v = self._params[sym.name]
        except KeyError:
            raise ValueError(f"values: no value for {sym}") from None
        return self.backend.number(v)

    def eigen(self, space: str, name: str):
        try:
            return self._spectra[space][name]
        except KeyError:
            raise ValueError(f"values: no spectrum for {name} on space {space}") from None

    def weights(self, space: str):
        return self._weights.get(space)

    def size(self, space: str):
        if space in self._sizes:
            return self.backend.number(self._sizes[space])
        sp = self.program.spaces[space]
        if sp.size.name in self._params:
            return self.backend.number(self._params[sp.size.name])
        if space in self._spectra and self._spectra[space]:
            return self.backend.number(self.backend.length(next(iter(self._spectra[space].values()))))
        raise ValueError(f"values: no size for space {space}")


class NumpyBackend:
    """Double precision; vectors are arrays ``(1, M)``, variables arrays ``(G, 1)`` (or scalars)."""

    operators = True

    def const(self, f: Fraction):
        return f.numerator / f.denominator

    def number(self, v):
        if isinstance(v, Fraction):
            return v.numerator / v.denominator
        return float(v)

    def vector(self, values):
        import numpy as np

        return np.asarray(values, dtype=float).reshape(1, -1)

    def weights(self, w):
        import numpy as np

        return np.asarray(w, dtype=float).ravel()

    def length(self, v) -> int:
        return v.shape[-1]

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def mul(a, b):
        return a * b

    @staticmethod
    def div(a, b):
        return a / b

    @staticmethod
    def sum(v, w, ctx, space):
        import numpy as np

        v = np.asarray(v)
        if w is None:
            return v.sum(axis=-1, keepdims=True)
        return (v @ w)[..., None] if v.ndim > 1 else np.asarray(v @ w)


class ObjectBackend:
    """Python objects (mpmath, Fraction, series); vectors are lists, operations elementwise.

    Build with :meth:`mp`, :meth:`exact`, :meth:`series` or directly with a ``number`` conversion
    and a ``total`` (sum of a list; for the symbolic series a trace map).
    """

    def __init__(self, number: Callable, total: Callable | None = None, const: Callable | None = None):
        self._number = number
        self._total = total or (lambda xs, space: sum(xs[1:], xs[0]))
        self._const = const or number

    @classmethod
    def mp(cls) -> "ObjectBackend":
        import mpmath

        def number(v):
            if isinstance(v, Fraction):
                return mpmath.mpf(v.numerator) / v.denominator
            return mpmath.mpf(v)

        return cls(number, lambda xs, space: mpmath.fsum(xs))

    @classmethod
    def exact(cls) -> "ObjectBackend":
        return cls(lambda v: Fraction(v))

    def const(self, f: Fraction):
        return self._const(f)

    def number(self, v):
        return self._number(v)

    def vector(self, values):
        return [self._number(v) for v in values]

    def weights(self, w):
        return [self._number(v) for v in w]

    @staticmethod
    def length(v) -> int:
        return len(v)

    @staticmethod
    def _map(op, a, b):
        la, lb = isinstance(a, list), isinstance(b, list)
        if la and lb:
            return [op(x, y) for x, y in zip(a, b)]
        if la:
            return [op(x, b) for x in a]
        if lb:
            return [op(a, y) for y in b]
        return op(a, b)

    def add(self, a, b):
        return self._map(lambda x, y: x + y, a, b)

    def mul(self, a, b):
        return self._map(lambda x, y: x * y, a, b)

    def div(self, a, b):
        return self._map(lambda x, y: x / y, a, b)

    def sum(self, v, w, ctx, space):
        if not isinstance(v, list):
            raise ValueError("internal: a trace of a scalar")
        if w is not None:
            v = [x * y for x, y in zip(v, w)]
        return self._total(v, space)
