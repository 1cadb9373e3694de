"""The typed edges of the web layer (issue 13): chalice's Request read as what it is (a body of
bytes, a query of lists), and a page's signed-in principal that is never None."""

import pytest
from chalice.app import Request

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.services.sessions import Authenticated
from chalicelib.web.portal import PageContext
from chalicelib.web.request import body_bytes, query_lists


def request(body: str | None, query: dict[str, list[str]] | None = None) -> Request:
    return Request(
        {
            "multiValueQueryStringParameters": query,
            "headers": {},
            "pathParameters": None,
            "requestContext": {"httpMethod": "POST", "resourcePath": "/x"},
            "body": body,
            "stageVariables": None,
        }
    )


def test_a_body_is_bytes_whether_chalice_got_text_or_nothing():
    assert body_bytes(request("a=1&b=é")) == "a=1&b=é".encode()
    assert body_bytes(request(None)) == b""


def test_a_query_keeps_every_value_of_a_repeated_parameter():
    assert query_lists(request(None, {"skill": ["email", "chat"], "limit": ["5"]})) == {
        "skill": ["email", "chat"],
        "limit": ["5"],
    }
    assert query_lists(request(None)) == {}


def test_a_page_for_the_signed_in_has_a_principal_and_a_stranger_has_none():
    ana = Principal(PrincipalKind.AGENT, "a1", "Ana")
    signed_in = PageContext(request(None), deps=None, authenticated=Authenticated(ana), csrf_token="t")
    assert signed_in.principal is ana and signed_in.viewer is ana
    stranger = PageContext(request(None), deps=None, authenticated=None, csrf_token="t")
    assert stranger.viewer is None
    # the wrapper answers Unauthenticated with the login page, never a 500 from None.name
    with pytest.raises(Unauthenticated):
        _ = stranger.principal
