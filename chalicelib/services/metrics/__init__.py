"""Metrics use cases (issue 16): recording aggregates, rollups, spikes, dashboards, marketplace
health and the staffing plan. See notes/metrics-design.md and docs/metrics.md."""
