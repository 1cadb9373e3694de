"""Run the emulator standalone (what `make run` starts):

    python -m local.stripe_emulator --port 8002 --data-file .data/stripe.json \\
        --webhook-url http://127.0.0.1:8000/api/v1/webhooks/stripe \\
        --connect-webhook-url http://127.0.0.1:8000/api/v1/webhooks/stripe/connect \\
        --webhook-secret whsec_... --public-url http://127.0.0.1:8002
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .emulator import DEFAULT_WEBHOOK_SECRET, Emulator
from .events import API_VERSION


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local.stripe_emulator", description="A small Stripe emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--data-file", help="keep state in this JSON file across restarts")
    parser.add_argument("--webhook-url", help="the platform webhook endpoint")
    parser.add_argument(
        "--connect-webhook-url", help="the Connect webhook endpoint (connected-account events)"
    )
    parser.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET, help="signing secret (whsec_...)")
    parser.add_argument(
        "--connect-webhook-secret", help="the Connect endpoint's secret (default: --webhook-secret)"
    )
    parser.add_argument("--public-url", help="address browsers reach the emulator at (for page links)")
    parser.add_argument("--api-key", help="accept only this secret key (default: any sk_test_... key)")
    parser.add_argument(
        "--funds-delay", type=int, default=0, help="seconds before card funds become available"
    )
    parser.add_argument(
        "--platform-country", default="US", help="the platform account's country (default US)"
    )
    parser.add_argument(
        "--platform-currency",
        help="the platform's default settlement currency (default: its country's, usd for US)",
    )
    parser.add_argument(
        "--settlement-currencies",
        help="comma-separated currencies the platform settles in (default: the platform currency only)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    return parser


def options(argv: list[str] | None = None) -> dict:
    """The Emulator's keyword arguments from a command line (what `make run` passes)."""
    args = parser().parse_args(argv)
    return {
        "webhook_url": args.webhook_url,
        "connect_webhook_url": args.connect_webhook_url,
        "webhook_secret": args.webhook_secret,
        "connect_webhook_secret": args.connect_webhook_secret,
        "data_file": args.data_file,
        "public_url": args.public_url,
        "host": args.host,
        "port": args.port,
        "api_key": args.api_key,
        "funds_delay": args.funds_delay,
        "platform_country": args.platform_country.upper(),
        "platform_currency": args.platform_currency.lower() if args.platform_currency else None,
        "settlement_currencies": (
            [c.strip().lower() for c in args.settlement_currencies.split(",") if c.strip()]
            if args.settlement_currencies
            else None
        ),
        "verbose": args.verbose,
    }


def main(argv: list[str] | None = None) -> int:
    chosen = options(argv)
    port = chosen.pop("port")
    emu = Emulator(**chosen)
    try:
        emu.start(port)
    except OSError as exc:
        print(f"stripe emulator: cannot listen on {emu.host}:{port}: {exc}", file=sys.stderr)
        return 1
    print(
        f"stripe emulator on {emu.url} (API {API_VERSION}); state: {emu.data_file or 'in memory'}; "
        f"platform {emu.platform_country}, settles in {', '.join(sorted(emu.settlement_currencies))}; "
        f"card funds pending {emu.funds_delay} s",
        flush=True,
    )
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
