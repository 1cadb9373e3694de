"""Is the table there and answering? One strongly-consistent-free GetItem of a key that need not
exist: it proves the endpoint, the credentials and the table, and costs half a read unit."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError
from pynamodb.exceptions import PynamoDBException

from chalicelib.store.base import Entity
from chalicelib.store.keys import HEALTH_PK


def table_reachable() -> bool:
    try:
        Entity._get_connection().get_item(HEALTH_PK, range_key=HEALTH_PK)
    except (PynamoDBException, BotoCoreError):
        return False
    return True
