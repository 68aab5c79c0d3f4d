"""Benchmark (not a test): a county's records through check and build, and the same for a county ten times smaller.

    bench/run [--households 25000] [--months 12] [--profile qiandongnan-2023] [--work /tmp/careledger-county]
              [--sizes 10,1]

For each size (the full county, then a tenth of it) it generates the records with `careledger demo`, commits them
to a git repository, and prints one figure a line:

- cold `check` and cold `build --no-paper` (empty parse cache): seconds and peak resident memory;
- the cold build's speed-up from 1 core to N (pinned to 1, 2, 4, … of the cores, CARELEDGER_JOBS set to as many),
  with the load average (on a shared machine, others' work takes cores from the larger runs) and the machine's own
  ceiling at that moment: a plain Python loop on 1 core and on all of them at once (a virtual machine's cores may
  share a physical one: then no program gets the full N×);
- the rebuild after one visit file changed (one visit added and committed), and the rebuild with nothing changed;
- the preview after one visit file changed: a `careledger serve` child (its watcher as it runs by default), a visit
  added to a visit file (not committed), timed from the save until the server says the new site is served (its
  status URL, which the previewed page polls to reload), with the child's CPU seconds (also with each `--compare`
  checkout);
- the builds through the build server (`careledger build` in a terminal: buildserver.py): one visit file changed
  (back to back, and with a clerk's pause between the commit and the build), nothing changed and a new day, with
  the server's peak memory; every other build runs in its own process (CARELEDGER_BUILD_SERVER=0);
- pages written per second by the cold build (HTML pages of the site and the reports);
- dossier PDFs per second over all cores, on a sample of 200 households, and how busy the cores were;
- Hugo (Debian's `hugo`, when installed) building one page per village from the same households and visits as YAML
  front matter, and the ratio of our cold build to Hugo's.

Commands run as child processes; peak memory is the largest of the process and its workers (`wait4`). The
generated counties are kept under --work, so a second run skips the generation. Figures are recorded in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARELEDGER = [str(Path(sys.executable).parent / "careledger")]  # the virtualenv's command
AS_OF = "2026-11-23"
NEXT_DAY = "2026-11-24"


_SET_ASIDE: list[Path] = []  # trees `set_aside` renamed, removed once every figure is taken


def set_aside(tree: Path) -> None:
    """Take `tree` out of the way of a cold run by renaming it, not deleting it. On a file system whose deletions
    slow the creations after them, a tree deleted right before a timed run would time the bench's own deletion:
    ext4 without a journal (this bench machine's) looks up, for each new file, every inode freed in the last few
    minutes, which it will not reuse (its `recently_deleted` check; docs/performance.md, the thirteenth round)."""
    if tree.exists():
        aside = tree.with_name(f".{tree.name}.aside-{len(_SET_ASIDE)}-{os.getpid()}")
        tree.rename(aside)
        _SET_ASIDE.append(aside)


def remove_set_aside() -> None:
    while _SET_ASIDE:
        shutil.rmtree(_SET_ASIDE.pop(), ignore_errors=True)


def run(args: list[str], env: dict, *, ok=(0,), cwd: Path | None = None,
        cores: set[int] | None = None) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one command (run on those `cores` only, when given)."""
    pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pin)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            out.seek(0)
            said = out.read().decode("utf-8", "replace")
            raise SystemExit(f"failed ({code}): {' '.join(map(str, args))}\n{said[-4000:]}")
    return seconds, usage.ru_maxrss / 1024


def git(content: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(content), *args], check=True, capture_output=True)


def generate(content: Path, households: int, months: int, profile: str, env: dict) -> None:
    if (content / "site.yaml").is_file():
        print(f"  records: kept from an earlier run in {content}")
        return
    seconds, _ = run([*CARELEDGER, "demo", str(content), "--households", str(households), "--months", str(months),
                      "--profile", profile, "--as-of", AS_OF], env)
    print(f"  demo generation: {seconds:.1f} s")
    start = time.perf_counter()
    git(content, "init", "-q", "-b", "main")
    git(content, "add", "-A")
    git(content, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "import")
    print(f"  git import commit: {time.perf_counter() - start:.1f} s")


