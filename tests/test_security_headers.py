"""Response headers on every page: a Content-Security-Policy that needs no inline script or
style, nosniff, no Referer (respondent tokens are in URLs), no framing, a request id."""

from __future__ import annotations

import re
from pathlib import Path

import tinyhtml5
from flask import Flask

from assessor.web.security import API_DOCS_POLICY, POLICY, REPORT_POLICY, STATIC_ENDPOINTS
from tests.security_world import build_world, sign_in
from tests.test_access_matrix import ROUTES

TEMPLATES = Path(__file__).resolve().parent.parent / "assessor" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
SVG_NS = "{http://www.w3.org/2000/svg}"


def _directives(policy: str) -> dict[str, str]:
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def test_policy_allows_nothing_inline() -> None:
    directives = _directives(POLICY)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in POLICY
    report = _directives(REPORT_POLICY)
    assert report["default-src"] == "'none'" and "script-src" not in report
    assert report["form-action"] == "'none'" and report["frame-ancestors"] == "'none'"


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    offending = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, STYLE_ELEMENT, HANDLER_ATTRIBUTE, STYLE_ATTRIBUTE):
            for match in pattern.finditer(text):
                offending.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}")
    assert offending == []


def _inline_problems(html: str) -> list[str]:
    """Anything in a rendered page that the policy would block (or that needs 'unsafe-*')."""
    problems = []
    for element in tinyhtml5.parse(html).iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag == "script" and not element.get("src"):
            problems.append("inline <script>")
        if tag == "style":
            problems.append("<style> element")
        for name in element.attrib:
            if name.lower().startswith("on"):
                problems.append(f"<{tag} {name}=...>")
            if name.lower() == "style" and not str(element.tag).startswith(SVG_NS):
                problems.append(f"<{tag} style=...>")
    return problems


#: Files a browser may keep for its user alone, checked against their ETag on every use.
DOWNLOADS = ("results.report_pdf", "results.export", "settings.logo")


def test_every_page_sends_the_headers_and_needs_nothing_inline(app: Flask) -> None:
    """Every GET route, as the owner (and the respondent's own link): headers and markup;
    pages are never stored by a cache, downloads are kept only privately, revalidated."""
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    failures = []
    for endpoint, route in ROUTES.items():
        if route.get is None:
            continue
        actor = "link" if route.access == "link" else "owner"
        if route.access == "join":
            client_for, url = app.test_client(), route.url(world, "anonymous")
        else:
            client_for, url = client, route.url(world, actor)
        response = client_for.get(url, follow_redirects=True)
        headers = response.headers
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        label = f"{endpoint} {url}"
        # Routes classified as 404 for everyone (links nobody was sent): their error page.
        if response.status_code != (404 if route.get == 404 else 200):
            failures.append(f"{label}: {response.status_code}")
        if headers.get("X-Content-Type-Options") != "nosniff":
            failures.append(f"{label}: no nosniff")
        if headers.get("Referrer-Policy") != "no-referrer":
            failures.append(f"{label}: Referrer-Policy {headers.get('Referrer-Policy')!r}")
        if not re.fullmatch(r"[0-9a-f]{32}", headers.get("X-Request-ID", "")):
            failures.append(f"{label}: no request id")
        cache = headers.get("Cache-Control")
        if endpoint in DOWNLOADS:
            if cache != "private, no-cache" or not headers.get("ETag"):
                failures.append(f"{label}: download Cache-Control {cache!r}")
        elif endpoint not in STATIC_ENDPOINTS and cache != "no-store":
            failures.append(f"{label}: Cache-Control {cache!r}")
        policy = headers.get("Content-Security-Policy", "")
        if "frame-ancestors 'none'" not in policy and endpoint != "settings.logo":
            failures.append(f"{label}: framing allowed ({policy!r})")
        if endpoint == "results.report_preview":
            if policy != REPORT_POLICY:
                failures.append(f"{label}: policy {policy!r}")
        elif endpoint == "api_docs.index":
            # Swagger UI: scripts from the app only; it draws with style attributes.
            if policy != API_DOCS_POLICY or _directives(policy)["script-src"] != "'self'":
                failures.append(f"{label}: policy {policy!r}")
            failures += [f"{label}: {p}" for p in _inline_problems(html)]
        elif html:
            if policy != POLICY:
                failures.append(f"{label}: policy {policy!r}")
            failures += [f"{label}: {p}" for p in _inline_problems(html)]
    assert failures == []


def test_error_pages_and_json_carry_the_headers(client) -> None:
    for response in (
        client.get("/no/such/page"),
        client.post("/r/unknown-token/autosave", json={}),
        client.get("/healthz"),
    ):
        assert response.headers["Content-Security-Policy"] == POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_what_respondents_and_members_see_is_not_stored_by_caches(app: Flask) -> None:
    """Respondent pages and autosave replies, signed-in pages and JSON: ``no-store`` (a
    shared computer's back button or a proxy must not keep someone's answers)."""
    world = build_world(app)
    respondent = app.test_client()
    page = respondent.get(f"/r/{world.token_a}/s/context")
    saved = respondent.post(
        f"/r/{world.token_a}/autosave",
        json={"question": "employees", "value": "250", "comment": None, "version": 0},
    )
    member = app.test_client()
    sign_in(member, world.owner)
    answer = f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/answer"
    responses = [
        page,
        saved,
        member.get("/workspace"),
        member.get(f"/assessments/{world.assessment_a}/results"),
        member.get(f"{answer}/s/context"),
        member.get("/no/such/page"),
        member.post("/signout"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 404, 302]
    assert [r.headers.get("Cache-Control") for r in responses] == ["no-store"] * len(responses)


def test_downloads_are_kept_privately_and_revalidated(app: Flask) -> None:
    """The logo and an export: ``private, no-cache`` with an ETag; asked again with that
    ETag, 304 and no body."""
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.viewer)
    for url in ("/workspace/logo", f"/assessments/{world.assessment_a}/export.csv"):
        first = client.get(url)
        assert first.status_code == 200 and first.data
        assert first.headers["Cache-Control"] == "private, no-cache"
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["Cache-Control"] == "private, no-cache"


def test_logo_keeps_its_own_stricter_policy(app: Flask) -> None:
    """An uploaded SVG logo is served with a policy that runs nothing."""
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.viewer)
    response = client.get("/workspace/logo")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_request_id_from_a_proxy_is_kept_only_when_it_looks_like_one(client) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-1234abcd"})
    assert kept.headers["X-Request-ID"] == "edge-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])
