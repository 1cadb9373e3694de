"""Password reset by mail: a single-use token that expires in an hour. Asking for a reset answers
the same whether or not the email has an account; using the token sets the new password and ends
every session of the account, in that order, and the token cannot be used twice."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.composition import Deps
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.identity import PrincipalKind, normalise_email
from chalicelib.domain.text import quoted_name
from chalicelib.mail import Mail, Subject
from chalicelib.security import passwords, tokens
from chalicelib.services.sessions import revoke_all
from chalicelib.store import audit, keys, limits, principals
from chalicelib.store.identity import ResetRecord
from chalicelib.store.transactions import transaction

VALID_FOR = timedelta(hours=1)


def request_reset(email: str, *, deps: Deps) -> None:
    """Mail a reset link, or (no account) a note saying so. Both paths do the same work before
    answering: one lookup, one rate-limit update, one reset item written, one mail handed to the
    mailer; so neither the answer nor its timing tells whether the address has an account. At
    most one mail per address every few minutes (`reset_per_email`), silently: the answer is the
    same when the limit holds one back."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        return  # not an address: nothing could be mailed, and the answer is the same
    now = deps.now()
    record = principals.account_by_email(email)
    if record is None:
        # An account costs two reads (its email claim, then its record): read a key that holds
        # nothing, so that an unknown address costs the same.
        principals.account_record(str(PrincipalKind.OPERATOR), "none", None)
    principal = principals.principal_of(record) if record is not None else None
    if limits.take(limits.in_force(deps).reset_per_email, "reset-email", email, deps=deps) is not None:
        return
    token = tokens.new_secret(tokens.RESET)
    ResetRecord(
        keys.platform_pk("RESET", tokens.digest(token)),
        "RESET",
        # With no account the item points at nobody (kind "none"): its token is never sent, and
        # it would not work if it were (principals.account_record finds no such account).
        principal_kind=str(principal.kind) if principal else "none",
        principal_id=principal.id if principal else "none",
        tenant_id=principal.tenant.value if principal and principal.tenant else None,
        created_at=now,
        expires_at=int((now + VALID_FOR).timestamp()),
    ).save()
    deps.mailer.send(_reset_mail(email, principal, token, deps=deps), now=now)


def _reset_mail(email: str, principal, token: str, *, deps: Deps) -> Mail:
    if principal is None:
        return Mail(
            to=email,
            subject=Subject.PASSWORD_NO_ACCOUNT,
            text=(
                "Hello,\n\nSomeone asked to reset the password of a deskhire account for this address, "
                "but no account uses it. If it was you, you may have signed up with another address: "
                f"ask for a reset with that one at {deps.link('/password-reset')}.\n\n"
                "If it was not you, ignore this mail.\n"
            ),
        )
    return Mail(
        to=email,
        subject=Subject.PASSWORD_RESET,
        text=(
            f"Hello {quoted_name(principal.name, fallback='there')},\n\nSomeone asked to reset the password "
            "of your deskhire account. If it was you, choose a new one here within the hour:\n\n"
            f"{deps.link('/password-reset/' + token)}\n\n"
            "If it was not you, ignore this mail: your password stays as it is.\n"
        ),
    )


def _reset_record(token: str, *, deps: Deps) -> ResetRecord:
    if tokens.kind_of(token) != tokens.RESET:
        raise NotFound("this reset link is not valid; ask for a new one", code="reset_invalid")
    record = ResetRecord.find(keys.platform_pk("RESET", tokens.digest(token)), "RESET", consistent=True)
    if (
        record is None
        or record.principal_kind == "none"
        or record.expires_at is None
        or record.expires_at <= deps.now().timestamp()
    ):
        raise NotFound(
            "this reset link has expired or was already used; ask for a new one", code="reset_invalid"
        )
    return record


def check_token(token: str, *, deps: Deps) -> None:
    _reset_record(token, deps=deps)


def reset_password(token: str, new_password: str, *, deps: Deps) -> None:
    reset = _reset_record(token, deps=deps)
    account = principals.account_record(reset.principal_kind, reset.principal_id, reset.tenant_id)
    principal = principals.principal_of(account)
    if account is None or principal is None:
        raise NotFound("this reset link is not valid; ask for a new one", code="reset_invalid")
    passwords.check_password(new_password, user_inputs=(principal.email or "", principal.name))
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