def counts(content: Path) -> str:
    files = visits = 0
    for path in content.rglob("*.yaml"):
        files += 1
        if path.parts[-3] == "visits":
            visits += path.read_bytes().count(b"\n- date:") + 1
    households = sum(1 for _ in (content / "households").glob("*/*.yaml"))
    return f"{households} households, {visits} visits, {files} record files"


def change_one_visit_file(content: Path) -> Path:
    """Add one visit (a copy of the last one) to the last visit file of the newest month, and commit it."""
    month = sorted((content / "visits").iterdir())[-1]
    path = sorted(month.glob("*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    last = text[text.rindex("\n- date:") + 1:] if "\n- date:" in text else text
    path.write_text(text + last, encoding="utf-8")
    git(content, "add", str(path.relative_to(content)))
    git(content, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m",
        "one more visit")
    return path


def per_file_cost(content: Path, sample: int = 3000) -> str:
    """What a visit file costs to parse besides its visits: time against visits per file, fitted to a line over a
    sample of the county's visit files (the reference reader, one process)."""
    from careledger.bulkread import FileJob, Settings, read_file
    from careledger.records import Visit
    settings = Settings(dt.date.fromisoformat(AS_OF), True)
    files = sorted((content / "visits").glob("*/*.yaml"))
    points = []
    for path in files[:: max(1, len(files) // sample)]:
        rel = path.relative_to(content).as_posix()
        start = time.perf_counter()
        records, _ = read_file(content, FileJob(rel, Visit, True, (("visitor", path.stem),)), settings)
        points.append((len(records), time.perf_counter() - start))
    n = len(points)
    mean_x, mean_y = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
             / max(1e-12, sum((x - mean_x) ** 2 for x, _ in points)))
    fixed = mean_y - slope * mean_x
    return (f"{fixed * 1e3:.2f} ms a file + {slope * 1e3:.3f} ms a visit ({n} files, {mean_x:.1f} visits a file on "
            f"average: the file's share is {fixed / mean_y:.0%})")


def dossier_rate(content: Path, env: dict, sample: int) -> str:
    """Render `sample` dossiers with the PDF cache off in worker processes; PDFs per second and core use."""
    code = f"""
import datetime as dt, os, resource, time
from pathlib import Path
from careledger.pipeline import check_records
from careledger.rules import Facts
from careledger.paper import printing
from careledger.paper.pdf import render_all
from careledger.views.dossier import build_dossiers
as_of = dt.date.fromisoformat({AS_OF!r})
records, findings = check_records(Path({str(content)!r}), as_of=as_of)
dossiers = build_dossiers(Facts(records, records.profile, as_of), findings, "bench")
step = max(1, len(dossiers) // {sample})
chosen = printing.Selection(households=frozenset(d.household_id for d in dossiers[::step][:{sample}]))
_, jobs = printing.dossier_jobs(dossiers, chosen)
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
before, start = cpu(), time.perf_counter()
render_all([job for _, job in jobs], cache=False)
wall = time.perf_counter() - start
cores = os.cpu_count() or 1
print(f"{{len(jobs) / wall:.1f}} dossier PDFs/s over {{cores}} cores ({{len(jobs)}} households, {{wall:.1f}} s), "
      f"cores {{(cpu() - before) / wall / cores:.0%}} busy")
"""
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"failed: {result.stderr[-2000:]}"
    return result.stdout.strip()


def hugo_site(content: Path, site: Path) -> None:
    """One Hugo page per village listing its households with their visits, each household a page of YAML front
    matter holding its visits (read, not rendered): the same records as our build reads."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    visits = defaultdict(list)
    for path in sorted((content / "visits").glob("*/*.yaml")):
        for visit in yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []:
            visits[visit["household"]].append((str(visit["date"]), visit.get("duty", ""), path.stem,
                                               visit.get("mode", "in_person")))
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "config.yaml").write_text("baseURL: /\ndisableKinds: [taxonomy, term, RSS, sitemap]\n"
                                      "cascade:\n  - _target: {kind: page}\n    _build: {render: never}\n",
                                      encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(
        "<html><body><h1>{{ .Title }}</h1><table>{{ range .Pages }}<tr><td>{{ .Params.household }}</td>"
        "{{ with .Params.visits }}<td>{{ len . }}</td><td>{{ (index . (sub (len .) 1)).date }}</td>{{ end }}"
        "</tr>{{ end }}</table></body></html>\n", encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text("{{ .Title }}\n", encoding="utf-8")
    for path in sorted((content / "households").glob("*/*.yaml")):
        village, household = path.parent.name, path.stem
        folder = site / "content" / village
        if not folder.is_dir():
            folder.mkdir(parents=True)
            (folder / "_index.md").write_text(f"---\ntitle: {village}\n---\n", encoding="utf-8")
        lines = [f"---\ntitle: {household}\nhousehold: {household}\nvisits:\n"]
        lines += [f"  - {{date: '{d}', duty: {duty}, visitor: {who}, mode: {mode}}}\n"
                  for d, duty, who, mode in sorted(visits.get(household, []))]
        lines.append("---\n")
        (folder / f"{household}.md").write_text("".join(lines), encoding="utf-8")


def measure(name: str, work: Path, households: int, months: int, profile: str, sample: int,
            compare: list[Path] | None = None, quick: bool = False) -> None:
    print(f"\n== {name}: {households} households, {months} months, profile {profile}")
    content, output, cache = work / "content", work / "output", work / "cache"
    env = {**os.environ, "CARELEDGER_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), "CARELEDGER_BUILD_SERVER": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: a sandbox that sets it compiles every module each run
    generate(content, households, months, profile, env)
    print(f"  records: {counts(content)}")
    print(f"  parsing a visit file: {per_file_cost(content)}")

    set_aside(cache / "records")
    seconds, peak = run([*CARELEDGER, "check", "--content", str(content), "--as-of", AS_OF], env, ok=(0, 1))
    print(f"  cold check: {seconds:.1f} s, peak {peak:.0f} MB")

    for stale in (cache / "records", cache / "builds", output):
        set_aside(stale)
    build = [*CARELEDGER, "build", "--no-paper", "--content", str(content), "--output", str(output), "--as-of", AS_OF]
    cold, peak = run(build, env)
    pages = sum(1 for p in output.rglob("*.html"))
    print(f"  cold build (site and reports, no PDFs): {cold:.1f} s, peak {peak:.0f} MB")
    print(f"  pages written: {pages} HTML pages, {pages / cold:.0f} pages/s")

    print(f"  cold build on 1 to N cores: {core_speedup(build, env, cache, output)}")

    changed = change_one_visit_file(content)
    seconds, peak = run(build, env)
    print(f"  rebuild after one visit file changed ({changed.relative_to(content)}): {seconds:.1f} s, "
          f"peak {peak:.0f} MB")
    seconds, peak = run(build, env)
    print(f"  rebuild with nothing changed: {seconds:.2f} s, peak {peak:.0f} MB")
    print(f"  preview: one visit file changed: {preview_latency(content, work / 'output-preview', env)}")
    for other in compare or ():
        said = preview_latency(content, work / "output-preview-compare", {**env, "PYTHONPATH": str(other)})
        print(f"  preview: one visit file changed, with the code of {other}: {said}")
    print(f"  first build of a new day (nothing changed, as-of {NEXT_DAY}): {new_day(build, env)}")
    print(f"  through the build server: {served(content, build, env)}")
    for other in compare or ():  # the same figure with another checkout's code (e.g. before a change)
        env_other = {**env, "CARELEDGER_CACHE_DIR": str(work / "cache-compare"), "PYTHONPATH": str(other)}
        build_other = [*build[:build.index("--output") + 1], str(work / "output-compare"), "--as-of", AS_OF]
        set_aside(work / "cache-compare")
        run(build_other, env_other)  # fills that code's caches on AS_OF
        print(f"  first build of a new day with the code of {other}: {new_day(build_other, env_other)}")
    if quick:
        return

    fonts = Path(os.environ.get("CARELEDGER_CACHE_DIR") or Path.home() / ".cache" / "careledger") / "fonts"
    if fonts.is_dir() and not (cache / "fonts").exists():
        shutil.copytree(fonts, cache / "fonts")  # the field font is made once at setup; not what is measured here
    print(f"  dossiers: {dossier_rate(content, env, sample)}")

    if shutil.which("hugo"):
        site = work / "hugo"
        if not (site / "config.yaml").is_file():
            hugo_site(content, site)
        set_aside(site / "public")
        seconds, peak = run(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")], env)
        print(f"  hugo {hugo_version()}: {seconds:.1f} s, peak {peak:.0f} MB; our cold build / hugo = "
              f"{cold / seconds:.2f}")
    else:
        print("  hugo: not installed (apt-get install hugo) — no comparison")


def core_speedup(build: list[str], env: dict, cache: Path, output: Path) -> str:
    """Cold `build --no-paper` (empty parse cache, no earlier output) pinned to 1, 2, 4, … of the cores this process
    may use, up to all of them, with CARELEDGER_JOBS set to as many; each one's speed-up over 1 core against the
    issue's target (0.7 × cores). The machine's load average is printed with it: other work on a shared machine
    takes cores from the larger runs."""
    allowed = sorted(os.sched_getaffinity(0))
    counts = sorted({*(2 ** i for i in range(len(allowed).bit_length()) if 2 ** i <= len(allowed)), len(allowed)})
    said, one = [], None
    load, ceiling = os.getloadavg()[0], machine_ceiling()
    for n in counts:
        for stale in (cache / "records", cache / "builds", output):
            set_aside(stale)
        seconds, _ = run(build, {**env, "CARELEDGER_JOBS": str(n)}, cores=set(allowed[:n]))
        one = one or seconds
        said.append(f"{n} core{'s' if n > 1 else ''} {seconds:.1f} s" + ("" if n == 1 else
                    f" ({one / seconds:.2f}× = {one / seconds / n:.2f} × cores; target ≥ 0.7 × cores)"))
    return ("; ".join(said) + f" (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after; the machine's "
            f"ceiling, a plain loop on every core at once against one: {ceiling:.2f}× before, {machine_ceiling():.2f}× "
            "after)")


def _loop(_=None) -> float:
    """CPU-bound work that shares nothing: the same on any core, whatever the program."""
    start = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - start


def machine_ceiling() -> float:
    """How much faster the same loop runs on every core this process may use, all at once, than on one: the most
    any program's speed-up can be on this machine now (a virtual machine's cores may share a physical one, or
    other tenants' work may take them)."""
    import multiprocessing

    allowed = sorted(os.sched_getaffinity(0))
    one = min(_loop() for _ in range(2))
    with multiprocessing.get_context("fork").Pool(len(allowed)) as pool:
        start = time.perf_counter()
        pool.map(_loop, range(len(allowed)), chunksize=1)
        together = time.perf_counter() - start
    return len(allowed) * one / together


def _cpu_of(pid: int) -> float:
    """CPU seconds (user and system, with its waited-for children) of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def preview_latency(content: Path, output: Path, env: dict, edits: int = 3) -> str:
    """`careledger serve` in a child process, as a clerk keeps it open: after its first build, a visit added to a
    visit file of the newest month (uncommitted), then another to the same file, for `edits` files; each timed from
    the save until the server's status (banner.STATUS_URL, which the previewed page asks to reload itself) has a new
    generation: the rebuilt site is then what it serves. With the child's CPU seconds for each (its watcher's polls
    included). The files are put back at the end."""
    import http.client
    import json
    import re
    import signal
    import threading

    from careledger.preview.banner import STATUS_URL

    month = sorted((content / "visits").iterdir())[-1]
    files = sorted(month.glob("*.yaml"))[-edits:]
    saved = {path: path.read_bytes() for path in files}
    for path in files:  # not touched for a day: the first save is of a file the watcher does not glance at
        os.utime(path, (time.time() - 86400, time.time() - 86400))
    set_aside(output)
    proc = subprocess.Popen([*CARELEDGER, "serve", "--content", str(content), "--output", str(output), "--as-of", AS_OF,
                             "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port: list[int] = []
    ready = threading.Event()

    def read() -> None:  # the child's terminal, drained so that it never blocks
        for line in proc.stdout:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found and not port:
                port.append(int(found.group(1)))
                ready.set()

    threading.Thread(target=read, daemon=True).start()

    def status(after: int = -1) -> dict:  # with `after`, held until a rebuild when the server can (not all can)
        connection = http.client.HTTPConnection("127.0.0.1", port[0], timeout=60)
        try:
            connection.request("GET", STATUS_URL + (f"?after={after}" if after >= 0 else ""))
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def next_generation(after: int, deadline: float) -> dict:
        while time.perf_counter() < deadline:
            now = status(after)
            if now["generation"] > after:
                return now
            time.sleep(0.01)
        raise SystemExit("the preview did not rebuild within its deadline")

    waits: dict[str, list[float]] = {"first": [], "again": []}
    cpus, failed = [], 0
    try:
        if not ready.wait(600):
            raise SystemExit("serve did not start")
        load = os.getloadavg()[0]
        for path in files:
            for save in ("first", "again"):  # a file's first save in the session, then the same file saved again
                time.sleep(1.5)  # as a clerk types: the watcher is somewhere in its poll interval
                generation = status()["generation"]
                text = path.read_text(encoding="utf-8")
                before_cpu, start = _cpu_of(proc.pid), time.perf_counter()
                path.write_text(text + text[text.rindex("\n- date:") + 1:], encoding="utf-8")
                failed += next_generation(generation, start + 300)["failed"]
                waits[save].append(time.perf_counter() - start)
                cpus.append(_cpu_of(proc.pid) - before_cpu)
        generation = status()["generation"]
        for path, data in saved.items():
            path.write_bytes(data)
        next_generation(generation, time.perf_counter() + 300)  # the files as they were, before stopping
        memory = resident_memory(proc.pid)
    finally:
        for path, data in saved.items():
            if path.read_bytes() != data:
                path.write_bytes(data)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def spread(values: list[float]) -> str:
        values = sorted(values)
        return f"{values[len(values) // 2]:.2f} s ({values[0]:.2f}–{values[-1]:.2f})"

    return (f"from the save to the new site served, median {spread(waits['first'])} at a file's first save, "
            f"{spread(waits['again'])} when saved again ({edits} files); the serve process's CPU a rebuild "
            f"{spread(cpus)}{'; ' + str(failed) + ' rebuilds failed' if failed else ''}; its memory "
            f"{memory['VmRSS']} MB at the end, peak {memory['VmHWM']} MB "
            f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")


def new_day(build: list[str], env: dict) -> str:
    """The build of the day after AS_OF, the caches warm from a build on AS_OF (issue 16: no file is parsed again)."""
    seconds, peak = run([*build[:-1], NEXT_DAY], env)
    run(build, env)  # back to AS_OF, for what follows
    return f"{seconds:.1f} s, peak {peak:.0f} MB"


CLERK_PAUSE = 2.0  # seconds between a commit and the build after it, as a clerk takes them (`served`)


def served(content: Path, build: list[str], env: dict, edits: int = 5) -> str:
    """`careledger build` handing its builds to the build server (buildserver.py), as in a terminal: the first build
    after one visit file changed (which starts the server and loads everything), then `edits` rebuilds after one
    visit file changed and committed (their median and range), back to back, and `edits` more with `CLERK_PAUSE`
    seconds between the commit and the build (the server does the work that can wait, its caches and the records of
    the output, after its answer: back to back, a build waits for the last one's), one with nothing changed right
    after the last of them and one after a pause, and the first of a new day; with the server's resident memory
    after those builds and its peak (its own process: VmRSS and VmHWM, the workers it forks not counted), and its
    resident memory again once it has been idle long enough to collect and give back what its builds freed. The
    server is stopped after."""
    runtime = Path(tempfile.mkdtemp(prefix="cl-bench-", dir="/tmp"))  # short: a socket's path must be
    env = {**env, "CARELEDGER_BUILD_SERVER": "1", "XDG_RUNTIME_DIR": str(runtime)}
    try:
        change_one_visit_file(content)
        first, _ = run(build, env)
        one, paced = [], []
        for _ in range(edits):
            change_one_visit_file(content)
            one.append(run(build, env)[0])
        for _ in range(edits):
            change_one_visit_file(content)
            time.sleep(CLERK_PAUSE)
            paced.append(run(build, env)[0])
        nothing, _ = run(build, env)  # right after a rebuild: it waits for that build's work after its answer
        time.sleep(CLERK_PAUSE)
        nothing_paced, _ = run(build, env)
        day, _ = run([*build[:-1], NEXT_DAY], env)
        memory = _server_memory(runtime)
        server = _buildserver()
        time.sleep(server.COLLECT_AFTER_SECONDS + server.TICK_SECONDS + 1)
        idle = _server_memory(runtime)
        run(build, env)  # back to AS_OF, for what follows
    finally:
        run([*CARELEDGER, "shutdown"], env)
        shutil.rmtree(runtime, ignore_errors=True)
    one.sort()
    paced.sort()
    return (f"the first, one visit file changed (starts the server) {first:.1f} s; then one visit file changed {one[len(one) // 2]:.2f} s "
            f"(median of {edits} back to back: {one[0]:.2f}–{one[-1]:.2f}), {paced[len(paced) // 2]:.2f} s {CLERK_PAUSE:.0f} s "
            f"after the commit (median of {edits}: {paced[0]:.2f}–{paced[-1]:.2f}); nothing changed {nothing:.2f} s right "
            f"after a rebuild, {nothing_paced:.2f} s {CLERK_PAUSE:.0f} s after one; "
            f"first build of a new day {day:.1f} s; the server's memory "
            + (f"{memory['VmRSS']} MB between builds, peak {memory['VmHWM']} MB, {idle['VmRSS']} MB once idle"
               if memory and idle else "unknown (no server)"))


def _buildserver():
    """careledger's buildserver module (this script runs careledger as commands; it imports it only here)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from careledger import buildserver
    return buildserver


def _server_memory(runtime: Path) -> dict[str, int] | None:
    """The server's `resident_memory` (None: no server answers)."""
    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # (this process looks where the server's clients looked)
    try:
        pids = [pid for _, pid in _buildserver().servers()]
    finally:
        os.environ.pop("XDG_RUNTIME_DIR") if saved is None else os.environ.update(XDG_RUNTIME_DIR=saved)
    return resident_memory(pids[0]) if pids else None


def resident_memory(pid: int) -> dict[str, int]:
    """A process's resident memory now and at its peak, in MB: {"VmRSS": …, "VmHWM": …}."""
    return {line.split(":")[0]: int(line.split()[1]) // 1024 for line in
            Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith(("VmRSS", "VmHWM"))}


def hugo_version() -> str:
    out = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=False).stdout.split()
    return out[1] if len(out) > 1 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=25_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--profile", default="qiandongnan-2023")
    parser.add_argument("--work", type=Path, default=Path("/tmp/careledger-county"))
    parser.add_argument("--sizes", default="10,1", help="tenths of --households to measure, largest last")
    parser.add_argument("--sample", type=int, default=200, help="households in the dossier sample")
    parser.add_argument("--compare", type=Path, action="append",
                        help="also time the first build of a new day with this checkout's code (e.g. /work/main)")
    parser.add_argument("--quick", action="store_true", help="stop after the builds: no dossiers, no Hugo")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f}, {dt.date.today()}")
    try:
        for tenths in sorted((int(x) for x in args.sizes.split(",")), reverse=False):
            households = args.households * tenths // 10
            measure(f"county x{tenths / 10:g}", args.work / f"h{households}-m{args.months}-{args.profile}",
                    households, args.months, args.profile, args.sample, args.compare, args.quick)
    finally:
        remove_set_aside()
    print(f"\nmachine load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
