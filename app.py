"""deskhire's Chalice app: it registers the Blueprints, the middleware and (later) the scheduled
functions, and nothing else. Rules live in chalicelib/domain, use cases in chalicelib/services."""

from chalice import Chalice

from chalicelib import composition
from chalicelib.handlers import (
    account_pages,
    admin_pages,
    agent_pages,
    api_keys,
    application_pages,
    business_pages,
    dev_pages,
    identity,
    marketplace,
    opening_pages,
    portal,
    system,
    team,
)
from chalicelib.web.api import install_method_guards
from chalicelib.web.middleware import http_middleware

app = Chalice(app_name="deskhire")
app.register_middleware(http_middleware, "http")

app.register_blueprint(system.api.blueprint)
app.register_blueprint(identity.api.blueprint)
app.register_blueprint(team.api.blueprint)
app.register_blueprint(api_keys.api.blueprint)
app.register_blueprint(marketplace.api.blueprint)
app.register_blueprint(portal.pages.blueprint)
app.register_blueprint(portal.static_files)
app.register_blueprint(account_pages.pages.blueprint)
app.register_blueprint(business_pages.pages.blueprint)
app.register_blueprint(opening_pages.pages.blueprint)
app.register_blueprint(application_pages.pages.blueprint)
app.register_blueprint(agent_pages.pages.blueprint)
app.register_blueprint(admin_pages.pages.blueprint)
app.register_blueprint(dev_pages.pages.blueprint)

# Last: every path registered above gets a 405 for the methods it does not serve.
install_method_guards(app)
composition.install()
