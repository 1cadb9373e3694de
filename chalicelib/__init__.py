"""deskhire: a serverless marketplace for fractional customer support."""
