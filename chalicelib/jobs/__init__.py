"""Scheduled work: each job plans its tasks from an index (one per business, or per item) and
works each task idempotently. In production the scheduled Lambda plans and sends the tasks to SQS,
and a worker Lambda works them, so that a run over 100,000 businesses never meets a Lambda time
limit; locally (and from the command line) the same worker runs inline."""
