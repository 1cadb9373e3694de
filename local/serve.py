"""`chalice local` with deskhire's gateway behaviour: python -m local.serve --port 8000"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys

from local.gateway import local_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    # As `chalice local` does: the app's stdout logging shows up in the terminal.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    server = local_server(host=args.host, port=args.port, stage=args.stage)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
