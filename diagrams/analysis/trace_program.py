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
    """A list of traces over spectra and scalar expressions compiled into one shared ``+ - * /`` DAG.

    Each output is a :class:`~diagrams.analysis.dyson.SpaceTrace`, a scalar sympy expression, or a
    list of them to be added, in the ``variables``; every other symbol is a parameter or a diagonal
    symbol.  :meth:`run` evaluates the outputs in a :class:`Context`.  Attributes: ``variables``,
    ``parameters`` (the parameter symbols), ``spaces`` and ``eigen`` (space name -> its diagonal
    names), ``cost`` (the nodes combining variables with eigenvalues).

    Parameters
    ----------
    outputs : sequence
        The outputs, as above.
    variables : sequence of sympy.Symbol
        The variables (ridge, unknowns), given to :meth:`run` at each evaluation.

    Raises
    ------
    ValueError
        If an output is not built from ``+ - * /`` and integer powers.

    Examples
    --------
    >>> import sympy
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.analysis.pencil import diagonal_symbol
    >>> from diagrams.analysis.dyson import SpaceTrace
    >>> V = Space("latent", "M")
    >>> lam, a, c = diagonal_symbol("Lambda", V), sympy.Symbol("a"), sympy.Symbol("c")
    >>> prog = TraceProgram([SpaceTrace(V, c * lam / (1 + a * lam)), a * c], [a])
    >>> prog.variables, sorted(map(str, prog.parameters)), prog.eigen
    ([a], ['c'], {'latent': {'Lambda'}})
    >>> ctx = Context(prog, ObjectBackend.exact(), {"c": 2}, {"latent": {"Lambda": [1, 3]}})
    >>> prog.run(ctx, {a: 1})
    [Fraction(5, 2), Fraction(2, 1)]
    >>> TraceProgram([sympy.exp(a)], [a])
    Traceback (most recent call last):
    ...
    ValueError: trace program: cannot evaluate exp(a) (only + - * / and integer powers)
    """

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

    def _fold(self, op: str, ids: list):
        acc = None
        for i in sorted(ids):
            acc = i if acc is None else self._binary(op, acc, i)
        return acc

    def _combine(self, op: str, ids: list) -> int:
        """Combine ``ids`` with a commutative ``op`` ("add"/"mul") at the least cost: parameter scalars
        folded into parameter vectors (cached), variable scalars combined among themselves, and only then
        the (few) operations that touch a variable vector."""
        if not ids:
            return self._const(sympy.Integer(0 if op == "add" else 1))
        groups: dict = {}
        for i in ids:
            groups.setdefault(self._tier(i), []).append(i)
        ps, pv = groups.get((False, False), []), groups.get((False, True), [])
        vs, vv = groups.get((True, False), []), groups.get((True, True), [])
        if pv:
            base, scalar = self._fold(op, ps + pv), self._fold(op, vs)
        else:
            base, scalar = None, self._fold(op, ps + vs)
        acc = base
        if scalar is not None:
            acc = scalar if acc is None else self._binary(op, acc, scalar)
        for i in sorted(vv):
            acc = i if acc is None else self._binary(op, acc, i)
        return acc

    def _binary(self, op: str, a: int, b: int) -> int:
        na, nb = self.nodes[a], self.nodes[b]
        if op in ("add", "mul"):
            a, b = min(a, b), max(a, b)
        return self._add(op, (a, b), na.vec or nb.vec, na.var or nb.var, key=(op, a, b))

    def _recip(self, base: int) -> int:
        return self._binary("div", self._const(sympy.Integer(1)), base)

    def _power(self, base: int, n: int) -> int:
        result, sq = None, base
        while n:
            if n & 1:
                result = sq if result is None else self._binary("mul", result, sq)
            n >>= 1
            if n:
                sq = self._binary("mul", sq, sq)
        return result

    def _factor(self, f) -> int:
        """One factor of a product: ``b^-n`` as the n-th power of the (shared) reciprocal of ``b``."""
        if f.is_Pow and f.exp.is_Integer and f.exp < 0:
            return self._power(self._recip(self._expr(f.base)), int(-f.exp))
        return self._expr(f)

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
            out = self._combine("mul", [self._factor(f) for f in e.args])
        elif e.is_Pow and e.exp.is_Integer:
            n = int(e.exp)
            if n == 0:
                out = self._const(sympy.Integer(1))
            else:
                out = self._factor(e) if n < 0 else self._power(self._expr(e.base), n)
        else:
            raise ValueError(f"trace program: cannot evaluate {e} (only + - * / and integer powers)")
        self._memo[key] = out
        return out

    def _trace(self, tr) -> int:
        """``sum_I summand``: scalars pulled out, each remaining part ``P(eigenvalues) R(eigenvalues,
        variables)`` summed as a dot product of ``R`` with the cached ``P`` (times any weights)."""
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
        variables = set(self.variables)
        outs = []
        for part in order:
            scalar = self._expr(sympy.sympify(pieces[part]))
            if part == 1:
                s = size
            else:
                fixed, varying = [], []
                for f in sympy.Mul.make_args(part):
                    (varying if f.free_symbols & variables else fixed).append(f)
                if not varying:
                    g = self._expr(part)
                    s = self._add("sum", (g,), False, False, space.name, key=("sum", g, None, space.name))
                else:
                    r = self._expr(sympy.Mul(*varying))
                    pv = self._expr(sympy.Mul(*fixed)) if fixed else None
                    args = (r,) if pv is None else (r, pv)
                    s = self._add("sum", args, False, self.nodes[r].var, space.name, key=("sum", r, pv, space.name))
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
            shared = ctx.shared
            for i, node in enumerate(self.nodes):
                if not node.var:
                    if node.vec and shared is not None:
                        key = self._signature(i)
                        if key not in shared:
                            shared[key] = self._eval(node, ctx, cache, var_values)
                        cache[i] = shared[key]
                    else:
                        cache[i] = self._eval(node, ctx, cache, var_values)
            ctx.ready = True
        fn = self._function(getattr(ctx.backend, "operators", False))
        return fn([values[v] for v in self.variables], cache, ctx.backend, ctx)

    def _signature(self, i: int):
        """A key equal for equal parameter-tier nodes of any program (to share their values)."""
        sigs = self.__dict__.setdefault("_sigs", {})
        if i not in sigs:
            n = self.nodes[i]
            data = n.data if n.op in ("eigen", "const", "size") else (n.data.name if n.op == "param" else None)
            sigs[i] = (n.op, data, tuple(self._signature(a) for a in n.args))
        return sigs[i]

    def _function(self, operators: bool):
        """The variable part of the program as straight-line Python (compiled once per flavour).

        With ``operators`` (numpy) and the vector nodes on one space, the part that touches vectors runs
        in a loop over slices of the eigenvalue axis (``ctx.slices``), the traces accumulated, so the
        temporaries stay in cache however long the spectrum is.
        """
        key = "_fn_ops" if operators else "_fn_calls"
        fn = getattr(self, key, None)
        if fn is not None:
            return fn
        nodes, last = self.nodes, self.last_use
        symbols = {"add": "+", "mul": "*", "div": "/"}
        vec_spaces = {self._space_of(i) for i, n in enumerate(nodes) if n.vec and n.var}
        chunked = operators and len(vec_spaces) == 1
        # partition the variable nodes: scalars before any trace, vector nodes, traces, scalars after
        after_sum = [False] * len(nodes)
        for i, n in enumerate(nodes):
            if n.var and (n.op == "sum" or any(after_sum[a] for a in n.args)):
                after_sum[i] = True
            if n.vec and n.var and after_sum[i]:
                chunked = False                      # a vector depending on a trace: no slicing
        sliced = {}

        def ref(a, inside=False):
            if nodes[a].var:
                return f"t{a}"
            if inside and nodes[a].vec:
                sliced[a] = f"c{a}"
                return f"c{a}"
            return f"C[{a}]"

        def emit(i, node, indent, inside, out):
            pad = " " * indent
            if node.op == "var":
                out.append(f"{pad}t{i} = V[{node.data}]")
            elif node.op in symbols:
                a, b = ref(node.args[0], inside), ref(node.args[1], inside)
                out.append(f"{pad}t{i} = {a} {symbols[node.op]} {b}" if operators
                           else f"{pad}t{i} = be.{node.op}({a}, {b})")
            else:
                raise ValueError(f"trace program: unknown node {node.op}")

        def weighted(node):
            p = ref(node.args[1]) if len(node.args) > 1 else "None"
            pid = node.args[1] if len(node.args) > 1 else None
            return f"ctx.weighted({p}, {pid!r}, {node.data!r})"

        lines = ["def _program(V, C, be, ctx):"]
        var_nodes = [i for i, n in enumerate(nodes) if n.var]
        if not chunked:
            for i in var_nodes:
                node = nodes[i]
                if node.op == "sum":
                    lines.append(f"    t{i} = be.sum({ref(node.args[0])}, {weighted(node)}, {node.data!r})")
                else:
                    emit(i, node, 4, False, lines)
                dead = [a for a in set(node.args) if nodes[a].var and last[a] == i]
                if dead:
                    lines.append("    del " + ", ".join(f"t{a}" for a in dead))
        else:
            pre = [i for i in var_nodes if not nodes[i].vec and not after_sum[i]]
            vec = [i for i in var_nodes if nodes[i].vec]
            sums = [i for i in var_nodes if nodes[i].op == "sum"]
            post = [i for i in var_nodes if after_sum[i] and nodes[i].op != "sum"]
            for i in pre:
                emit(i, nodes[i], 4, False, lines)
            for i in sums:
                lines.append(f"    w{i} = {weighted(nodes[i])}")
                lines.append(f"    t{i} = 0.0")
            body = []
            for i in vec:
                emit(i, nodes[i], 8, True, body)
            for i in sums:
                w = f"(None if w{i} is None else w{i}[:, sl])"
                body.append(f"        t{i} = t{i} + be.sum({ref(nodes[i].args[0], True)}, {w}, {nodes[i].data!r})")
            lines.append("    for sl in ctx.slices:")
            lines += [f"        {name} = C[{a}][:, sl]" for a, name in sorted(sliced.items())]
            lines += body
            for i in post:
                emit(i, nodes[i], 4, False, lines)
        lines.append("    return [" + ", ".join(ref(o) for o in self.outputs) + "]")
        namespace: dict = {}
        exec(compile("\n".join(lines), f"<trace program {id(self)}>", "exec"), namespace)
        fn = namespace["_program"]
        setattr(self, key, fn)
        return fn

    def _space_of(self, i: int):
        """The space of the eigenvalue inputs below node ``i`` (``None`` if several or none)."""
        seen, stack, spaces = set(), [i], set()
        while stack:
            j = stack.pop()
            if j in seen:
                continue
            seen.add(j)
            n = self.nodes[j]
            if n.op == "eigen":
                spaces.add(n.data[0])
            stack.extend(n.args)
        return next(iter(spaces)) if len(spaces) == 1 else None

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
            p = store[node.args[1]] if len(node.args) > 1 else None
            return be.sum(a, ctx.weighted(p, node.args[1] if len(node.args) > 1 else None, node.data), node.data)
        b = store[node.args[1]]
        if op == "add":
            return be.add(a, b)
        if op == "mul":
            return be.mul(a, b)
        if op == "div":
            return be.div(a, b)
        raise ValueError(f"trace program: unknown node {op}")


