"""The operators' directory of businesses: finding one by a word of its name, without a Scan.

    BNAME#<first letter of a word>   <word>#<tenant>   one item per distinct word of the business's
                                                       name (its name and slug kept beside)

A name is folded to words (accents dropped, lower case, letters and digits only), and each of its
first MAX_WORDS distinct words gets an item. A search for "cozy cu" queries the partition of the
search's longest word's first letter for sort keys starting with that word, then keeps the
businesses whose words start with every word searched: "cup" finds "The Cozy Cup", as does "coz".
The items are written in the signup's transaction (services/accounts.py) and moved by `rename`
in a rename's, so the directory never disagrees with the business's name. Businesses that signed
up before the directory existed get theirs from the `backfill-business-names` job, through the
same `add` (`listed` tells which have them all). Exact slugs and emails are found through their
claims (`SLUG#`, `EMAIL#`), which exist already."""

from __future__ import annotations

import unicodedata

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.base import Entity, read_batch

MAX_WORDS = 6
MAX_WORD = 40  # characters of a word kept in the key
READ = 100  # items read for one search at most


class NameIndexItem(Entity, discriminator="business_name"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()


def words_of(text: str) -> list[str]:
    """The distinct words of a name or a search, folded: "Café Zoë's" -> ["cafe", "zoe", "s"]."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    found: list[str] = []
    word = ""
    for char in folded + " ":
        if char.isalnum():
            word += char
        elif word:
            if word[:MAX_WORD] not in found:
                found.append(word[:MAX_WORD])
            word = ""
    return found


def _items(tenant: TenantId, name: str, slug: str) -> list[NameIndexItem]:
    return [
        NameIndexItem(
            keys.platform_pk("BNAME", word[0]),
            keys.sort_key(word, tenant.value),
            tenant_id=tenant.value,
            name=name,
            slug=slug,
        )
        for word in words_of(name)[:MAX_WORDS]
    ]


def add(tx, tenant: TenantId, *, name: str, slug: str) -> None:
    """In the signup's transaction: the business is found by its name from then on."""
    for item in _items(tenant, name, slug):
        tx.save(item)


def listed(tenant: TenantId, *, name: str, slug: str) -> bool:
    """Whether the business has every item `add` would write for it, as it would (one BatchGetItem)."""
    wanted = _items(tenant, name, slug)
    found = read_batch([(item.pk, item.sk) for item in wanted])
    for item in wanted:
        held = found.get((item.pk, item.sk), NameIndexItem)
        if held is None or (held.tenant_id, held.name, held.slug) != (tenant.value, name, slug):
            return False
    return True


def rename(tx, tenant: TenantId, *, old: str, new: str, slug: str) -> None:
    """In a rename's transaction: the old name's items go, the new name's come."""
    kept = {(i.pk, i.sk) for i in _items(tenant, new, slug)}
    for item in _items(tenant, old, slug):
        if (item.pk, item.sk) not in kept:
            tx.delete(item, add_version_condition=False)
    add(tx, tenant, name=new, slug=slug)


def search(text: str, *, limit: int = 20) -> list[NameIndexItem]:
    """Businesses whose name has a word starting with each word of `text`, by name (one Query)."""
    wanted = words_of(text)
    if not wanted:
        return []
    lead = max(wanted, key=len)
    found: dict[str, NameIndexItem] = {}
    for item in NameIndexItem.query(
        keys.platform_pk("BNAME", lead[0]), NameIndexItem.sk.startswith(lead), limit=READ
    ):
        if not isinstance(item, NameIndexItem) or item.tenant_id in found:
            continue
        words = words_of(item.name)
        if all(any(w.startswith(part) for w in words) for part in wanted):
            found[item.tenant_id] = item
    return sorted(found.values(), key=lambda i: (i.name.casefold(), i.tenant_id))[:limit]
