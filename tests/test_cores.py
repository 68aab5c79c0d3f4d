"""Every core (issue 16): a cold build on N processes gives exactly the files and findings of one process, and the
work spread over the processes (workers.shared_map, workers.in_order) keeps the order of its tasks whichever process
ran them."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from careledger import bulkread, output, workers
from careledger.demo import DemoSpec
from careledger.demo.repo import write_demo_repo
from careledger.pipeline import build_all
from careledger.rules import households

AS_OF = dt.date(2026, 11, 23)


def tree(output: Path) -> dict[str, bytes]:
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def _pid_and_square(n: int) -> tuple[int, int]:
    if n == 13:
        raise ValueError("十三")
    return os.getpid(), n * n + workers.shared()


def _slow_square(n: int) -> tuple[int, int]:
    import time
    time.sleep(0.01)
    return os.getpid(), n * n + workers.shared()


def test_shared_map_spreads_the_tasks_over_the_workers_in_order():
    results = workers.shared_map(_slow_square, list(range(60)), jobs=2, shared=1000)
    assert [r for _, r in results] == [n * n + 1000 for n in range(60)]
    pids = [pid for pid, _ in results]
    # two workers share the tasks; the building process only takes the results (running tasks as well, it starved
    # its workers: workers.py)
    assert os.getpid() not in pids and len(set(pids)) == 2
    assert min(pids.count(pid) for pid in set(pids)) >= 15  # each did a fair part of them
    assert workers.shared() is None  # not left behind


def _waits_for_the_caller(task: tuple) -> str:
    """The last task waits (up to 20 s) for a file the caller writes once it has the first result."""
    import time
    n, last, marker = task
    if n < last:
        return f"{n}"
    deadline = time.monotonic() + 20
    while not Path(marker).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return "the caller had the first result before this task ended" if Path(marker).exists() else "not seen"


def test_in_order_hands_over_each_result_while_the_workers_run_the_rest(tmp_path):
    marker = tmp_path / "first result taken"
    tasks = [(n, 5, str(marker)) for n in range(6)]
    results = []
    for result in workers.in_order(_waits_for_the_caller, tasks, jobs=2):
        results.append(result)
        marker.touch()  # (a caller that has nothing before the last result never gets here in time)
    assert results == ["0", "1", "2", "3", "4", "the caller had the first result before this task ended"]


def _noted_square(task: tuple) -> int:
    import time
    n, folder = task
    time.sleep(0.05)
    Path(folder, str(n)).touch()
    return n * n


def test_leaving_in_order_early_stops_the_tasks_not_begun(tmp_path):
    results = workers.in_order(_noted_square, [(n, str(tmp_path)) for n in range(100)], jobs=2)
    assert [next(results), next(results)] == [0, 1]
    results.close()  # (a loop left by break or an exception does the same)
    ran = len(list(tmp_path.iterdir()))
    # the started ones ended (close waits for them; a few more were queued already), the rest never began: all
    # of them take 2.5 s on two workers
    assert 2 <= ran < 50
    assert workers.shared() is None


def test_start_map_runs_while_the_caller_works_and_gives_the_workers_results_in_order():
    started = workers.start_map(_slow_square, list(range(400)), jobs=2, shared=1000)
    with started:
        assert workers.shared() is None  # (only the forked workers read it)
        results = started.results(shared=1000)  # at once: most tasks are not started yet
    assert [r for _, r in results] == [n * n + 1000 for n in range(400)]
    pids = [pid for pid, _ in results]
    assert os.getpid() not in pids and len(set(pids)) == 2  # the two workers ran them all, this process none
    assert min(pids.count(pid) for pid in set(pids)) >= 100
    with pytest.raises(ValueError, match="十三"):
        workers.start_map(_pid_and_square, list(range(30)), jobs=2, shared=0).results(shared=0)
    alone = workers.start_map(_slow_square, list(range(5)), jobs=1, shared=0)  # no fork: run when asked, here
    assert {pid for pid, _ in alone.results(shared=7)} == {os.getpid()}


def test_shared_map_raises_what_a_task_raises():
    with pytest.raises(ValueError, match="十三"):
        workers.shared_map(_pid_and_square, list(range(30)), jobs=2, shared=0)


def test_a_function_that_cannot_be_pickled_is_refused_at_once():
    """Handed to a pool, it left shared_map waiting for ever (Python 3.11); a child process, so that a hang fails."""
    import subprocess
    import sys

    code = ("from careledger import workers\n"
            "try:\n    workers.shared_map(lambda x: x, [1, 2, 3], jobs=2)\n"
            "except Exception as refused:\n    print(type(refused).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0 and done.stdout.strip() in ("PicklingError", "AttributeError"), done


def test_one_job_or_a_running_thread_keeps_everything_in_this_process():
    assert {pid for pid, _ in workers.shared_map(_slow_square, list(range(10)), jobs=1, shared=0)} == {os.getpid()}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # a fork now would copy a process whose other thread may hold a lock: not done
        results = workers.shared_map(_slow_square, list(range(10)), jobs=2, shared=0)
    finally:
        stop.set()
        other.join()
    assert {pid for pid, _ in results} == {os.getpid()}


class _RenderedAtOnce:
    """The memo as the renderers had it before render/spread.py: each page rendered when the memo is asked."""

    def __init__(self, memo=None, *, pack=False):
        self.memo = memo

    def __getattr__(self, name):  # page, always, rows: the memo's own
        return getattr(self.memo, name)

    def fill(self, files):
        return files


def test_one_and_two_processes_build_the_same_files_and_findings(tmp_path, monkeypatch):
    from careledger import pipeline
    from careledger.render import spread

    root = tmp_path / "content"
    write_demo_repo(root, DemoSpec(households=40, months=3))
    monkeypatch.setattr(bulkread, "IN_PROCESS_UP_TO", 0)  # the demo is small: parse, judge and render on both
    monkeypatch.setattr(households, "IN_PROCESS_UP_TO", 0)
    monkeypatch.setattr(spread, "IN_PROCESS_UP_TO", 0)
    forked, spread_over = [], []
    real, real_map, real_history = workers._forked_pool, workers.shared_map, pipeline.read_history
    monkeypatch.setattr(workers, "_forked_pool", lambda n: forked.append(n) or real(n))
    monkeypatch.setattr(pipeline, "read_history", lambda *a: forked.append("history") or real_history(*a))

    def recorded_map(fn, tasks, **options):
        before = len(forked)
        out = real_map(fn, tasks, **options)
        spread_over.append((fn.__name__, len(forked) > before))
        return out

    monkeypatch.setattr(workers, "shared_map", recorded_map)
    packed, real_write = [], pipeline.write_tree  # the reports' pages rendered on the workers come back packed

    def counted_write(output_dir, tree, **options):
        packed.append(sum(type(data) is output.Packed for data in tree._files.values()))
        return real_write(output_dir, tree, **options)

    monkeypatch.setattr(pipeline, "write_tree", counted_write)
    results = {}
    for jobs in ("at once", "1", "2"):  # "at once": one process, each page rendered as the renderer asks for it
        monkeypatch.setenv(workers.ENV_JOBS, "1" if jobs == "at once" else jobs)
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / f"cache{jobs}"))
        forked.clear()
        spread_over.clear()
        with monkeypatch.context() as m:
            if jobs == "at once":
                m.setattr(pipeline, "Deferred", _RenderedAtOnce)
            result = build_all(root, tmp_path / f"out{jobs}", as_of=AS_OF, paper=False)
        results[jobs] = (result.findings, result.policy_findings, tree(tmp_path / f"out{jobs}"))
        if jobs == "2":  # two workers judge while the history is read; two render the site's pages, two the reports'
            assert forked == [2, "history", 2, 2]
            assert [name for name, fork in spread_over if fork] == ["_render_run", "_render_run"]
        else:  # CARELEDGER_JOBS=1 forks nothing
            assert forked == ["history"]
    assert packed[0] == 0 and packed[1] == packed[2] > 40  # (the reports' pages, as the workers rendered them)
    for jobs in ("1", "2"):
        assert results[jobs][0] == results["at once"][0]
        assert results[jobs][1] == results["at once"][1] and results[jobs][1]  # the demo has findings, in order
        assert results[jobs][2].keys() == results["at once"][2].keys() and len(results[jobs][2]) > 40
        assert results[jobs][2] == results["at once"][2]
    # the caches the workers wrote (the parse's and the household rules', a folder a task) hold what one process writes
    for kind in ("records", "rules"):
        one, two = cache_files(tmp_path / "cache1", kind), cache_files(tmp_path / "cache2", kind)
        assert one == two and len(one) > 3, kind
    assert results["1"][2] == results["2"][2]
    judgements = []  # a warm rebuild from the workers' caches judges no household again
    real_judge = households.judge_households
    monkeypatch.setattr(households, "judge_households", lambda *a, **k: judgements.append(real_judge(*a, **k))
                        or judgements[-1])
    (tmp_path / "out2" / "BUILD.json").unlink()  # (not the fingerprint's "nothing changed")
    again = build_all(root, tmp_path / "out2", as_of=AS_OF, paper=False)
    assert again.policy_findings == results["2"][1] and tree(tmp_path / "out2") == results["2"][2]
    assert [(j.judged, j.reused) for j in judgements] == [([], 40)]


def cache_files(cache: Path, kind: str) -> dict[str, object]:
    from careledger.cachestore import unseal

    return {str(p.relative_to(cache)): unseal(p.read_bytes()) for p in sorted((cache / kind).rglob("*.pickle"))}


def test_the_parse_cache_a_worker_writes_is_the_one_the_building_process_writes(tmp_path, monkeypatch):
    """On a cold parse on two processes each folder's cache file is written by the worker that parsed it; its
    entries equal those one process writes, and the next load parses no file."""
    from careledger import cachestore
    from careledger.load import load

    root = tmp_path / "content"
    write_demo_repo(root, DemoSpec(households=30, months=2))
    monkeypatch.setattr(bulkread, "IN_PROCESS_UP_TO", 0)
    monkeypatch.setattr(bulkread, "BATCH_AT_LEAST", 1)
    elsewhere = []
    real_elsewhere = cachestore.FolderStore.written_elsewhere
    monkeypatch.setattr(cachestore.FolderStore, "written_elsewhere",
                        lambda self, folder, entries: elsewhere.append(folder) or real_elsewhere(self, folder, entries))
    loaded = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv(workers.ENV_JOBS, jobs)
        monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / f"cache{jobs}"))
        loaded[jobs] = load(root, today=AS_OF)
        assert bool(elsewhere) == (jobs == "2")  # one process writes its cache itself; with two, the worker does
    one, two = cache_files(tmp_path / "cache1", "records"), cache_files(tmp_path / "cache2", "records")
    assert len(one) > 5 and len(set(elsewhere)) == len(one)
    assert one == two
    assert repr(loaded["1"]) == repr(loaded["2"])
    parsed = []
    real_parse_one = bulkread._parse_one
    monkeypatch.setattr(bulkread, "_parse_one", lambda *a: parsed.append(a) or real_parse_one(*a))
    monkeypatch.setenv(workers.ENV_JOBS, "1")
    again = load(root, today=AS_OF)  # the cache the workers wrote, read back
    assert parsed == [] and repr(again) == repr(loaded["2"])


def test_a_kept_process_keeps_the_cache_files_its_workers_wrote(tmp_path, monkeypatch):
    """In a process that keeps cache files in memory (the preview, the build server), the cache files the parse
    workers wrote are kept as written (`cachestore.kept_as_written`): the next load reads none of them back, on the
    same day or the next, and each value kept is what its file holds."""
    from careledger import cachestore
    from careledger.load import load

    root = tmp_path / "content"
    write_demo_repo(root, DemoSpec(households=30, months=2))
    monkeypatch.setattr(bulkread, "IN_PROCESS_UP_TO", 0)
    monkeypatch.setattr(bulkread, "BATCH_AT_LEAST", 1)
    monkeypatch.setattr(cachestore, "_kept", {})
    monkeypatch.setenv(workers.ENV_JOBS, "2")
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    first = load(root, today=AS_OF)
    written = sorted((tmp_path / "cache" / "records").rglob("*.pickle"))
    assert len(written) > 5 and {str(p) for p in written} <= set(cachestore.kept_values())
    for path in written:
        assert cachestore.kept_values()[str(path)][1] == cachestore.unseal(path.read_bytes())
    monkeypatch.setattr(cachestore, "unseal", lambda *a: pytest.fail("a cache file read back"))
    bulkread._RUNS.trees.clear()  # (not handed over whole: each file looked up in its folder's entries)
    again = load(root, today=AS_OF + dt.timedelta(days=1))
    assert repr(again[0].visits) == repr(first[0].visits)


def test_the_proof_scanned_on_two_processes_finds_what_one_scan_finds(tmp_path, monkeypatch):
    from careledger import proof, proofcache
    from careledger.load import load

    from .publickit import AS_OF as PUBLIC_AS_OF, jurisdiction

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    records, _ = load(jurisdiction(tmp_path / "content"), today=PUBLIC_AS_OF)
    secrets = proof.secrets_of(records, records.site.privacy, PUBLIC_AS_OF)
    names = sorted(value for value, kind in secrets.texts.items() if kind == "家庭成员的姓名")
    numbers = sorted(secrets.numbers)
    pages = {f"villages/v{i:03}.html": f"<p>第 {i} 村：走访 {i * 7} 次。</p>".encode() for i in range(600)}
    for i in range(0, 600, 37):  # leaks in pages of every part, some with two kinds of value
        pages[f"villages/v{i:03}.html"] += f"<p>{names[i % len(names)]}</p>".encode()
        if i % 2:
            pages[f"villages/v{i:03}.html"] += f"<p>电话 {numbers[i % len(numbers)]}</p>".encode()
    forked = []
    real = workers._forked_pool
    monkeypatch.setattr(workers, "_forked_pool", lambda n: forked.append(n) or real(n))
    monkeypatch.setenv(workers.ENV_JOBS, "2")
    found = proofcache.scan_changed(pages, secrets, folder=tmp_path / "proof")
    assert forked == [2]
    assert len(found) > 16 and found == proof.scan(pages, secrets)


class _Unpicklable(Exception):
    """An error whose details do not survive a pickle (as a template error's finding)."""

    def __init__(self, page: int):
        super().__init__(f"第 {page} 页")
        self.page = page


def _page(n: int) -> bytes:
    import time
    if n in (123, 141):
        raise _Unpicklable(n)
    time.sleep(0.005)  # long enough that neither worker takes every run before the other starts
    return f"{os.getpid()}:{n}".encode()


def test_pages_rendered_in_workers_come_back_in_order_and_the_first_failure_is_raised_as_itself(monkeypatch):
    from functools import partial

    from careledger.render import spread

    monkeypatch.setattr(spread, "IN_PROCESS_UP_TO", 0)
    monkeypatch.setenv(workers.ENV_JOBS, "2")
    made = spread.render_all([partial(_page, n) for n in range(60)])
    assert [m.split(b":")[1] for m in made] == [str(n).encode() for n in range(60)]
    pids = {m.split(b":")[0] for m in made}
    assert len(pids) == 2 and str(os.getpid()).encode() not in pids  # two workers, not the building process
    with pytest.raises(_Unpicklable) as raised:
        spread.render_all([partial(_page, n) for n in range(100, 160)])
    assert raised.value.page == 123  # the first in the pages' order, raised in the building process with its details
