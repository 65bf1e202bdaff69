"""Process-tree helpers over /proc: find descendants, kill them all, reap them (stdlib only)."""

from __future__ import annotations

import errno
import os
import signal
import time

SETTLE = 0.01  # seconds children get to exit on their own before the first scan of /proc


def _stat(pid: int | str) -> bytes | None:
    """/proc/PID/stat in one read (unbuffered: this runs for every process on the machine at each scan)."""
    try:
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)


def _parent_of(pid: int | str) -> int | None:
    data = _stat(pid)
    if data is None:
        return None
    # The command name may hold spaces and parentheses: fields resume after the last ')'.
    fields = data[data.rfind(b")") + 2 :].split()
    return int(fields[1]) if len(fields) > 1 else None


def descendants(root: int) -> list[int]:
    """Every live process below `root` (children, grandchildren, …), found by walking parent links in /proc."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            parent = _parent_of(name)
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
    # SIGCHLD blocked, so that the wait below ends as soon as a child exits (none is lost in between).
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    try:
        # bwrap reports before its init in the sandbox has finished exiting (tearing down the namespaces, which
        # kills whatever is left in them): let such children go before scanning the whole of /proc.
        settle = time.monotonic() + SETTLE
        while reap_some() and (left := settle - time.monotonic()) > 0:
            signal.sigtimedwait({signal.SIGCHLD}, left)
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
            signal.sigtimedwait({signal.SIGCHLD}, 0.005)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _is_zombie(pid: int) -> bool:
    data = _stat(pid)
    if data is None:
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
