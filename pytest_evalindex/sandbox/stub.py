"""The waiting interpreter inside a pre-started bwrap sandbox: it receives one program on stdin, then becomes it.

Started as `python -c <this file's text>` (the program's interpreter, site and all) inside a fresh sandbox
before the program is known, it blocks until its supervisor writes one message (see `encode`) and closes the
pipe. It then writes the program's files into the work directory, puts its stdin on fd 0 and applies its
limits. A `python script args` command then runs right here, as `python script args` would run it (argv,
sys.path[0], a fresh __main__, the command line in /proc, exit status, traceback and the end: threads
joined, atexit handlers, streams flushed; only the teardown of every module is skipped), so the interpreter's
start-up is already behind it; any other command is exec'd. An empty message (the sandbox was not needed)
ends it at once. Only builtin modules, so that the hand-over costs a few milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence


def encode(
    argv: Sequence[str],
    files: Mapping[str, bytes],
    stdin: bytes | None,
    rlimits: Sequence[Sequence[object]],
    inline: bool,
) -> bytes:
    """The message: netstring-like fields `<length>:<bytes>` (the supervisor side; needs no import inside).
    `inline`: argv is [this interpreter, script, args…], to be run in the waiting interpreter."""
    items: list[bytes] = [b"1" if inline else b"0", str(len(argv)).encode(), *(a.encode() for a in argv)]
    items.append(str(len(files)).encode())
    for name, content in files.items():
        items += [name.encode(), content]
    items += [b"0"] if stdin is None else [b"1", stdin]
    items.append(str(len(rlimits)).encode())
    for row in rlimits:
        items += [str(value).encode() for value in row]
    return b"".join(b"%d:%s" % (len(item), item) for item in items)


def _fields(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        colon = data.index(b":", at)
        end = colon + 1 + int(data[at:colon])
        out.append(data[colon + 1 : end])
        at = end
    return out


def _receive() -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def main() -> None:
    """Receive, set up, exec; exit 127 with one stderr line if the command cannot be run."""
    import _signal
    import resource

    # The first compile in a process costs ~3 ms of one-time set-up: paid while waiting, not in the program's time.
    compile("def _(a: int) -> None:\n    'w'\n    b = [c for c in a if c]\n", "<stub>", "exec")
    data = _receive()
    if not data:
        os._exit(0)
    fields = iter(_fields(data))
    inline = next(fields) == b"1"
    argv = [next(fields).decode() for _ in range(int(next(fields)))]
    for _ in range(int(next(fields))):
        name, content = next(fields).decode(), next(fields)
        if os.path.dirname(name):
            os.makedirs(os.path.dirname(name), exist_ok=True)
        with open(name, "wb") as fh:
            fh.write(content)
    if next(fields) == b"0":
        fd = os.open(os.devnull, os.O_RDONLY)
    else:
        fd = os.memfd_create("stdin")
        view = memoryview(next(fields))
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
    os.dup2(fd, 0)
    os.close(fd)
    for _ in range(int(next(fields))):
        name, soft, hard = next(fields).decode(), int(next(fields)), int(next(fields))
        resource.setrlimit(getattr(resource, name), (soft, hard))
    if inline:
        _run_script(argv)
        return
    for signum in (_signal.SIGPIPE, _signal.SIGXFSZ):  # Python ignores these; the program gets the defaults
        _signal.signal(signum, _signal.SIG_DFL)
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        os.write(2, f"cannot run {argv[0]}: {exc.strerror}\n".encode(errors="replace"))
        os._exit(127)


def _run_script(argv: list[str]) -> None:
    """Run `python script args…` in this interpreter: SystemExit and uncaught exceptions behave as they would."""
    import sys
    from importlib.machinery import SourceFileLoader

    _show_command_line(argv)
    path = os.path.abspath(argv[1])
    sys.argv = argv[1:]
    sys.path[0] = os.path.dirname(path)
    main_module = type(sys)("__main__")
    main_module.__dict__.update(__file__=path, __cached__=None, __loader__=SourceFileLoader("__main__", path))
    main_module.__builtins__ = __builtins__  # type: ignore[attr-defined]
    sys.modules["__main__"] = main_module
    with open(path, "rb") as fh:
        source = fh.read()
    try:
        exec(compile(source, path, "exec", dont_inherit=True), main_module.__dict__)
    except SystemExit as exc:
        _finish(_exit_status(exc.code))
    except BaseException as exc:  # printed without this function's frame, exit status 1, as Python does
        exc = exc.with_traceback(exc.__traceback__.tb_next if exc.__traceback__ else None)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        _finish(1)
    _finish(0)


def _exit_status(code: object) -> int:
    """What Python makes of `sys.exit(code)`."""
    import sys

    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _finish(status: int) -> None:
    """End as Python's own shutdown would (threads joined, atexit handlers run, standard streams flushed:
    exit status 120 if that fails), without tearing down every module, which nothing of the program sees."""
    import sys

    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            status = status or 120
    os._exit(status)


def _show_command_line(argv: list[str]) -> None:
    """Make /proc/self/cmdline read `argv` (written over this stub's own, longer, argument area)."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])
        text = b"\0".join(a.encode() for a in argv)[: end - start - 1]
        fd = os.open("/proc/self/mem", os.O_RDWR)
        try:
            os.pwrite(fd, text.ljust(end - start, b"\0"), start)
        finally:
            os.close(fd)
    except (OSError, IndexError, ValueError):
        pass  # cosmetic: the program runs all the same


if __name__ == "__main__":
    main()
