"""Write a generator's files, or check that the committed ones are up to date.

Shared by glibc-db/generate.py, glibc-db/abilists.py and glibc-db/debian/measure.py (the
Write/Check modes of ruff's generate_all). A generator builds every output in memory as
{file name: text}; `sync` then compares it byte for byte with the files in the output
directory and either reports what is missing, stale or extra (check mode) or writes the
missing and stale files and removes the extra ones.

Python 3.11, standard library only.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def sync(out_dir: Path, files: dict[str, str], *, check: bool, owned: str | None, prog: str, script: str) -> int:
    """Check or write `files` in `out_dir`; returns the exit status (0, or 1 if check finds changes).

    owned: the glob of the files in out_dir the generator owns, which are extra when `files`
    does not have them; None when the directory holds other files too (nothing is extra).
    prog: the prefix of the messages; script: the generator's path, for "run python3 …".
    """
    existing = {p.name for p in out_dir.glob(owned)} if owned and out_dir.is_dir() else set()
    missing = sorted(name for name in files if not (out_dir / name).is_file())
    extra = sorted(existing - set(files))
    stale = sorted(
        name
        for name in files
        if name not in missing and (out_dir / name).read_bytes() != files[name].encode("utf-8")
    )
    where = out_dir.relative_to(REPO_ROOT).as_posix()

    if check:
        if not (missing or stale or extra):
            print(f"{prog}: {len(files)} files up to date", file=sys.stderr)
            return 0
        for label, names in (("missing", missing), ("stale", stale), ("extra", extra)):
            for name in names:
                print(f"{label}: {where}/{name}")
        print(f"{prog}: {out_dir.name}/ is out of date; run python3 {script}", file=sys.stderr)
        return 1

    out_dir.mkdir(parents=True, exist_ok=True)
    for name in missing + stale:
        (out_dir / name).write_text(files[name], encoding="utf-8", newline="\n")
    for name in extra:
        (out_dir / name).unlink()
    print(
        f"{prog}: {len(files)} files ({len(missing)} new, {len(stale)} updated, {len(extra)} removed)",
        file=sys.stderr,
    )
    return 0
