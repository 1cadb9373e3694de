"""The contact form of a business's public help centre, `/help/<slug>/contact` (no sign-in): the
customer's question becomes an inquiry of the business at that address, whatever the form says
(PROMISES R2), routed at once. The help centre's pages (search, articles: handlers/help_pages.py)
link here; sending the form counts the visit as contacted rather than deflected.

Rate-limited per client address, per customer address typed and per business (PROMISES T5); the
form is refused when the business turned its help centre off."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.web.auth import PUBLIC, client_address
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

FIELDS = ("customer_name", "customer_email", "subject", "body", "reason")

# The form's own words, in the help centre's languages (English otherwise).
WORDS = {
    "en": {
        "title": "Contact us",
        "intro": "Tell us what you need. We answer by mail.",
        "name": "Your name (optional)",
        "email": "Your email address",
        "subject": "Subject",
        "body": "Your message",
        "reason": "What is it about?",
        "any": "Something else",
        "send": "Send",
        "back": "Back to the help centre",
        "sent": "Thank you: your request #{number} is with {business}. We reply to {email}.",
    },
    "es": {
        "title": "Contáctanos",
        "intro": "Cuéntanos qué necesitas. Respondemos por correo.",
        "name": "Tu nombre (opcional)",
        "email": "Tu correo electrónico",
        "subject": "Asunto",
        "body": "Tu mensaje",
        "reason": "¿De qué se trata?",
        "any": "Otra cosa",
        "send": "Enviar",
        "back": "Volver al centro de ayuda",
        "sent": "Gracias: tu solicitud #{number} está con {business}. Respondemos a {email}.",
    },
    "pt": {
        "title": "Fale connosco",
        "intro": "Diga-nos do que precisa. Respondemos por email.",
        "name": "O seu nome (opcional)",
        "email": "O seu email",
        "subject": "Assunto",
        "body": "A sua mensagem",
        "reason": "Sobre o que é?",
        "any": "Outro assunto",
        "send": "Enviar",
        "back": "Voltar à central de ajuda",
        "sent": "Obrigado: o seu pedido #{number} está com {business}. Respondemos para {email}.",
    },
    "fr": {
        "title": "Contactez-nous",
        "intro": "Dites-nous ce dont vous avez besoin. Nous répondons par e-mail.",
        "name": "Votre nom (facultatif)",
        "email": "Votre adresse e-mail",
        "subject": "Objet",
        "body": "Votre message",
        "reason": "De quoi s'agit-il ?",
        "any": "Autre chose",
        "send": "Envoyer",
        "back": "Retour au centre d'aide",
        "sent": "Merci : votre demande n° {number} est chez {business}. Nous répondons à {email}.",
    },
    "de": {
        "title": "Kontaktieren Sie uns",
        "intro": "Sagen Sie uns, was Sie brauchen. Wir antworten per E-Mail.",
        "name": "Ihr Name (optional)",
        "email": "Ihre E-Mail-Adresse",
        "subject": "Betreff",
        "body": "Ihre Nachricht",
        "reason": "Worum geht es?",
        "any": "Etwas anderes",
        "send": "Senden",
        "back": "Zurück zum Hilfe-Center",
        "sent": "Danke: Ihre Anfrage Nr. {number} ist bei {business}. Wir antworten an {email}.",
    },
}


def _language(ctx: PageContext) -> str:
    asked = (ctx.request.query_params or {}).get("lang") or ctx.form_values.get("lang")
    if asked in WORDS:
        return asked
    for part in (ctx.request.headers.get("accept-language") or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in WORDS:
            return code
    return "en"


def _open(ctx: PageContext, slug: str):
    """The business at `slug`, if its help centre is on (after the page's rate limits)."""
    from chalicelib.services.knowledge import help_centre
    from chalicelib.services.support import settings

    help_centre.admit_address(client_address(ctx.request), searching=False, deps=ctx.deps)
    found = help_centre.business(slug)
    help_centre.admit_business(found, deps=ctx.deps)
    current = settings.of(found.tenant)
    if not current.help_page:
        raise NotFound("no help centre at this address")
    return found, current


def _page(ctx: PageContext, found, current, language: str, *, status: int = 200, errors=None):
    words = WORDS[language]
    return ctx.render(
        "help_contact.html",
        status=status,
        title=f"{words['title']} · {found.name}",
        business=found,
        words=words,
        language=language,
        reasons=[t.tag for t in current.reason_tags],
        errors=errors or {},
    )


@pages.get("/help/{slug}/contact", access=PUBLIC)
def contact_form(ctx: PageContext, slug: str):
    found, current = _open(ctx, slug)
    return _page(ctx, found, current, _language(ctx))


@pages.post("/help/{slug}/contact", access=PUBLIC, limit="contact_per_address")
def send_contact(ctx: PageContext, slug: str):
    from chalicelib.domain import inquiries as rules
    from chalicelib.services.support import inquiries

    found, current = _open(ctx, slug)
    language = _language(ctx)
    values = {name: ctx.form_values.get(name, "") for name in FIELDS}
    try:
        inquiries.admit_contact(found.tenant, values["customer_email"], deps=ctx.deps)
        record = inquiries.create(
            found.tenant,
            inquiries.NewInquiry(
                customer_email=values["customer_email"],
                customer_name=values["customer_name"] or None,
                subject=values["subject"],
                body=values["body"],
                reason=values["reason"] or None,
                channel="email",
                # the page's language when the customer picked one, else what the text says
                language=language if (ctx.request.query_params or {}).get("lang") in WORDS else None,
            ),
            source=rules.Source.HELP_PAGE,
            deps=ctx.deps,
        )
    except rules.MessageTooLarge as error:
        return _page(ctx, found, current, language, status=413, errors={"body": error.message})
    except DomainError as error:
        if error.code in ("rate_limited", "too_many_requests"):
            raise
        field = error.field if error.field in FIELDS else "form"
        return _page(ctx, found, current, language, status=400, errors={field: error.message})
    _contacted(ctx, found.tenant)
    sent = WORDS[language]["sent"].format(
        number=record.number, business=found.name, email=record.customer_email
    )
    return ctx.redirect(f"/help/{found.slug}/contact?lang={language}", flash=sent)


def _contacted(ctx: PageContext, tenant) -> None:
    """This help-centre visit sent the form: it no longer counts as deflected."""
    from chalicelib.services import knowledge
    from chalicelib.services.knowledge import visits
    from chalicelib.web.portal import read_cookies

    try:
        visit_id = visits.visit_id_from_cookies(read_cookies(ctx.request), deps=ctx.deps)
        knowledge.record_contact_submitted(tenant, visit_id, deps=ctx.deps)
    except Exception:  # the inquiry is stored: a deflection count must not turn it into an error
        from chalicelib.web.observability import logger

        logger.exception("the help-centre visit could not be marked as contacted")
