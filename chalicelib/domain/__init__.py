"""Pure domain: rules, state machines, money and time. No I/O; imports nothing of boto3, pynamodb,
stripe, chalice or jinja2 (tests/unit/test_architecture.py holds that line)."""
