"""Linux system calls the supervisor needs and Python 3.10 lacks: unshare, mount, prctl (stdlib only)."""

from __future__ import annotations

import ctypes
import os
import stat

CLONE_NEWNS = 0x00020000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_libc: ctypes.CDLL | None = None


def _lib() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def set_child_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, so it can kill and reap all of them."""
    _check(_lib().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")


def set_parent_death_signal(signum: int) -> None:
    """Deliver `signum` to this process when its parent thread dies (cleared by setuid, so call it after)."""
    _check(_lib().prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    enc = [None if v is None else v.encode() for v in (source, target, fstype, data)]
    _check(_lib().mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {target}")


def private_mount_namespace() -> None:
    """Give this process its own mount table; nothing it mounts afterwards is visible on the host."""
    _check(_lib().unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)


def expose_under(hidden: str, prefixes: list[str]) -> None:
    """Cover `hidden` (a directory others may not traverse) with a 0755 tmpfs holding only `prefixes`, read-only.

    Needs root and a private mount namespace. The prefixes are opened before the tmpfs hides them and are
    bind-mounted back through /proc/self/fd, so the sandbox user can reach an interpreter under /root.
    """
    fds = [os.open(p, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC) for p in prefixes]
    try:
        _mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
        for prefix, fd in zip(prefixes, fds):
            target = os.path.join(hidden, os.path.relpath(prefix, hidden))
            os.makedirs(target, mode=0o755, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC, None)
            _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
        _mount(None, hidden, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    finally:
        for fd in fds:
            os.close(fd)


def others_can_enter(path: str) -> bool:
    """True when a user who is neither owner nor group member may traverse the directory `path`."""
    try:
        return bool(os.stat(path).st_mode & stat.S_IXOTH)
    except OSError:
        return False
