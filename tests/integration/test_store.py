"""The store on DynamoDB Local: the binding is what decides the table, uniqueness and optimistic
locking are conflicts (409), transactions are all or nothing, pages resume from opaque cursors."""

import pytest
from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import binding, keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, MissingAttribute, MissingItem, Versioned, query_kinds, read_batch
from chalicelib.store.pagination import query_page
from chalicelib.store.transactions import MAX_ACTIONS, TooManyActions, transaction

pytestmark = pytest.mark.integration
SECRET = b"test"


class Note(Versioned, discriminator="test_note"):
    title = UnicodeAttribute()


class Tag(Entity, discriminator="test_tag"):
    label = UnicodeAttribute()


def note(tenant: str, n: str, title: str = "t") -> Note:
    return Note(keys.tenant_pk(TenantId(tenant)), keys.sort_key("NOTE", n), title=title)


def test_binding_decides_the_table(ddb, fresh_table):
    # Inside fresh_table's binding the write lands in the fresh table...
    note("bind", "1").save()
    assert Note.count(keys.tenant_pk(TenantId("bind"))) == 1
    # ...and the session's default table never sees it.
    session = binding.TableBinding(table_name="deskhire", region="us-east-1", host=f"http://127.0.0.1:{ddb}")
    with binding.bound(session):
        assert Note.count(keys.tenant_pk(TenantId("bind"))) == 0


def test_a_binding_to_a_missing_table_fails_rather_than_falling_back(ddb):
    missing = binding.TableBinding(
        table_name="no-such-table", region="us-east-1", host=f"http://127.0.0.1:{ddb}"
    )
    with binding.bound(missing), pytest.raises(Exception, match="no-such-table|ResourceNotFound|not found"):
        note("x", "1").save()


def test_one_connection_per_binding_and_service_models_parsed_once(ddb, fresh_table):
    # Every model of the single table shares one connection (one botocore client) per binding,
    # and the transactions use that same connection...
    note("conn", "1").save()
    Tag(keys.tenant_pk(TenantId("conn")), "TAG#1", label="x").save()
    assert Note._get_connection() is Tag._get_connection()
    assert Note._get_connection().connection is binding.connection()
    # ...and a binding with other credentials (a tenant's STS session) gets a client of its own
    # whose botocore session reuses the parsed service models instead of reading them again.
    other = binding.TableBinding(
        table_name=fresh_table,
        region="us-east-1",
        host=f"http://127.0.0.1:{ddb}",
        credentials=binding.Credentials("tenantkey", "tenantsecret"),
    )
    with binding.bound(other):
        assert Note.count(keys.tenant_pk(TenantId("conn"))) == 1
        theirs = Note._get_connection().connection
    mine = Note._get_connection().connection
    assert theirs is not mine
    assert theirs.session.get_component("data_loader") is mine.session.get_component("data_loader")


def test_save_new_refuses_a_duplicate(fresh_table):
    note("dup", "1").save_new()
    with pytest.raises(Conflict):
        note("dup", "1").save_new()


def test_optimistic_locking_refuses_a_stale_copy(fresh_table):
    note("lock", "1", "first").save()
    mine = Note.get(keys.tenant_pk(TenantId("lock")), "NOTE#1")
    theirs = Note.get(keys.tenant_pk(TenantId("lock")), "NOTE#1")
    mine.title = "mine"
    mine.save_checked()
    theirs.title = "theirs"
    with pytest.raises(Conflict):
        theirs.save_checked()
    assert Note.get(keys.tenant_pk(TenantId("lock")), "NOTE#1").title == "mine"


def test_transaction_is_all_or_nothing(fresh_table):
    note("tx", "taken").save()
    with pytest.raises(Conflict), transaction() as tx:
        tx.save(note("tx", "new"))
        tx.save(note("tx", "taken"), condition=Note.pk.does_not_exist())
    assert Note.count(keys.tenant_pk(TenantId("tx"))) == 1  # "new" was not written either


def test_transaction_commits_together_and_replays_with_its_token(fresh_table):
    pk = keys.tenant_pk(TenantId("tx2"))
    for _ in range(2):  # the same token and writes: applied once
        with transaction(idempotency_token="tok-1") as tx:
            tx.save(Tag(pk, "TAG#a", label="a"))
            tx.save(Tag(pk, "TAG#b", label="b"))
    assert sorted(t.label for t in Tag.query(pk)) == ["a", "b"]


