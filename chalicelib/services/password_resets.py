"""Password reset by mail: a single-use token that expires in an hour. Asking for a reset answers
the same whether or not the email has an account; using the token sets the new password and ends
every session of the account, in that order, and the token cannot be used twice."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.composition import Deps
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.identity import normalise_email
from chalicelib.domain.passwords import check_password
from chalicelib.mail import Mail
from chalicelib.security import passwords, tokens
from chalicelib.services.sessions import revoke_all
from chalicelib.store import audit, keys, principals
from chalicelib.store.identity import ResetRecord
from chalicelib.store.transactions import transaction

VALID_FOR = timedelta(hours=1)


def request_reset(email: str, *, deps: Deps) -> None:
    try:
        email = normalise_email(email)
    except InvalidInput:
        return  # the same quiet answer as for an unknown email
    record = principals.account_by_email(email)
    principal = principals.principal_of(record) if record is not None else None
    if principal is None:
        return
    now = deps.now()
    token = tokens.new_secret(tokens.RESET)
    pk = keys.platform_pk("RESET", tokens.digest(token))
    ResetRecord(
        pk,
        "RESET",
        principal_kind=str(principal.kind),
        principal_id=principal.id,
        tenant_id=principal.tenant.value if principal.tenant else None,
        created_at=now,
        expires_at=int((now + VALID_FOR).timestamp()),
    ).save()
    deps.mailer.send(
        Mail(
            to=email,
            subject="Reset your deskhire password",
            text=(
                f"Hello {principal.name},\n\nSomeone asked to reset the password of your deskhire account. "
                f"If it was you, choose a new one here within the hour:\n\n{deps.link('/password-reset/' + token)}\n\n"
                "If it was not you, ignore this mail: your password stays as it is.\n"
            ),
        ),
        now=now,
    )


def _reset_record(token: str, *, deps: Deps) -> ResetRecord:
    if tokens.kind_of(token) != tokens.RESET:
        raise NotFound("this reset link is not valid; ask for a new one", code="reset_invalid")
    record = ResetRecord.find(keys.platform_pk("RESET", tokens.digest(token)), "RESET", consistent=True)
    if record is None or record.expires_at <= deps.now().timestamp():
        raise NotFound(
            "this reset link has expired or was already used; ask for a new one", code="reset_invalid"
        )
    return record


def check_token(token: str, *, deps: Deps) -> None:
    _reset_record(token, deps=deps)


def reset_password(token: str, new_password: str, *, deps: Deps) -> None:
    reset = _reset_record(token, deps=deps)
    account = principals.account_record(reset.principal_kind, reset.principal_id, reset.tenant_id)
    principal = principals.principal_of(account) if account is not None else None
    if principal is None:
        raise NotFound("this reset link is not valid; ask for a new one", code="reset_invalid")
    check_password(new_password, user_inputs=(principal.email or "", principal.name))
    now = deps.now()
    account.password_hash = passwords.hash_password(new_password)
    with transaction() as tx:
        # Deleting the reset under a condition makes the token single-use even against a race.
        tx.delete(
            reset,
            condition=ResetRecord.pk.exists(),
            on_conflict=NotFound("this reset link was already used", code="reset_invalid"),
        )
        tx.save(account)
        if principal.tenant is not None:
            tx.save(
                audit.entry(
                    principal.tenant, principal, "password.reset", f"member:{principal.id}", {}, at=now
                )
            )
    revoke_all(principal.kind, principal.id)
