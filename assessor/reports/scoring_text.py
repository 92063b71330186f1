"""The scores as the report, the results page and the exports state them: the headline
(one number and its band, or a provisional range without one), completeness and
ownership clarity beside it, and the method ("How this was scored") with this result's
own figures.  Everything reads the result dict (``Result.to_dict()``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessor.engine.method import CAPPING_KINDS, CAPS, PROVISIONAL_BELOW
from assessor.questionnaire.schema import MATURITY_NAMES
from assessor.reports import summary
from assessor.reports.labels import ROLE_LABELS

#: How a domain, a score or an answer nobody gave reads, everywhere.
NOT_ANSWERED = "Not answered"


def maturity_name(level: float | None) -> str:
    """The level reached: 2.7 has reached Defined (2), not yet Managed (3)."""
    if level is None:
        return "Not answered"
    return MATURITY_NAMES[max(0, min(4, int(level + 1e-9)))]


def domain_answered(domain: Mapping[str, Any]) -> bool:
    """Whether anyone answered a domain's questions: one nobody answered has no score
    (its 0 is no answer, never a result), as "don't know" moves no score."""
    return domain.get("maturity") is not None or bool(domain.get("completeness"))


def domain_score(domain: Mapping[str, Any]) -> int | None:
    """A domain's practice score, None where nobody answered it."""
    return int(domain["score"]) if domain_answered(domain) else None


def domain_score_text(domain: Mapping[str, Any]) -> str:
    """ "Score 58 / 100", or "Not answered" where nobody answered the domain."""
    return f"Score {domain['score']} / 100" if domain_answered(domain) else NOT_ANSWERED


def is_provisional(result: Mapping[str, Any]) -> bool:
    return bool(result.get("provisional"))


def headline(result: Mapping[str, Any]) -> str:
    """ "72 / 100 · Established", or "Provisional: 24 to 79 / 100" (no band)."""
    span = result.get("range")
    if is_provisional(result) and span:
        return f"Provisional: {span['low']} to {span['high']} / 100"
    band, _ = summary.score_band(result["overall"])
    return f"{result['overall']} / 100 · {band}"


def cap_text(result: Mapping[str, Any]) -> str:
    """What the findings' cap did to the headline, in one sentence ("" for no cap)."""
    cap = result.get("cap")
    if not cap:
        return ""
    count = cap["findings"]
    which = f"{count} {cap['severity']} structural or regulatory finding" + (
        "s" if count != 1 else ""
    )
    verb = "caps" if count == 1 else "cap"
    if cap["applied"]:
        return (
            f"Practice alone scores {result['practice']}; {which} {verb} the headline at "
            f"{cap['limit']}."
        )
    return (
        f"{which[0].upper()}{which[1:]} would cap the headline at {cap['limit']}; practice, "
        f"at {result['practice']}, is below it."
    )


def cap_cause(result: Mapping[str, Any]) -> str:
    """What caps the headline, in a few words: "one high regulatory finding: <its title>"
    where one finding does, "4 high structural or regulatory findings" otherwise ("" for
    no cap)."""
    cap = result.get("cap")
    if not cap:
        return ""
    count = cap["findings"]
    capping = [
        f
        for f in result.get("findings", ())
        if f["kind"] in CAPPING_KINDS and f["severity"] == cap["severity"]
    ]
    if count == 1 and len(capping) == 1:
        return f"one {cap['severity']} {capping[0]['kind']} finding: {capping[0]['title']}"
    return f"{count} {cap['severity']} structural or regulatory findings"


def headline_measure(result: Mapping[str, Any]) -> str:
    """The headline named as what it is, with the cap in one clause where it applied:
    "Headline 79 / 100 (practice 86, capped at 79 by one high regulatory finding: …)"."""
    span = result.get("range")
    if is_provisional(result) and span:
        return f"Headline {span['low']} to {span['high']} / 100 (practice maturity, provisional)"
    cap = result.get("cap")
    if cap and cap["applied"]:
        return (
            f"Headline {result['overall']} / 100 (practice {result['practice']}, capped at "
            f"{cap['limit']} by {cap_cause(result)})"
        )
    return f"Headline {result['overall']} / 100 (practice maturity)"


