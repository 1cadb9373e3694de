"""The language of an inquiry when nobody said (chalicelib/adapters/language.py): the languages
agents list, the same answer for the same text, the fallback when the text is too short or the
guess too weak."""

import pytest

from chalicelib.adapters import language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hello, I ordered coffee beans last week and they have not arrived yet.", "en"),
        ("Olá, a minha encomenda ainda não chegou. Podem verificar, por favor?", "pt"),
        ("Hola, mi pedido todavía no ha llegado. ¿Pueden revisarlo, por favor?", "es"),
        ("Bonjour, ma commande n'est toujours pas arrivée. Pouvez-vous vérifier ?", "fr"),
        ("Hallo, meine Bestellung ist noch nicht angekommen. Können Sie das prüfen?", "de"),
    ],
)
def test_a_question_in_a_language_agents_list_is_recognised(text, code):
    assert language.detect(text) == code


def test_short_text_falls_back_and_the_same_text_gets_the_same_answer():
    assert language.detect("ok thanks", fallback="pt") == "pt"
    assert language.detect("12345 67890 !!!!", fallback="en") == "en"
    text = "Where is my order? It was due on Monday."
    assert {language.detect(text) for _ in range(5)} == {"en"}
