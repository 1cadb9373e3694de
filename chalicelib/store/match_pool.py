"""The agents an opening could match once one of its requirements is eased: every agent listed
under any of its languages, at any level, in its currency. Read from the match index partitions
(`IDX#<currency>#<language>`, store/marketplace.py) the matching reads, one Query per language of
the opening (an opening asks for a few), never a Scan."""

from __future__ import annotations

from chalicelib.domain.matching import Candidate, Need
from chalicelib.store import keys
from chalicelib.store.marketplace import MatchIndexItem, candidate_of


def pool_for(need: Need) -> tuple[list[Candidate], int]:
    """The candidates, once each, and the number of items read."""
    found: dict[str, Candidate] = {}
    read = 0
    for language in sorted(need.languages):
        pk = keys.platform_pk("IDX", f"{need.rate_max.currency}#{language}")
        for item in MatchIndexItem.query(pk):
            read += 1
            if isinstance(item, MatchIndexItem) and item.agent_id not in found:
                found[item.agent_id] = candidate_of(item.card)
    return list(found.values()), read