def test_transaction_over_the_limit_is_refused_before_sending(fresh_table):
    pk = keys.tenant_pk(TenantId("big"))
    with pytest.raises(TooManyActions), transaction() as tx:
        for i in range(MAX_ACTIONS + 1):
            tx.save(Tag(pk, f"TAG#{i:03d}", label=str(i)))
    assert Tag.count(pk) == 0


def test_pages_resume_from_the_cursor_and_stay_in_scope(fresh_table):
    tenant = TenantId("pages")
    pk = keys.tenant_pk(tenant)
    for i in range(7):
        Tag(pk, f"TAG#{i}", label=str(i)).save()
    seen, cursor = [], None
    while True:
        page = query_page(Tag, pk, scope=pk, secret=SECRET, limit=3, cursor=cursor)
        seen += [t.label for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [str(i) for i in range(7)]

    # Another tenant cannot use this tenant's cursor, even a genuine one.
    first = query_page(Tag, pk, scope=pk, secret=SECRET, limit=3)
    other = keys.tenant_pk(TenantId("pages2"))
    with pytest.raises(InvalidInput):
        query_page(Tag, other, scope=other, secret=SECRET, limit=3, cursor=first.next_cursor)
    with pytest.raises(ValueError):
        query_page(Tag, pk, scope=other, secret=SECRET, limit=3)


def test_mixed_partition_comes_back_as_the_right_classes(fresh_table):
    pk = keys.tenant_pk(TenantId("mixed"))
    Note(pk, "NOTE#1", title="n").save()
    Tag(pk, "TAG#1", label="l").save()
    kinds = {type(item).__name__ for item in query_kinds((Note, Tag), pk)}
    assert kinds == {"Note", "Tag"}
    assert [type(item).__name__ for item in query_kinds((Tag,), pk)] == ["Tag"]


class Tally(Entity, discriminator="test_tally"):
    count = IntegerAttribute(default=0)
    limit = OptionalIntegerAttribute()
    note_text = OptionalUnicodeAttribute()
    seen_at = OptionalDateTimeAttribute()
    refs = StringListAttribute(default=list)


def test_attributes_read_back_as_their_types(fresh_table):
    # Given a tally written with whole numbers, a list, and values left out or cleared to None
    pk = keys.tenant_pk(TenantId("types"))
    Tally(pk, "TALLY#1", count=3, limit=7, note_text="x", refs=["a", "b"]).save()
    Tally(pk, "TALLY#1").update(
        actions=[Tally.count.add(2), Tally.limit.set(None), Tally.note_text.set(None)]
    )
    # When it is read
    read = Tally.load(pk, "TALLY#1")
    # Then counts are ints (not the floats PynamoDB types them as), and what is absent is None
    assert read.count == 5 and type(read.count) is int
    assert read.limit is None and read.note_text is None and read.seen_at is None
    assert read.refs == ["a", "b"]


def test_an_item_that_must_exist_is_a_fault_when_it_does_not(fresh_table):
    pk = keys.tenant_pk(TenantId("load"))
    with pytest.raises(MissingItem):
        Note.load(pk, keys.sort_key("NOTE", "1"))
    # a key that holds another kind of item holds no Note either (as find says)
    Tag(pk, keys.sort_key("NOTE", "1"), label="x").save()
    assert Note.find(pk, keys.sort_key("NOTE", "1")) is None
    with pytest.raises(MissingItem):
        Note.load(pk, keys.sort_key("NOTE", "1"))
    first = note("load", "2")
    first.save()
    Note.load(first.pk, first.sk).update(actions=[Note.title.set("changed")])
    assert first.reloaded().title == "changed"


def test_a_batch_answers_items_by_key_and_kind(fresh_table):
    pk = keys.tenant_pk(TenantId("batch"))
    note("batch", "1").save()
    Tag(pk, "TAG#1", label="x").save()
    found = read_batch([(pk, keys.sort_key("NOTE", "1")), (pk, "TAG#1"), (pk, "TAG#2")])
    assert found.get((pk, keys.sort_key("NOTE", "1")), Note) is not None
    assert found.get((pk, "TAG#1"), Note) is None  # there, but not a Note
    assert found.get((pk, "TAG#2"), Tag) is None  # not there
    assert [t.label for t in found.all(Tag)] == ["x"]
    assert read_batch([]).all(Note) == []


def test_a_value_a_state_promises_is_checked_where_it_is_read():
    from chalicelib.store.billing import InvoiceRecord

    drafted = InvoiceRecord("T#t", "INVOICE#2026-W48", stripe_invoice_id="in_1")
    assert drafted.require_stripe_invoice_id() == "in_1"
    with pytest.raises(MissingAttribute, match="stripe_charge_id"):
        drafted.require_stripe_charge_id()
