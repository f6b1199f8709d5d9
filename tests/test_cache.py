"""The disk cache: what is read is validated, the key carries a version derived from the code."""

import json
import pickle

import pytest

from diagrams.engine import cache


def test_entries_of_the_wrong_type_or_content_are_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGRAMS_CACHE_DIR", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"value": "7/3"}

    params = {"order": 5}
    assert cache.cached("kind", params, compute) == {"value": "7/3"}
    path = cache.entry_path("kind", params)
    good = path.read_text()
    # a pickle where JSON is expected (the old format), a truncated file, a list, a wrong checksum,
    # a wrong key, and content the validator rejects: each is discarded and recomputed
    bad_entries = [
        pickle.dumps({"value": "1/2"}),
        good[: len(good) // 2].encode(),
        b"[1, 2, 3]",
        json.dumps({**json.loads(good), "payload": {"value": "1/2"}}).encode(),
        json.dumps({**json.loads(good), "key": "0" * 40}).encode(),
    ]
    for i, blob in enumerate(bad_entries):
        path.write_bytes(blob)
        assert cache.cached("kind", params, compute) == {"value": "7/3"}, i
        assert len(calls) == i + 2
    # a well-formed entry whose content fails validation
    assert cache.cached("kind", params, compute, validate=lambda r: r["value"] == "7/3") == {"value": "7/3"}
    n = len(calls)
    assert cache.cached("kind", params, compute, validate=lambda r: r["value"] == "8/3") == {"value": "7/3"}
    assert len(calls) == n + 1


def test_the_key_version_comes_from_metadata_and_the_code(monkeypatch, tmp_path):
    from importlib.metadata import version

    v = cache.code_version(["diagrams.engine.numbers"])
    assert v.startswith(version("nsl-diagrams") + "+")
    # a different module (different source) gives a different version, hence a different key
    assert cache.code_version(["diagrams.engine.series"]) != v
    assert cache.cache_key("k", {"a": 1}, ["diagrams.engine.numbers"]) != cache.cache_key("k", {"a": 1},
                                                                                           ["diagrams.engine.series"])
    # and editing the source changes it: simulate by changing the hash of the module's file
    cache._source_hash.cache_clear()
    real = cache._source_hash.__wrapped__
    monkeypatch.setattr(cache, "_source_hash", lambda name: real(name) + ("x" if name == "diagrams.engine.numbers" else ""))
    assert cache.code_version(["diagrams.engine.numbers"]) != v


def test_no_temporary_file_is_left_on_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGRAMS_CACHE_DIR", str(tmp_path))

    class NotJSON:
        pass

    # encode produces something json cannot write: the result is still returned, nothing is left behind
    out = cache.cached("kind", {"x": 1}, lambda: NotJSON(), encode=lambda r: {"obj": r})
    assert isinstance(out, NotJSON)
    assert [p.name for p in tmp_path.iterdir()] == []

    # compute raising: nothing written
    with pytest.raises(RuntimeError):
        cache.cached("kind", {"x": 2}, lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    assert [p.name for p in tmp_path.iterdir()] == []

    # rename failing (e.g. the target is a directory): the temporary file is removed
    target = cache.entry_path("kind", {"x": 3})
    target.mkdir(parents=True)
    assert cache.cached("kind", {"x": 3}, lambda: {"v": 1}) == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_order_summary_round_trips_through_the_cache(tmp_path, monkeypatch):
    from diagrams.analysis import expansion as ex
    from diagrams.models.registry import load_model

    monkeypatch.setenv("DIAGRAMS_CACHE_DIR", str(tmp_path))
    m = load_model("ridge")
    a = ex.cached_order_summary(m, 4, "all")
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    b = ex.cached_order_summary(m, 4, "all")
    assert a == b and a == ex.order_summary(m, 4, "all")
    # a tampered coefficient (checksum recomputed, so only the decoder/validator can catch it)
    entry = json.loads(files[0].read_text())
    entry["payload"]["coefficient"] = "os.system('true')"
    entry["sha256"] = cache._checksum(entry["payload"])
    files[0].write_text(json.dumps(entry))
    assert ex.cached_order_summary(m, 4, "all") == a
