"""When each job runs, in EventBridge's six-field cron form (UTC). app.py registers a scheduled
function per entry, the local scheduler fires them on the same rules, and a test keeps the three
in step. Kept free of imports: app.py reads it at cold start."""

SCHEDULES = {
    "close-clocks": "0/15 * * * ? *",
    "lock-week": "0 12 ? * MON *",
    "close-review": "0 0 ? * SAT *",
    "expire-offers": "5 * * * ? *",
    "pause-idle": "0 3 * * ? *",
    "bill-week": "5 12 ? * MON *",
    "settle-payouts": "0 14 * * ? *",
    "dunning": "0 10 * * ? *",
    "reconcile": "0 6 * * ? *",
    "advance-invoices": "20 * * * ? *",
    "sla-check": "0/5 * * * ? *",
    "peer-review": "0 2 ? * MON *",
    "metrics-rollup": "35 * * * ? *",
}
