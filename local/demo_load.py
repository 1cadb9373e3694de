"""python -m local.demo_load: load the demo data into the local table (run by `make run` on a
first start)."""

import sys

from local.stage import apply_local_stage_environment


def main() -> int:
    apply_local_stage_environment()
    from local.demo import load

    load()
    return 0


if __name__ == "__main__":
    sys.exit(main())
