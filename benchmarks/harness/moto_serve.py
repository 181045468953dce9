"""``python -m benchmarks.harness.moto_serve --port P --bucket B``: the testing kit's MotoServer in its own process.

MotoServer serves from threads of the process that starts it; for benchmarks it runs
here instead, so the emulator's CPU never mixes with the measured client's, and the
orchestrator stays idle. Stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from litestar_storages.testing.emulators.moto import MotoServer


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bucket", action="append", default=[])
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = MotoServer(port=args.port)
    server.start()
    try:
        for bucket in args.bucket:
            server.create_bucket(bucket)
        print("ready", flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
