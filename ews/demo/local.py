"""A small `ews demo` database in a folder of its own, for notebooks and trials.

It runs the real commands (`ews init`, then `ews demo`) in a child process, in development
mode with the instance folder inside `folder`, so nothing touches the configured service.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def demo_database(folder: Path | str, *, n: int = 4000, seed: int = 7, months: int = 12,
                  offices: str = "PMK,SBY,MLG", end: str = "2026-11") -> str:
    """Return the URL of an SQLite database in `folder` holding `ews demo` data.

    A database already there is reused as it is (same folder, same data); otherwise it is
    created with `ews init` and `ews demo --assessments n --seed seed ...`. Raises
    RuntimeError with the command's last output line when a command fails.
    """
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ews.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    env = {k: v for k, v in os.environ.items() if not k.startswith("EWS_")}
    env |= {"EWS_ENV": "development", "EWS_INSTANCE_PATH": str(folder / "instance"),
            "EWS_DATABASE_URL": url}
    for args in (["init"], ["demo", "--assessments", str(n), "--seed", str(seed),
                            "--months", str(months), "--offices", offices, "--end", end]):
        done = subprocess.run([sys.executable, "-m", "ews.cli", *args], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:  # the output of `init` holds a one-time password: not shown
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            path.unlink(missing_ok=True)
            raise RuntimeError(f"ews {args[0]} failed: {last[0]}")
    return url