class Context:
    """The parameter values and spectra a trace program is evaluated at, in one backend.

    It caches the nodes that do not depend on the variables, so repeated :meth:`TraceProgram.run`
    calls (a Newton iteration) pay only for the rest.

    Parameters
    ----------
    program : TraceProgram
        The program.
    backend : NumpyBackend or ObjectBackend
        The number type.
    parameters : mapping
        ``{symbol or name: value}`` (exact values are converted by the backend).
    spectra : mapping
        ``{space name: {diagonal name: values}}``.
    sizes : mapping, optional
        ``{space name: size}`` (default: the parameter of its size symbol, else the length of the
        space's spectra).
    weights : mapping, optional
        ``{space name: multiplicities}`` for a compressed spectrum (sums become weighted sums).
    shared : dict, optional
        Shared with the contexts of other programs at the same values and spectra (parameter-only
        vectors such as ``Lambda Sigma`` computed once).

    Raises
    ------
    ValueError
        On evaluation, if a parameter, spectrum or space size the program needs is missing.

    Examples
    --------
    >>> import sympy
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.analysis.pencil import diagonal_symbol
    >>> from diagrams.analysis.dyson import SpaceTrace
    >>> V = Space("latent", "M")
    >>> lam, a, c = diagonal_symbol("Lambda", V), sympy.Symbol("a"), sympy.Symbol("c")
    >>> prog = TraceProgram([SpaceTrace(V, c * lam), SpaceTrace(V, a)], [a])
    >>> spectra = {"latent": {"Lambda": [1, 3]}}
    >>> prog.run(Context(prog, ObjectBackend.exact(), {"c": 2}, spectra), {a: 1})
    [Fraction(8, 1), Fraction(2, 1)]
    >>> compressed = Context(prog, ObjectBackend.exact(), {"c": 2, "M": 3}, spectra, weights={"latent": [1, 2]})
    >>> prog.run(compressed, {a: 1})                 # Lambda = 1 once and 3 twice; M = 3 eigenvalues
    [Fraction(14, 1), Fraction(3, 1)]
    >>> prog.run(Context(prog, ObjectBackend.exact(), {}, spectra), {a: 1})
    Traceback (most recent call last):
    ...
    ValueError: values: no value for c
    """

    def __init__(self, program: TraceProgram, backend, parameters: Mapping, spectra: Mapping,
                 sizes: Mapping | None = None, weights: Mapping | None = None, shared: dict | None = None):
        self.program, self.backend = program, backend
        self.cache: dict = {}
        #: eigenvalue vectors computed from parameters, shared by the contexts of other programs at the
        #: same values and spectra (pass the same dict)
        self.shared = shared
        self.ready = False
        self._weighted: dict = {}
        self._params = {}
        for k, v in parameters.items():
            self._params[k if isinstance(k, str) else k.name] = v
        self._spectra = {sp: {name: backend.vector(vals) for name, vals in d.items()} for sp, d in spectra.items()}
        self._weights = {sp: backend.weights(w) for sp, w in (weights or {}).items()}
        length = max((backend.length(v) for d in self._spectra.values() for v in d.values()), default=0)
        step = getattr(backend, "slice_length", 0)
        self.slices = [slice(a, a + step) for a in range(0, length, step)] if step and length > step \
            else [slice(None)]
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

    def weighted(self, p, pid, space: str):
        """The factor a trace over ``space`` is dotted with: ``p`` (a cached eigenvalue factor, or
        ``None``) times the space's weights (a compressed spectrum), cached per factor."""
        w = self._weights.get(space)
        if w is None:
            return p
        if p is None:
            return w
        key = (pid, space)
        out = self._weighted.get(key)
        if out is None:
            out = self._weighted[key] = self.backend.mul(p, w)
        return out

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
    """The double-precision backend of trace programs, vectorised over eigenvalues and ridges.

    Vectors are arrays ``(1, M)``, variables arrays ``(G, 1)`` (or scalars); outputs are arrays
    ``(G, 1)``.  Vector work runs over slices of ``slice_length`` eigenvalues (cache-sized).

    Examples
    --------
    >>> import sympy
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.analysis.pencil import diagonal_symbol
    >>> from diagrams.analysis.dyson import SpaceTrace
    >>> V = Space("latent", "M")
    >>> lam, a, c = diagonal_symbol("Lambda", V), sympy.Symbol("a"), sympy.Symbol("c")
    >>> import numpy as np
    >>> prog = TraceProgram([SpaceTrace(V, lam / (a + lam))], [a])
    >>> ctx = Context(prog, NumpyBackend(), {}, {"latent": {"Lambda": [1.0, 3.0]}})
    >>> prog.run(ctx, {a: np.array([[1.0], [3.0]])})[0]            # two ridges at once
    array([[1.25],
           [0.75]])
    """

    operators = True
    slice_length = 1 << 15

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

        return np.asarray(w, dtype=float).reshape(1, -1)

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
    def sum(v, p, space=None):
        """``sum_I v_I p_I`` along the last axis (a matrix-vector product), or ``sum_I v_I``."""
        import numpy as np

        if p is None:
            return v.sum(axis=-1, keepdims=True)
        return np.einsum("ij,j->i", v.reshape(-1, v.shape[-1]), p.reshape(-1)).reshape(-1, 1)


