"""Responses gzipped for clients that take gzip, and marked as varying by
Accept-Encoding for those that do not, with nothing else of theirs changed."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from api.compression import Compression

BIG = b"referat " * 200


async def _answer(request: Request) -> Response:
    headers = {}
    if "vary" in request.query_params:
        headers["vary"] = request.query_params["vary"]
    if "encoded" in request.query_params:
        headers["content-encoding"] = "x-referat"
    size = int(request.query_params.get("size", len(BIG)))
    return Response(BIG[:size], media_type="text/plain", headers=headers)


@pytest.fixture
def client() -> TestClient:
    app = Starlette(
        routes=[Route("/", _answer)], middleware=[Middleware(Compression, minimum_size=500)]
    )
    return TestClient(app)


def test_a_client_that_takes_gzip_gets_it(client: TestClient) -> None:
    response = client.get("/", headers={"accept-encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.content == BIG  # httpx decodes it
    small = client.get("/?size=10", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers and small.content == BIG[:10]


@pytest.mark.parametrize("size", [10, len(BIG)])
def test_other_clients_get_the_body_as_it_is_varying_by_accept_encoding(
    client: TestClient, size: int
) -> None:
    response = client.get(f"/?size={size}", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == BIG[:size]
    assert response.headers["content-length"] == str(size)
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"].startswith("text/plain")


def test_vary_is_merged_once_and_encoded_answers_are_left_alone(client: TestClient) -> None:
    plain = {"accept-encoding": "identity"}
    assert client.get("/?vary=Origin", headers=plain).headers.get_list("vary") == [
        "Origin, Accept-Encoding"
    ]
    assert client.get("/?vary=accept-encoding", headers=plain).headers.get_list("vary") == [
        "accept-encoding"
    ]
    assert client.get("/?vary=*", headers=plain).headers.get_list("vary") == ["*"]
    encoded = client.get("/?encoded=1", headers=plain)
    assert encoded.headers["content-encoding"] == "x-referat" and "vary" not in encoded.headers
