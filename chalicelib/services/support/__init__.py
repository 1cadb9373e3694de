"""Support operations (issue 15), one module per use case; callers import the module they use,
nothing is re-exported here:

- `settings`: a business's support settings (SLA targets, reasons with their tiers, the language
  level for routing, the help page on or off) and its inbound-mail secret;
- `inquiries`: an inquiry arrives (the help page's contact form, the API, inbound mail) in one
  transaction, then is routed; who may read and work one, its thread;
- `lists`: the business's queue, history and searches; the agent's workspace lists;
- `routing`: who takes an inquiry (domain/routing.py decides), on creation, when an agent clocks
  in (the queue), when one clocks out (hand back), after a breach; the on-shift items;
- `conversations`: replies, internal notes, escalations, resolutions;
- `answers`: the customer's answer by mail, which reopens an answered or resolved inquiry;
- `notices`: the mail to the customer (a reply) and to the business's team (an escalation, a breach);
- `sla`: the first-response check the `sla-check` job runs per business;
- `inbound_mail`: the webhook's mail, threaded back by its signed reply-to address;
- `work`: the proof of work a timesheet review and a dispute pre-check read.

What later slices (CSAT, peer review, reputation) build on:
- `conversations.on_resolved(hook)`: called after an inquiry is resolved (the CSAT mail);
- `work.replies_in_week(tenant, agent, week)`: an agent's replies to one business in a week;
- `inquiries.find_for_system(tenant, inquiry_id)`: the head, for a rating link's checks."""