def clarity_text(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def scores_context(result: Mapping[str, Any]) -> dict[str, Any]:
    """The scores chapter, the cover and the summary headline."""
    domains = []
    for d in result["domains"]:
        maturity = d.get("maturity")
        if not domain_answered(d) or maturity is None:
            state = "unanswered"
        elif maturity >= d["target"]:
            state = "meets"
        else:
            state = "below"
        domains.append(
            {
                "id": d["id"],
                "title": d["title"],
                "score": d["score"],
                "answered": domain_answered(d),
                "score_text": domain_score_text(d),
                "maturity": maturity,
                "maturity_text": "–" if maturity is None else f"{maturity:.1f}",
                "maturity_name": maturity_name(maturity),
                "maturity_pct": 0 if maturity is None else round(100 * maturity / 4),
                "target": d["target"],
                "target_name": MATURITY_NAMES[max(0, min(4, int(d["target"])))],
                "target_pct": round(100 * d["target"] / 4),
                "distance": d.get("distance"),
                "completeness": d["completeness"],
                "clarity": clarity_text(d.get("clarity")),
                "clarity_pct": d.get("clarity") or 0,
                "disagreement": d.get("disagreement"),
                "disagreement_pct": (
                    None if d.get("disagreement") is None else round(100 * d["disagreement"])
                ),
                "state": state,
            }
        )
    provisional = is_provisional(result)
    band, meaning = summary.score_band(result["overall"])
    return {
        # False when no respondent counts: there is no score to show yet.
        "answered": bool(result["respondents"]),
        "overall": result["overall"],
        "headline": headline(result),
        "measure": headline_measure(result),
        "provisional": provisional,
        "range": result.get("range"),
        "completeness": result["completeness"],
        "clarity": clarity_text(result.get("clarity")),
        "practice": result.get("practice", result["overall"]),
        "cap": cap_text(result),
        "band": None if provisional else band,
        "meaning": meaning,
        "domains": domains,
        "respondents": [
            {
                "name": r["name"],
                "role": ROLE_LABELS.get(r["role"], r["role"]),
                "completeness": r["completeness"],
                "overall": (r.get("scores") or {}).get("overall"),
                "clarity": clarity_text((r.get("scores") or {}).get("clarity")),
            }
            for r in result["respondents"]
        ],
    }


def method_context(result: Mapping[str, Any]) -> dict[str, Any]:
    """ "How this was scored": the method's steps, with this result's figures."""
    method = result["method"]
    limits = dict(CAPS)
    several = len(result["respondents"]) > 1
    steps = [
        "Practice maturity is the headline. Each maturity level and each scored practice "
        "answer (a yes or no, a choice) scores its place between the question's worst "
        "answer (0) and its best (100); a domain's score is their weighted mean, and the "
        "overall score pools every domain's answers. Who is named as owner scores nothing "
        "here: an organisation with nothing in place scores 0 whatever it names.",
        "Ownership clarity is shown beside it: the share of responsibilities whose one "
        "accountable owner fits this organisation (the model's owner, or an acceptable "
        "alternative for its size and structure). A shared answer counts only where a lead "
        "is named. It never adds to the headline.",
        "Structural and regulatory findings cap the headline: a critical one at "
        f"{limits['critical']}, so it cannot read Established; a high one at "
        f"{limits['high']}, so it cannot read Strong.",
        '"Don\'t know" counts as unanswered. Unknowns move no score; they lower the '
        f"completeness shown beside every score. Below {PROVISIONAL_BELOW}% of the required "
        "questions answered, the result is provisional: the headline is a range, every "
        "unknown at its worst answer to every unknown at its best, and has no band.",
        "With several respondents, the lower of two answers counts, and the median-low of "
        "three or more, so one outlier cannot move a score alone; each respondent's own "
        "scores are shown beside the combined ones.",
    ]
    figures = [f"Practice score: {result.get('practice', result['overall'])} / 100."]
    if result.get("cap"):
        figures.append(cap_text(result))
    figures.append(f"Headline: {headline(result)}.")
    figures.append(
        f"Completeness: {result['completeness']}% of the required questions answered"
        + (f" by {len(result['respondents'])} respondents." if several else ".")
    )
    figures.append(f"Ownership clarity: {clarity_text(result.get('clarity'))}.")
    return {
        "version": method.get("version"),
        "steps": steps,
        "figures": figures,
    }
