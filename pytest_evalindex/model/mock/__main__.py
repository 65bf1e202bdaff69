"""`python -m pytest_evalindex.model.mock --script FILE [--model NAME] [--port N] [--latency S]`: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .script import MockScriptError, load_script
from .server import MockServer


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_evalindex.model.mock", description=__doc__)
    parser.add_argument("--script", required=True, help="JSON script file (answers, rules, latency, faults)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--latency", type=float, default=None, help="override the script's default latency (s)")
    parser.add_argument("--model", action="append", metavar="NAME",
                        help="accept only this model name (repeatable); others get HTTP 404 like a real server")
    args = parser.parse_args(argv)
    try:
        script = load_script(args.script)
    except MockScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.latency is not None:
        if args.latency < 0:
            print("error: --latency must be >= 0", file=sys.stderr)
            return 2
        script = script.model_copy(update={"latency": args.latency})
    if args.model:
        script = script.model_copy(update={"models": list(args.model), "model": args.model[0]})
    try:
        server = MockServer(script, host=args.host, port=args.port).start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # Explicit handlers: a background job inherits SIGINT ignored, and SIGTERM should stop cleanly too.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"mock model listening on {server.url}", flush=True)
    print(f"mock model serves {', '.join(script.models) if script.models else 'any model name'}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
