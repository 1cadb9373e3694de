"""Create a platform operator: the only way one comes to exist (there is no public route).

    make admin EMAIL=ops@example.com [NAME="Ops Person"]

The password is read from DESKHIRE_ADMIN_PASSWORD, or asked for at the terminal, or, with
--generate, made up and printed once."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys

from local.stage import apply_local_stage_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", default="deskhire operator")
    parser.add_argument("--generate", action="store_true", help="make up a strong password and print it")
    args = parser.parse_args(argv)

    apply_local_stage_environment()
    from chalicelib import composition
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.accounts import create_operator

    composition.install()
    if args.generate:
        password = "-".join(secrets.token_urlsafe(6) for _ in range(4))
    else:
        password = os.environ.get("DESKHIRE_ADMIN_PASSWORD") or getpass.getpass("Password for the operator: ")
    try:
        record = create_operator(name=args.name, email=args.email, password=password, deps=composition.deps())
    except DomainError as error:
        print(f"not created: {error.message} ({error.field or error.code})", file=sys.stderr)
        return 1
    print(f"operator {record.email} created")
    if args.generate:
        print(f"password (shown once): {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
