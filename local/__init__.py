"""What stands in for AWS on one machine: DynamoDB Local, the local API gateway, and `make run`."""
