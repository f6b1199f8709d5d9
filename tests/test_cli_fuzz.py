"""Every subcommand, every numeric flag, hundreds of bad values: exit 2, one line on stderr naming the
flag, no traceback, quickly.  Plus the public API: bad values raise ValueError and nothing else.

The bad values are a seeded table: hand-picked edge cases (empty, NaN, infinities, overflow,
denormals, zero/negative where a positive number is needed, fractions where an integer is needed,
empty list entries, huge orders) and random garbage from a seeded generator.  The fast subset uses
a sample of each flag's values; ``-m slow`` runs them all.
"""

import random
import time

import pytest

from diagrams.cli import main

COMMON = ["", " ", "abc", "nan", "NaN", "inf", "-inf", "-1e400", "1/0", "0x10", "1,,2", ",", "True",
          "None", "[1]", "1/3/4", "--", "- 1", "1e999999999", "½", "１", "1e", "e5", ".", "1..2", "+-1",
          "9" * 400, "1" + "0" * 5000, "1;2", "1 2 x", "(1)", "1_000", "0b1", "١"]
POSITIVE = COMMON + ["0", "-1", "-0.5", "-1/3", "0/5", "-1e-320"]
INTEGER = POSITIVE + ["2.5", "1/2", "1e30", "10000000000000", "3.0000001", "1e400"]
#: positive values a double-precision command (loss, simulate) must refuse: they underflow to 0
DOUBLE = POSITIVE + ["1e-400", "1e-320", "4e-324", "1e400"]
NONNEG_INT = COMMON + ["-1", "2.5", "1/2", "1e30", "-0.5", "1e400"]
NONNEG = COMMON + ["-1", "-0.5", "-1e-9"]
SPECTRUM = COMMON + ["0", "-1", "1,-2", "1,0", "1,,", ",1", "1 , , 2", "1,nan", "1,inf"]
ORDER = [v for v in INTEGER if v not in ("0", "0/5")] + ["-1", "1000", "1e30", "200"]
DPS = INTEGER + ["14", "3000", "1e30"]

RF_SPEC = ["--N", "5", "--T", "8", "--spectrum", "1,1/2"]
RF_POWER = ["--N", "5", "--T", "8", "--alpha", "1", "--M", "10"]
RF_NUMBER_FLAGS = [("--N", INTEGER), ("--T", INTEGER), ("--That", INTEGER), ("--spectrum", SPECTRUM),
                   ("--spectrum-test", SPECTRUM), ("--sigma-u2", POSITIVE), ("--sigma-w2", POSITIVE),
                   ("--C", INTEGER), ("--label-noise", NONNEG)]
POWER_FLAGS = [("--alpha", POSITIVE), ("--M", INTEGER), ("--lambda-plus", POSITIVE), ("--alpha-test", POSITIVE)]

def _double(flags):
    """Double-precision commands also refuse positive values that underflow to zero."""
    return [(f, DOUBLE if bad is POSITIVE else bad + ["1e400", "1e-400"] if bad is SPECTRUM else
             bad + ["1e400"] if bad is NONNEG else bad) for f, bad in flags]


