"""One Chalice Blueprint per area: HTTP in, HTTP out, thin.

Chalice imports every module here at cold start to register the routes, so a module imports at
its top only what a cold start loads anyway (chalice, `chalicelib.web`, `composition`); a route
imports the services, schemas (pydantic), store and domain modules it calls inside its own body.
Plain imports, so that a type checker, an IDE's "go to definition" and import-graph tools follow
every call (docs/architecture.md, "Cold start"; tests/unit/test_architecture.py keeps it so)."""
