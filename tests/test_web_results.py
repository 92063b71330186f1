"""The results blueprint: scores, radar, responsibility matrix, findings with their evidence,
where respondents disagree (with its heatmap), roadmap."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web_support import (
    Page,
    complete_answers,
    invite,
    questionnaire,
    save_and_submit,
    sign_in,
    stage,
)

DOMAINS = [
    "Strategy and business alignment",
    "IT infrastructure and applications",
    "The security program",
    "Data",
    "Suppliers and partners",
    "Leadership structure and oversight",
]


def test_results_of_one_respondent(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    q = questionnaire(app)
    save_and_submit(app, setup.respondent_id, complete_answers(q))

    page = Page(client.get(f"{setup.detail}/results"))

    assert page.response.status_code == 200
    assert page.accessibility_problems() == []
    overall = int(page.texts(".overall .big")[0])
    assert 0 < overall < 100
    assert page.texts(".scores tbody th") == DOMAINS
    for row in page.all(".scores tbody tr"):
        score = row.query("meter").etree_element.get("value")
        assert 0 <= int(score) <= 100
    radar = page.one("figure.radar svg")
    assert radar.etree_element.tag.endswith("svg")
    assert page.all("figure.radar svg polygon")
    # the matrix: every responsibility of the model, the model's owner beside the answers
    matrix = page.all("table.raci tbody tr")
    assert len(matrix) == len(q.model)
    assert page.texts("table.raci .rid")[:2] == ["STR-1", "STR-2"]
    assert "owned by another role than the model's" in page.texts("table.raci .status")

    findings = page.all("article.finding")
    assert page.texts("#findings-h") == [f"Findings ({len(findings)})"]
    # numbered as the report and the exports number them
    assert page.texts("article.finding .ref") == [f"F{n}" for n in range(1, len(findings) + 1)]
    structural = next(
        f
        for f in findings
        if "The CISO reports to the CIO and has no independent route"
        in "".join(f.etree_element.itertext())
    )
    evidence = [
        " ".join("".join(li.etree_element.itertext()).split())
        for li in structural.query_all("details li")
    ]
    assert f"Carla CIO (CIO) — {q.questions['ciso_reports_to'].text}: The CIO" in evidence
    severities = [f.etree_element.get("class").split("sev-")[1] for f in findings]
    order = ["critical", "high", "medium", "low"]
    assert severities == sorted(severities, key=order.index)  # most severe first

    assert page.all("figure.heatmap") == []  # one respondent: nothing to compare
    assert "Ask a peer" in page.text
    # the roadmap: initiatives by horizon, together closing every finding
    horizons = page.texts("#roadmap h3")
    assert horizons and all(h.startswith("Within ") for h in horizons)
    closed = {a.etree_element.get("href") for a in page.all("#roadmap ol.initiatives a")}
    assert closed == {f"#f-{n}" for n in range(1, len(findings) + 1)}


def test_two_respondents_who_disagree_get_a_perception_section(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam Secure", "CISO")))
    q = questionnaire(app)
    cio, ciso = setup.respondent_ids
    save_and_submit(app, cio, complete_answers(q, {"sec_program_owner": "CIO"}))
    save_and_submit(
        app, ciso, complete_answers(q, {"sec_program_owner": "CISO", "sec_program_maturity": 4})
    )

    page = Page(client.get(f"{setup.detail}/results"))

    assert page.texts("#perception-h") == ["Where respondents disagree"]
    assert page.one("figure.heatmap svg") is not None
    assert page.all("table.gaps tbody tr")
    rows = {
        r.query("th").etree_element.text: " ".join("".join(r.etree_element.itertext()).split())
        for r in page.all("table.gaps tbody tr")
    }
    question = q.questions["sec_program_owner"].text
    assert question in rows
    assert "CIO (Carla CIO)" in rows[question] and "CISO (Sam Secure)" in rows[question]
    assert "Ask a peer" not in page.text


def test_results_before_anyone_answers(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=())
    page = Page(client.get(f"{setup.detail}/results"))
    assert page.response.status_code == 200
    assert "Not answered yet" in page.text


def test_a_viewer_reads_results_but_is_not_offered_changes(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app)))
    token = invite(app, "olive@example.com", "vic@example.com", "viewer")
    viewer = app.test_client()
    viewer.post(f"/join/{token}", data={"name": "Vic Viewer", "password": "a sturdy passphrase 42"})

    page = Page(viewer.get(f"{setup.detail}/results"))
    assert page.response.status_code == 200
    assert page.all("article.finding")
    assert "Ask a peer" not in page.text

    other = app.test_client()
    stage(app, other, email="mallory@example.com", organization="Elsewhere")
    assert other.get(f"{setup.detail}/results").status_code == 404
    assert sign_in(other, "mallory@example.com").status_code == 302
    assert other.get(f"{setup.detail}/results").status_code == 404


def test_a_new_round_nobody_has_answered_shows_no_scores(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam Secure", "CISO")))
    q = questionnaire(app)
    for rid in setup.respondent_ids:
        save_and_submit(app, rid, complete_answers(q))
    response = client.post(f"{setup.detail}/reassess", data={"confirm": "y"})
    assert response.status_code == 302
    new_round = response.headers["Location"]

    page = Page(client.get(f"{new_round}/results"))

    assert page.response.status_code == 200
    assert "Not answered yet" in page.text
    assert page.all(".overall") == [] and "/ 100" not in page.text
    assert page.all("#progress") == []  # no scores: nothing to compare
    assert page.texts(".people-state.waiting") == [
        "Still answering, not counted: Carla CIO (CIO); Sam Secure (CISO)"
    ]
    report = Page(client.get(f"{new_round}/report"))
    facts = dict(zip(report.texts("#cover .fact-name"), report.texts("#cover .fact"), strict=True))
    assert facts["Overall score"] == "Not answered yet"
    assert facts["Respondents"] == "Nobody has submitted yet"
    assert report.texts("#summary .headline") == ["Not answered yet"]


def test_each_respondent_s_own_scores_beside_the_combined(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam Secure", "CISO")))
    q = questionnaire(app)
    cio, ciso = setup.respondent_ids
    save_and_submit(app, cio, complete_answers(q, {"sec_program_maturity": 4}))
    save_and_submit(app, ciso, complete_answers(q, {"sec_program_maturity": 0}))

    page = Page(client.get(f"{setup.detail}/results"))

    assert page.accessibility_problems() == []
    # each respondent's own score beside the combined one, per domain and for practice
    assert page.texts("table.domain-scores thead th.own") == [
        "Carla CIO (CIO)",
        "Sam Secure (CISO)",
    ]
    rows = {
        r.query("th").etree_element.text: [
            " ".join("".join(td.etree_element.itertext()).split()) for td in r.query_all("td")
        ]
        for r in page.all("table.domain-scores tbody tr, table.domain-scores tfoot tr")
    }
    assert list(rows) == [*DOMAINS, "Practice (before any cap)"]
    combined, carla, sam = rows["The security program"][:3]
    # The combined answer is the lower of the two: the CISO's level 0.
    assert int(carla) > int(sam) and combined == sam
    assert "Carla CIO (CIO) scores" in page.texts("#own-scores")[0]
    assert "% of required questions answered · ownership clarity" in page.text


def test_a_provisional_result_shows_a_range_and_no_band(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    q = questionnaire(app)
    # Submitted in full, but "Don't know" wherever it is offered: no answer, for the scores.
    answers = complete_answers(q)
    for question in q.questions.values():
        if q.section_of[question.id].id != "context" and "unknown" in [
            o.value for o in question.all_options
        ]:
            answers[question.id] = ["unknown"] if question.kind == "multi" else "unknown"
    save_and_submit(app, setup.respondent_id, answers)

    page = Page(client.get(f"{setup.detail}/results"))

    big = page.texts(".overall .big")[0]
    low, high = (int(part) for part in big.split("–"))
    assert low < high
    assert f"Provisional: {low} to {high} / 100" in page.text
    assert "no band" in page.text
    for band in ("Strong", "Established", "Developing", "Weak"):
        assert f"· {band}" not in page.text