# (command, base argv, [(flag, bad values)])
CASES = [
    ("enumerate", ["--order", "1"] + RF_SPEC, [("--order", ORDER)] + RF_NUMBER_FLAGS),
    ("enumerate", ["--order", "1"] + RF_POWER, POWER_FLAGS),
    ("check", ["--order", "1", "--symbolic-max", "0"] + RF_SPEC,
     [("--order", ORDER), ("--symbolic-max", ORDER)] + _double(RF_NUMBER_FLAGS)),
    ("loss", ["--gamma", "0.1"] + RF_SPEC, [("--gamma", DOUBLE), ("--dps", DPS)] + _double(RF_NUMBER_FLAGS)),
    ("loss", ["--gamma", "0.1"] + RF_POWER, _double(POWER_FLAGS)),
    ("simulate", ["--gamma", "0.1", "--trials", "2"] + RF_SPEC,
     [("--gamma", DOUBLE), ("--trials", INTEGER), ("--seed", NONNEG_INT)] + _double(RF_NUMBER_FLAGS)),
    ("scaling", ["--N", "5", "--T", "8", "--alpha", "1", "--M", "50"],
     [("--N", INTEGER), ("--T", INTEGER), ("--alpha", DOUBLE), ("--M", INTEGER), ("--lambda-plus", DOUBLE),
      ("--sigma-u2", DOUBLE), ("--sigma-w2", DOUBLE), ("--C", INTEGER)]),
    ("duality", ["--order", "1", "--no-classes"], [("--order", ORDER), ("--max-names", NONNEG_INT)]),
    ("resum", ["--order", "1", "--no-hops"] + RF_SPEC, [("--order", ORDER), ("--gamma", POSITIVE)] + RF_NUMBER_FLAGS[:2]),
    ("figures", ["--out", "/tmp/diagrams-fuzz-figures", "--quick", "--no-simulation"],
     [("--seed", NONNEG_INT), ("--dpi", INTEGER)]),
    ("latex", ["--order", "0"], [("--order", ORDER)]),
    ("enumerate", ["--model", "ridge", "--order", "1", "--T", "4", "--spectrum", "1,1/2"],
     [("--T", INTEGER), ("--spectrum", SPECTRUM), ("--sigma-w2", POSITIVE)]),
    ("loss", ["--model", "ridge", "--gamma", "0.1", "--T", "4", "--spectrum", "1,1/2"],
     [("--T", INTEGER), ("--gamma", DOUBLE)]),
    ("simulate", ["--model", "deep-random-features", "--gamma", "0.1", "--trials", "2", "--N", "3", "--N1", "4",
                  "--T", "5", "--spectrum", "1,1/2"],
     [("--N1", INTEGER), ("--sigma-v2", DOUBLE), ("--trials", INTEGER)]),
    ("sweep", ["--gamma", "0.1", "--trials", "2", "--workers", "0"] + RF_SPEC,
     [("--gamma", DOUBLE), ("--trials", INTEGER), ("--seed", NONNEG_INT), ("--workers", NONNEG_INT),
      ("--trials-per-task", INTEGER)] + _double(RF_NUMBER_FLAGS)),
    ("sweep", ["--gamma", "0.1", "--trials", "2", "--workers", "0"] + RF_POWER, _double(POWER_FLAGS)),
]


def _random_garbage(rng: random.Random, n: int) -> list:
    """Random strings that always hold a character no number has (so none of them is valid)."""
    alphabet = "0123456789.,/-+eE "
    odd = "xyz_:;()[]\u00e9\u2212\u221e#@!?\uff11\u0661"
    out = []
    for _ in range(n):
        chars = [rng.choice(alphabet) for _ in range(rng.randint(0, 11))]
        chars.insert(rng.randint(0, len(chars)), rng.choice(odd))
        out.append("".join(chars))
    return out


def _with(base: list, flag: str, value: str) -> list:
    argv = list(base)
    if flag in argv:
        i = argv.index(flag)
        argv[i + 1] = value
    else:
        argv += [flag, value]
    return argv


def _run(capsys, argv):
    capsys.readouterr()
    t = time.monotonic()
    code = main(argv)
    dt = time.monotonic() - t
    out, err = capsys.readouterr()
    return code, out, err, dt


def _cases(sample: int | None):
    rng = random.Random(20261128)
    for cmd, base, flags in CASES:
        for flag, bad in flags:
            values = list(bad) + _random_garbage(rng, 300 - len(bad))
            if sample is not None:
                values = rng.sample(values, min(sample, len(values)))
            yield cmd, base, flag, values


def _check_all(capsys, sample):
    failures = []
    n = 0
    for cmd, base, flag, values in _cases(sample):
        for v in values:
            argv = [cmd] + _with(base, flag, v)
            code, out, err, dt = _run(capsys, argv)
            n += 1
            lines = err.strip().splitlines()
            ok = (code == 2 and len(lines) == 1 and flag in lines[0] and "Traceback" not in err and out == ""
                  and dt < 20)
            if not ok:
                failures.append(f"{argv!r}: exit {code}, {dt:.1f} s, stderr {err.strip()[:200]!r}")
    assert not failures, f"{len(failures)} of {n} calls misbehaved:\n" + "\n".join(failures[:40])


def test_bad_values_fast_sample(capsys):
    _check_all(capsys, sample=12)


@pytest.mark.slow
def test_bad_values_all(capsys):
    _check_all(capsys, sample=None)


def test_the_fuzz_check_can_fail(capsys):
    """A valid value is not refused: the harness would report it."""
    code, out, err, dt = _run(capsys, ["loss", "--gamma", "0.1"] + RF_SPEC)
    assert code == 0 and err == ""
