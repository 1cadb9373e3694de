"""PynamoDB models and repositories: the only code that knows the table's keys."""
