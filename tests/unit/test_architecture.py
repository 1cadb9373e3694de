"""Layer rules that are easy to break without noticing.

Arrows point one way: handlers -> services -> store and domain; jobs -> services; domain at the
bottom, importing nothing but the standard library. Imports are read from the source (every
import statement, those inside functions included), so a deferred import counts as an arrow too."""

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHALICELIB = ROOT / "chalicelib"
FORBIDDEN_IN_DOMAIN = {"boto3", "botocore", "pynamodb", "stripe", "chalice", "jinja2"}


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_modules(path)}


def _imported_modules(path: Path, source: str | None = None) -> Iterator[str]:
    """Every module an import statement in `path` names, at any depth, relative ones resolved.
    `from a import b` yields `a` and `a.b` (b may be a module or a name in a)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _crossings(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (CHALICELIB / layer).rglob("*.py")
        for module in set(_imported_modules(path))
        if _within(module, forbidden)
    )


def test_services_never_import_jobs_or_handlers():
    """Jobs and handlers call services, never the other way round (the system principal the jobs
    act as lives in domain/identity.py, where both reach it)."""
    assert _crossings("services", ("chalicelib.jobs", "chalicelib.handlers")) == []


def test_store_never_imports_the_layers_above_it():
    forbidden = ("chalicelib.services", "chalicelib.jobs", "chalicelib.handlers", "chalicelib.web")
    assert _crossings("store", forbidden) == []


def test_domain_imports_only_the_standard_library_and_itself():
    found: dict[str, set[str]] = {}
    for path in CHALICELIB.joinpath("domain").rglob("*.py"):
        others = {
            module.split(".")[0]
            for module in _imported_modules(path)
            if module.split(".")[0] not in sys.stdlib_module_names
            and not _within(module, ("chalicelib.domain",))
        }
        if others:
            found[str(path.relative_to(ROOT))] = others
    assert found == {}


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones():
    source = "from . import diary\n\n\ndef f():\n    import chalicelib.handlers.jobs\n    from ..jobs import registry\n"
    found = set(_imported_modules(CHALICELIB / "services" / "example.py", source))
    assert {"chalicelib.services.diary", "chalicelib.handlers.jobs", "chalicelib.jobs.registry"} <= found


def test_domain_imports_no_io_library():
    for path in (ROOT / "chalicelib" / "domain").rglob("*.py"):
        assert not (_imports(path) & FORBIDDEN_IN_DOMAIN), path


def test_only_payments_imports_stripe():
    for path in (ROOT / "chalicelib").rglob("*.py"):
        if "payments" not in path.parts:
            assert "stripe" not in _imports(path), path


LAZY_AT_COLD_START = (
    "pydantic",
    "jinja2",
    "stripe",
    "argon2",
    "zxcvbn",
    "ulid",
    "boto3",
    "yaml",
    "icalendar",
)
# Our own modules behind the routes: a handler imports them inside the route that calls them
# (chalicelib/handlers/__init__.py), so a cold start registers routes without loading them.
OURS_ON_FIRST_USE = (
    "chalicelib.services",
    "chalicelib.schemas",
    "chalicelib.jobs",
    "chalicelib.payments",
    "chalicelib.mail",
    "chalicelib.settings",
)
STORE_AT_COLD_START = ("chalicelib.store", "chalicelib.store.binding")  # composition's table binding


def test_importing_the_app_reads_no_settings_and_loads_nothing_it_can_defer():
    """Cold start: a request pays only for what it uses (templates, password hashing, id
    generation, Stripe, the services and models behind its own route are imported on first use),
    and import does not touch the environment."""
    code = (
        "import os, sys; os.environ.pop('DESKHIRE_TABLE', None);"
        "import app;"
        f"early = [m for m in {LAZY_AT_COLD_START!r} if m in sys.modules];"
        f"ours = [m for m in sys.modules if m.startswith({OURS_ON_FIRST_USE!r})"
        f" or m.startswith('chalicelib.store') and m not in {STORE_AT_COLD_START!r}];"
        "assert not early, early;"
        "assert not ours, sorted(ours);"
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


LONG_MODULE = 520  # "about 500 lines" (issue 13), with room for a docstring that grows
WHY_LONG = "Why one module of this length:"


def test_a_module_over_about_500_lines_says_at_its_top_why_it_is_one_module():
    unexplained = []
    for path in sorted(CHALICELIB.rglob("*.py")):
        source = path.read_text()
        if source.count("\n") <= LONG_MODULE:
            continue
        docstring = ast.get_docstring(ast.parse(source)) or ""
        if WHY_LONG not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({source.count(chr(10))} lines)")
    assert not unexplained, f"split these, or say at their top ({WHY_LONG!r}) why not: {unexplained}"
