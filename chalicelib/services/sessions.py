"""Logging in and out, and knowing who is asking.

Sessions are server-side: the client holds a random token, the table holds its SHA-256 digest with
the principal, the CSRF token (portal) and an expiry. Logout deletes the item, so a token stops
working at once; a password change deletes every session of the account. A login always issues a
new token (rotation), and the same answer comes back for an unknown email as for a wrong password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.composition import Deps
from chalicelib.domain.errors import InvalidInput, TooManyRequests, Unauthenticated
from chalicelib.domain.identity import Principal, PrincipalKind, normalise_email
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.throttle import ACCOUNT, ADDRESS
from chalicelib.security import passwords, tokens
from chalicelib.store import audit, keys, principals, throttle
from chalicelib.store.identity import ApiKeyLookup, SessionRecord
from chalicelib.store.transactions import transaction

LIFETIME = {"cookie": timedelta(days=7), "bearer": timedelta(hours=24)}


class TooManyAttempts(TooManyRequests):
    code = "too_many_attempts"

    def __init__(self, retry_after: timedelta):
        minutes = max(1, int(retry_after.total_seconds() // 60) + 1)
        super().__init__(f"too many failed sign-ins; try again in {minutes} minutes")
        self.retry_after_seconds = int(retry_after.total_seconds()) + 1


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str
    expires_at: datetime
    principal: Principal


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    csrf_token: str | None = None
    session_digest: str | None = None
    channel: str | None = None  # how the session was issued: "cookie" (portal) or "bearer" (API)


INVALID_CREDENTIALS = "the email or password is wrong"


def log_in(email: str, password: str, *, address: str, channel: str, deps: Deps) -> IssuedSession:
    now = deps.now()
    subject = email.strip().lower()
    for policy, who in ((ACCOUNT, subject), (ADDRESS, address)):
        if (wait := throttle.locked_for(policy, who, now=now, secret=deps.secret)) is not None:
            raise TooManyAttempts(wait)

    try:
        record = principals.account_by_email(normalise_email(email))
    except InvalidInput:
        record = None
    principal = principals.principal_of(record)
    if record is None or principal is None:
        passwords.spend_verification_time(password)
        matches, needs_rehash = False, False
    else:
        matches, needs_rehash = passwords.verify_password(record.password_hash, password)

    if not matches or record is None or principal is None:
        for policy, who in ((ACCOUNT, subject), (ADDRESS, address)):
            throttle.register_failure(policy, who, now=now, secret=deps.secret)
        if principal is not None and principal.tenant is not None:
            audit.entry(
                principal.tenant, principal, "session.login_failed", f"member:{principal.id}", {}, at=now
            ).save()
        raise Unauthenticated(INVALID_CREDENTIALS, code="invalid_credentials")

    throttle.clear(ACCOUNT, subject, now=now, secret=deps.secret)
    if needs_rehash:
        # Parameters were raised since this hash was made: store one at today's cost.
        record.password_hash = passwords.hash_password(password)
        record.save_checked()
    return issue(principal, channel=channel, deps=deps, reason="session.created")


def start(account: principals.Account, *, channel: str, deps: Deps) -> IssuedSession:
    """A new account starts with a session, as if it had just signed in (signup)."""
    principal = principals.principal_of(account)
    if principal is None:  # principal_of refuses only a member no longer active, never a new one
        raise RuntimeError(f"the new account {account.pk} / {account.sk} may not act")
    return issue(principal, channel=channel, deps=deps, reason="session.created")


def issue(principal: Principal, *, channel: str, deps: Deps, reason: str) -> IssuedSession:
    now = deps.now()
    token = tokens.new_secret(tokens.SESSION)
    csrf = tokens.new_secret("csrf")
    expires = now + LIFETIME[channel]
    digest = tokens.digest(token)
    pk = keys.platform_pk("SESSION", digest)
    record = SessionRecord(
        pk,
        "SESSION",
        principal_kind=str(principal.kind),
        principal_id=principal.id,
        tenant_id=principal.tenant.value if principal.tenant else None,
        channel=channel,
        csrf_token=csrf,
        created_at=now,
        expires_at=int(expires.timestamp()),
        gsi2pk=_sessions_of(principal.kind, principal.id),
        gsi2sk=keys.sort_key(now.isoformat(), digest[:16]),
    )
    with transaction() as tx:
        tx.save(record, condition=SessionRecord.pk.does_not_exist())
        if principal.tenant is not None:
            tx.save(
                audit.entry(
                    principal.tenant,
                    principal,
                    reason,
                    f"member:{principal.id}",
                    {"channel": channel},
                    at=now,
                )
            )
    return IssuedSession(token=token, csrf_token=csrf, expires_at=expires, principal=principal)


def _sessions_of(kind: str, principal_id: str) -> str:
    return keys.platform_pk("SESSIONS", f"{kind}-{principal_id}")


def authenticate(secret: str, *, deps: Deps, channel: str = "bearer") -> Authenticated | None:
    """The principal behind a session token or an API key; None when it is unknown, expired or
    revoked, or its account may no longer act, or was issued for another channel: a portal
    cookie's token is no bearer token, an API token no cookie, and an API key only a bearer."""
    kind = tokens.kind_of(secret)
    if kind == tokens.SESSION:
        digest = tokens.digest(secret)
        pk = keys.platform_pk("SESSION", digest)
        session = SessionRecord.find(pk, "SESSION", consistent=True)
        # TTL deletion is lazy (it can lag by days): the expiry is checked here, always.
        if session is None or session.expires_at is None or session.expires_at <= deps.now().timestamp():
            return None
        if session.channel != channel:
            return None
        principal = principals.principal_of(
            principals.account_record(session.principal_kind, session.principal_id, session.tenant_id)
        )
        if principal is None:
            return None
        return Authenticated(
            principal=principal, csrf_token=session.csrf_token, session_digest=digest, channel=channel
        )
    if kind == tokens.API_KEY and channel == "bearer":
        pk = keys.platform_pk("APIKEY", tokens.digest(secret))
        lookup = ApiKeyLookup.find(pk, "LOOKUP", consistent=True)
        if lookup is None:
            return None
        principal = Principal(
            PrincipalKind.API_KEY, lookup.key_id, "API key", tenant=TenantId(lookup.tenant_id)
        )
        return Authenticated(principal=principal, channel=channel)
    return None


def log_out(auth: Authenticated, *, deps: Deps) -> None:
    if auth.session_digest is None:
        return
    now = deps.now()
    pk = keys.platform_pk("SESSION", auth.session_digest)
    with transaction() as tx:
        tx.delete(SessionRecord(pk, "SESSION"))
        if auth.principal.tenant is not None:
            tx.save(
                audit.entry(
                    auth.principal.tenant,
                    auth.principal,
                    "session.ended",
                    f"member:{auth.principal.id}",
                    {},
                    at=now,
                )
            )


def revoke_all(kind: str, principal_id: str, *, keep_digest: str | None = None) -> int:
    """Delete every session of an account (password change, role change, removal)."""
    revoked = 0
    for session in SessionRecord.gsi2.query(_sessions_of(kind, principal_id)):
        if keep_digest and session.pk.endswith(keep_digest):
            continue
        SessionRecord(session.pk, session.sk).delete()
        revoked += 1
    return revoked
