"""Shared by the hand-run differential harnesses of tests/oracle/ (imported from the script's own
folder, which Python puts first on the module path)."""

import os
import resource
import subprocess
import time

END = "<!-- END GENERATED -->"


def timed(argv, **kw):
    """subprocess.run with its wall-clock and CPU seconds (user + system of the process and its
    children: the delta of RUSAGE_CHILDREN, runs being one at a time). CPU time hardly depends on
    the machine's load, wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    r = subprocess.run(argv, **kw)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r, wall, cpu


def decode(b):
    return b.decode("utf-8", "replace")


def pct(a, b):
    return "n/a" if b == 0 else f"{100.0 * a / b:.1f} %"


def md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def replace_generated(path, begin, title, text):
    """Writes `text` between the `begin` and END markers of the Markdown report `path` (a new
    report titled `title` when there is none), keeping what is written around them by hand."""
    doc = open(path).read() if os.path.exists(path) else f"# {title}\n\n{begin}\n{END}\n"
    if begin not in doc or END not in doc:
        raise SystemExit(f"{path}: the markers {begin!r} and {END!r} are missing")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as fh:
        fh.write(f"{head}{begin}\n{text}\n{END}{tail}")
