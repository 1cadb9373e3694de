"""Keys are built in one place and tenant partitions cannot be confused; cursors are opaque,
signed and scoped (a tampered or foreign cursor is InvalidInput naming `cursor`)."""

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import cursors, keys

SECRET = b"test-secret"


def test_tenant_and_agent_partitions():
    assert keys.tenant_pk(TenantId("01ABC")) == "T#01ABC"
    assert keys.tenant_pk(TenantId("01ABC"), "OPENING", "X1") == "T#01ABC#OPENING#X1"
    assert keys.agent_pk(AgentId("01XYZ"), "ENTRY") == "A#01XYZ#ENTRY"


def test_keys_need_typed_ids_from_the_principal():
    with pytest.raises(TypeError):
        keys.tenant_pk("01ABC")  # a bare string (say, from a request body) is not a tenant context
    with pytest.raises(ValueError):
        TenantId("01A#BC")  # the delimiter cannot be smuggled into an id
    with pytest.raises(ValueError):
        keys.tenant_pk(TenantId("01ABC"), "A#B")


def test_belongs_to_does_not_match_a_longer_tenant_id():
    owner = keys.tenant_pk(TenantId("ab"))
    assert keys.belongs_to("T#ab", owner)
    assert keys.belongs_to("T#ab#OPENING#1", owner)
    assert not keys.belongs_to("T#abc", owner)
    assert not keys.belongs_to("T#abc#OPENING#1", owner)


def _key(pk="T#ab", sk="OPENING#1"):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_cursor_round_trip():
    token = cursors.encode(_key(), secret=SECRET)
    assert "T#ab" not in token  # opaque
    assert cursors.decode(token, secret=SECRET, scope="T#ab") == _key()


def test_no_cursor_means_first_page():
    assert cursors.encode(None, secret=SECRET) is None
    assert cursors.decode(None, secret=SECRET, scope="T#ab") is None
    assert cursors.decode("", secret=SECRET, scope="T#ab") is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: t.split(".")[0],  # signature removed
        lambda t: "not a cursor at all",
        lambda t: "%%%.%%%",
        lambda t: t + ".extra",
    ],
)
def test_tampered_cursor_is_invalid_input(tamper):
    token = cursors.encode(_key(), secret=SECRET)
    with pytest.raises(InvalidInput) as raised:
        cursors.decode(tamper(token), secret=SECRET, scope="T#ab")
    assert raised.value.field == "cursor"


def test_cursor_from_another_scope_is_refused_even_when_signed():
    foreign = cursors.encode(_key(pk="T#abc"), secret=SECRET)
    with pytest.raises(InvalidInput):
        cursors.decode(foreign, secret=SECRET, scope="T#ab")


def test_cursor_signed_with_another_secret_is_refused():
    token = cursors.encode(_key(), secret=b"other")
    with pytest.raises(InvalidInput):
        cursors.decode(token, secret=SECRET, scope="T#ab")
