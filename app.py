"""deskhire's Chalice app: it registers the Blueprints, the middleware and the scheduled
functions, and nothing else. Rules live in chalicelib/domain, use cases in chalicelib/services."""

from chalice.app import CloudWatchEvent, Cron, SQSEvent

from chalicelib import composition
from chalicelib.handlers import (
    account_pages,
    admin_pages,
    agent_pages,
    api_keys,
    application_pages,
    billing,
    billing_pages,
    blocks,
    bonuses,
    business_pages,
    collection_pages,
    contact_pages,
    contract_message_pages,
    contract_pages,
    contracts,
    coverage,
    dev_pages,
    diary,
    diary_pages,
    disputes,
    fee_pages,
    health,
    health_pages,
    help_pages,
    helpdesk,
    helpdesk_pages,
    identity,
    jobs,
    knowledge,
    knowledge_pages,
    marketplace,
    metrics,
    metrics_pages,
    offer_pages,
    opening_pages,
    order_pages,
    orders,
    portal,
    rating_pages,
    reputation,
    reputation_pages,
    review_pages,
    staffing,
    staffing_pages,
    support,
    support_pages,
    survey_pages,
    surveys,
    system,
    team,
    timesheets,
)
from chalicelib.web.api import install_method_guards
from chalicelib.web.middleware import http_middleware
from chalicelib.web.routing import DeskhireChalice

# Chalice, but finding each request's route itself: API Gateway sends every path through one
# greedy resource, because its quota of 300 resources per REST API is fewer than deskhire's path
# prefixes (chalicelib/web/routing.py says how, docs/architecture.md why).
app = DeskhireChalice(app_name="deskhire")
app.register_middleware(http_middleware, "http")

app.register_blueprint(system.api.blueprint)
app.register_blueprint(identity.api.blueprint)
app.register_blueprint(team.api.blueprint)
app.register_blueprint(api_keys.api.blueprint)
app.register_blueprint(marketplace.api.blueprint)
app.register_blueprint(contracts.api.blueprint)
app.register_blueprint(diary.api.blueprint)
app.register_blueprint(timesheets.api.blueprint)
app.register_blueprint(disputes.api.blueprint)
app.register_blueprint(bonuses.api.blueprint)
app.register_blueprint(blocks.api.blueprint)
app.register_blueprint(coverage.api.blueprint)
app.register_blueprint(staffing.api.blueprint)
app.register_blueprint(billing.api.blueprint)
app.register_blueprint(portal.pages.blueprint)
app.register_blueprint(portal.static_files)
app.register_blueprint(account_pages.pages.blueprint)
app.register_blueprint(business_pages.pages.blueprint)
app.register_blueprint(opening_pages.pages.blueprint)
app.register_blueprint(staffing_pages.pages.blueprint)
app.register_blueprint(application_pages.pages.blueprint)
app.register_blueprint(agent_pages.pages.blueprint)
app.register_blueprint(admin_pages.pages.blueprint)
app.register_blueprint(contract_pages.pages.blueprint)
app.register_blueprint(contract_message_pages.pages.blueprint)
app.register_blueprint(offer_pages.pages.blueprint)
app.register_blueprint(diary_pages.pages.blueprint)
app.register_blueprint(review_pages.pages.blueprint)
app.register_blueprint(billing_pages.pages.blueprint)
app.register_blueprint(collection_pages.pages.blueprint)
app.register_blueprint(fee_pages.pages.blueprint)
app.register_blueprint(health.api.blueprint)
app.register_blueprint(health_pages.pages.blueprint)
app.register_blueprint(dev_pages.pages.blueprint)
app.register_blueprint(knowledge.api.blueprint)
app.register_blueprint(knowledge_pages.pages.blueprint)
app.register_blueprint(help_pages.pages.blueprint)
app.register_blueprint(support.api.blueprint)
app.register_blueprint(support_pages.pages.blueprint)
app.register_blueprint(contact_pages.pages.blueprint)
app.register_blueprint(helpdesk.api.blueprint)
app.register_blueprint(helpdesk_pages.pages.blueprint)
app.register_blueprint(surveys.api.blueprint)
app.register_blueprint(reputation.api.blueprint)
app.register_blueprint(rating_pages.pages.blueprint)
app.register_blueprint(survey_pages.pages.blueprint)
app.register_blueprint(reputation_pages.pages.blueprint)
app.register_blueprint(metrics.api.blueprint)
app.register_blueprint(metrics_pages.pages.blueprint)
app.register_blueprint(orders.api.blueprint)
app.register_blueprint(order_pages.pages.blueprint)


# Scheduled jobs (chalicelib/jobs/schedules.py has the same rules; a test keeps them in step).
# Each plans its tasks and sends them to the jobs queue; `job_worker` works them.
@app.schedule(Cron("0/15", "*", "*", "*", "?", "*"), name="close_clocks")
def close_clocks(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("close-clocks")


@app.schedule(Cron(0, 12, "?", "*", "MON", "*"), name="lock_week")
def lock_week(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("lock-week")


@app.schedule(Cron(0, 0, "?", "*", "SAT", "*"), name="close_review")
def close_review(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("close-review")


@app.schedule(Cron(5, "*", "*", "*", "?", "*"), name="expire_offers")
def expire_offers(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("expire-offers")


@app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="pause_idle")
def pause_idle(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("pause-idle")


@app.schedule(Cron(5, 12, "?", "*", "MON", "*"), name="bill_week")
def bill_week(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("bill-week")


@app.schedule(Cron(0, 14, "*", "*", "?", "*"), name="settle_payouts")
def settle_payouts(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("settle-payouts")


@app.schedule(Cron(0, 10, "*", "*", "?", "*"), name="dunning")
def dunning(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("dunning")


@app.schedule(Cron(0, 6, "*", "*", "?", "*"), name="reconcile")
def reconcile(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("reconcile")


@app.schedule(Cron(20, "*", "*", "*", "?", "*"), name="advance_invoices")
def advance_invoices(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("advance-invoices")


@app.schedule(Cron("0/5", "*", "*", "*", "?", "*"), name="sla_check")
def sla_check(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("sla-check")


@app.schedule(Cron(0, 2, "?", "*", "MON", "*"), name="peer_review")
def peer_review(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("peer-review")


@app.schedule(Cron(35, "*", "*", "*", "?", "*"), name="metrics_rollup")
def metrics_rollup(event: CloudWatchEvent) -> dict[str, object]:
    return jobs.scheduled("metrics-rollup")


@app.on_sqs_message(queue="deskhire-jobs", batch_size=10, name="job_worker")
def job_worker(event: SQSEvent) -> None:
    jobs.work(event)


# Last: every path registered above gets a 405 for the methods it does not serve.
install_method_guards(app)
composition.install()
