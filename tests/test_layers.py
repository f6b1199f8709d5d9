"""The layers of docs/architecture.md, enforced on the source: engine < models < analysis < output < cli.

Every import of every module is read from its syntax tree -- at module level and inside functions,
``import x``, ``from x import y`` and ``importlib.import_module("x")`` with a literal name -- and
each must point to the same layer or a lower one; one model's package never imports another's; no
private name (``_x``) is imported from another module.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "diagrams"
RANK = {"engine": 0, "models": 1, "analysis": 2, "output": 3, "cli": 4}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _rank(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "diagrams":
        return -1
    if len(parts) == 1:
        return 0                       # the root package: version only
    if parts[1] == "__main__":
        return RANK["cli"]
    return RANK.get(parts[1], 0)      # diagrams.<anything else> counts as the bottom


def _model_package(module: str):
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "models" and parts[2] not in ("declaration", "registry"):
        return parts[2]
    return None


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target, [a.name for a in node.names]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name == "import_module" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value, []


FILES = sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def test_there_are_modules_in_every_layer():
    names = {_module_name(p) for p in FILES}
    for layer in RANK:
        assert any(n.startswith(f"diagrams.{layer}") for n in names), layer


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_imports_go_down_the_layers(path):
    me = _module_name(path)
    my_rank = _rank(me)
    my_model = _model_package(me)
    problems = []
    for line, target, names in _imports(path):
        if not target.startswith("diagrams"):
            continue
        if _rank(target) > my_rank:
            problems.append(f"line {line}: {me} (layer {my_rank}) imports {target} (layer {_rank(target)})")
        other = _model_package(target)
        if my_model and other and other != my_model:
            problems.append(f"line {line}: model package {my_model} imports model package {other}")
        if target.split(".")[1:2] == ["models"] and _rank(me) == RANK["models"] and not my_model \
                and other and me.endswith("declaration"):
            problems.append(f"line {line}: the declaration API imports a model ({target})")
        for n in names:
            if n.startswith("_") and not n.startswith("__") and target != me:
                problems.append(f"line {line}: private name {n} imported from {target}")
    assert not problems, "\n".join(problems)


def test_the_check_can_fail(tmp_path):
    """The rules catch an upward import hidden inside a function and a private import."""
    fake = ROOT / "engine" / "_layers_probe_tmp.py"
    fake.write_text("def f():\n    from diagrams.cli import main\n    from diagrams.engine.numbers import _fmt\n")
    try:
        with pytest.raises(AssertionError) as err:
            test_imports_go_down_the_layers(fake)
        assert "imports diagrams.cli" in str(err.value) and "private name _fmt" in str(err.value)
    finally:
        fake.unlink()