class ObjectBackend:
    """The backend of trace programs in Python number objects: mpmath, Fraction or power series.

    Vectors are lists, operations elementwise.  Build with :meth:`mp` or :meth:`exact`, or directly
    with a ``number`` conversion and a ``total`` (sum of a list; for the symbolic series a trace map),
    as the series algebras do (:meth:`diagrams.analysis.finite_size_series.SeriesAlgebra.backend`).

    Parameters
    ----------
    number : callable
        Converts a parameter value or an eigenvalue to the backend's numbers.
    total : callable, optional
        ``total(values, space)``: the trace of a list of values over ``space`` (default: their sum).
    const : callable, optional
        Converts a rational constant of the program (a ``Fraction``); default ``number``.

    Examples
    --------
    >>> import sympy
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.analysis.pencil import diagonal_symbol
    >>> from diagrams.analysis.dyson import SpaceTrace
    >>> V = Space("latent", "M")
    >>> lam, a, c = diagonal_symbol("Lambda", V), sympy.Symbol("a"), sympy.Symbol("c")
    >>> prog = TraceProgram([SpaceTrace(V, 1 / (a + lam))], [a])
    >>> spectra = {"latent": {"Lambda": [1, 2]}}
    >>> prog.run(Context(prog, ObjectBackend.exact(), {}, spectra), {a: 1})
    [Fraction(5, 6)]
    >>> import mpmath
    >>> out = prog.run(Context(prog, ObjectBackend.mp(), {}, spectra), {a: mpmath.mpf(1)})
    >>> mpmath.nstr(out[0], 10)
    '0.8333333333'
    >>> be = ObjectBackend(Fraction, total=lambda xs, space: max(xs))   # a "trace" that is a max
    >>> prog.run(Context(prog, be, {}, spectra), {a: 1})
    [Fraction(1, 2)]
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

    def sum(self, v, p, space=None):
        if not isinstance(v, list):
            raise ValueError("internal: a trace of a scalar")
        if p is not None:
            v = [x * y for x, y in zip(v, p)]
        return self._total(v, space)
