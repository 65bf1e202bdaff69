"""Process-tree helpers over /proc: find descendants, kill them all, reap them (stdlib only)."""

from __future__ import annotations

import errno
import os
import signal
import time


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields resume after the last ')'.
    fields = data[data.rfind(b")") + 2 :].split()
    return int(fields[1]) if len(fields) > 1 else None


def descendants(root: int) -> list[int]:
    """Every live process below `root` (children, grandchildren, …), found by walking parent links in /proc."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            parent = _parent_of(int(name))
            if parent is not None:
                children.setdefault(parent, []).append(int(name))
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError as exc:
        if exc.errno != errno.ESRCH:
            raise


def reap_some() -> bool:
    """Collect every exited child without blocking; False once this process has no child left at all."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def kill_tree(grace: float) -> int:
    """SIGKILL every descendant of this process, reaping until none is left.

    This process must be a child subreaper, so that orphans (a setsid() grandchild whose parent has exited)
    come back to it. Returns how many descendants were still present when `grace` seconds ran out.
    """
    deadline = time.monotonic() + grace
    while True:
        if not reap_some():  # no child at all, so no descendant either (orphans come back to this process)
            return 0
        alive = [pid for pid in descendants(os.getpid()) if not _is_zombie(pid)]
        for pid in alive:
            _signal(pid, signal.SIGKILL)
        has_children = reap_some()
        if not has_children and not alive:
            return 0
        if time.monotonic() > deadline:
            return len(descendants(os.getpid()))
        time.sleep(0.005)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return True
    fields = data[data.rfind(b")") + 2 :].split()
    return bool(fields) and fields[0] == b"Z"


def processes_with_token(token: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains `token`; tests use it to find leftovers."""
    needle = token.encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        if needle in cmdline and not _is_zombie(int(name)):
            found.append(int(name))
    return found


def processes_of_uid(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real uid is `uid`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as fh:
                lines = fh.read().split(b"\n")
        except OSError:
            continue
        for line in lines:
            if line.startswith(b"Uid:"):
                if int(line.split()[1]) == uid and not _is_zombie(int(name)):
                    found.append(int(name))
                break
    return found
