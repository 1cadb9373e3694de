"""Identity rules without I/O: roles and grants, the last owner, emails, slugs, time zones, the
password policy, throttling windows, argon2 parameters, and safe redirects."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.identity import (
    Principal,
    PrincipalKind,
    Role,
    check_change,
    check_grant,
    check_slug,
    check_time_zone,
    ensure_an_owner_remains,
    normalise_email,
)
from chalicelib.domain.passwords import Guessability, WeakPassword, check_guessability
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.throttle import ACCOUNT, remaining_lock
from chalicelib.security.passwords import check_password


def member(role: Role) -> Principal:
    return Principal(PrincipalKind.MEMBER, "m1", "M", tenant=TenantId("t1"), role=role)


@pytest.mark.parametrize(
    ("actor", "grant", "allowed"),
    [
        (Role.OWNER, Role.OWNER, True),
        (Role.OWNER, Role.MANAGER, True),
        (Role.ADMIN, Role.ADMIN, True),
        (Role.ADMIN, Role.OWNER, False),
        (Role.MANAGER, Role.MANAGER, False),
    ],
)
def test_who_may_grant_what(actor, grant, allowed):
    if allowed:
        check_grant(member(actor), grant)
    else:
        with pytest.raises(Forbidden):
            check_grant(member(actor), grant)


def test_admins_may_not_touch_owners_and_agents_may_not_manage_teams():
    with pytest.raises(Forbidden):
        check_change(member(Role.ADMIN), Role.OWNER)
    check_change(member(Role.OWNER), Role.OWNER)
    with pytest.raises(Forbidden):
        check_grant(Principal(PrincipalKind.AGENT, "a1", "A"), Role.MANAGER)


def test_last_owner_stays():
    with pytest.raises(Conflict) as raised:
        ensure_an_owner_remains(1, losing_owner=True)
    assert raised.value.code == "last_owner"
    ensure_an_owner_remains(2, losing_owner=True)
    ensure_an_owner_remains(1, losing_owner=False)


@pytest.mark.parametrize("text", ["  Olivia@Example.COM ", "a.b+tag@sub.example.co"])
def test_emails_are_normalised(text):
    assert normalise_email(text) == text.strip().lower()


@pytest.mark.parametrize(
    "text", ["", "no-at-sign", "two@@example.com", "a@b", "a b@example.com", "x" * 250 + "@e.com"]
)
def test_bad_emails_are_refused(text):
    with pytest.raises(InvalidInput) as raised:
        normalise_email(text)
    assert raised.value.field == "email"


@pytest.mark.parametrize("slug", ["acme", "acme-support", "a1b", "x" * 40])
def test_good_slugs(slug):
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug", ["ab", "-acme", "acme-", "Acme", "ac--me", "acme_x", "x" * 41, "admin", "api"]
)
def test_bad_slugs(slug):
    with pytest.raises(InvalidInput) as raised:
        check_slug(slug)
    assert raised.value.field == "slug"


def test_time_zones_are_iana_names():
    assert check_time_zone("America/New_York") == "America/New_York"
    with pytest.raises(InvalidInput):
        check_time_zone("EST5EDT-ish")


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-1", "min_length"),
        ("x" * 129, "max_length"),
        ("qwerty123456", "common"),
        ("abcabcabcabcabc", "guessable"),
    ],
)
def test_password_policy_says_which_rule(password, rule):
    with pytest.raises(WeakPassword) as raised:
        check_password(password)
    assert raised.value.rule == rule and raised.value.field == "password"


def test_password_that_repeats_the_account_is_guessable():
    with pytest.raises(WeakPassword):
        check_password("olivia.owner@acme.com", user_inputs=("olivia.owner@acme.com",))
    check_password("violet-harbor-92-lantern")


@pytest.mark.parametrize(
    ("verdict", "rule"),
    [
        (Guessability(common=True, score=4, hint=""), "common"),
        (Guessability(common=False, score=2, hint=""), "guessable"),
    ],
)
def test_the_policy_judges_the_estimators_verdict(verdict, rule):
    with pytest.raises(WeakPassword) as raised:
        check_guessability(verdict)
    assert raised.value.rule == rule
    check_guessability(
        Guessability(common=False, score=3, hint="This is similar to a commonly used password.")
    )


def test_throttle_windows_and_locks():
    now = datetime(2026, 11, 25, 10, 7, tzinfo=UTC)
    assert ACCOUNT.window_of(now) == ACCOUNT.window_of(now + timedelta(minutes=7))
    assert ACCOUNT.window_of(now) != ACCOUNT.window_of(now + timedelta(minutes=8))  # 10:15 starts a window
    assert not ACCOUNT.should_lock(4) and ACCOUNT.should_lock(5)
    until = ACCOUNT.lock_until(now)
    assert remaining_lock(until, now + timedelta(minutes=14)) == timedelta(minutes=1)
    assert remaining_lock(until, now + timedelta(minutes=15)) is None
    assert remaining_lock(None, now) is None


def test_argon2_parameters_meet_the_asvs_floor_and_old_hashes_are_rehashed():
    from argon2 import PasswordHasher, Type

    from chalicelib.security import passwords

    stored = passwords.hash_password("violet-harbor-92-lantern")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(stored, "violet-harbor-92-lantern") == (True, False)
    assert passwords.verify_password(stored, "wrong") == (False, False)
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(
        "violet-harbor-92-lantern"
    )
    assert passwords.verify_password(weaker, "violet-harbor-92-lantern") == (True, True)
    assert passwords.verify_password("not-a-hash", "x") == (False, False)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/app/team", "/app/team"),
        ("", "/app"),
        ("https://evil.example", "/app"),
        ("//evil.example", "/app"),
        ("javascript:alert(1)", "/app"),
        ("app", "/app"),
    ],
)
def test_next_stays_on_the_site(target, expected):
    from chalicelib.handlers.account_pages import safe_next

    assert safe_next(target, "/app") == expected
