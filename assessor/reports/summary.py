"""The executive summary: the result told in plain words for a CEO or a board."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessor.reports.labels import OWNER_SHORT, SEVERITY_RANK

#: (lowest overall score, band, what it means), highest first.
BANDS: tuple[tuple[int, str, str], ...] = (
    (
        80,
        "Strong",
        "responsibilities are clearly owned and most practices are managed and measured",
    ),
    (60, "Established", "the foundations are in place, with specific gaps to close"),
    (
        40,
        "Developing",
        "important responsibilities are unowned, held by a role that does not fit, or run ad hoc",
    ),
    (0, "Weak", "IT and security leadership lacks clear ownership and basic practices"),
)
MIN_GAPS, MAX_GAPS = 3, 5
MAX_ACTIONS = 4


def score_band(overall: int) -> tuple[str, str]:
    """The band an overall score falls in, and what it means."""
    for floor, band, meaning in BANDS:
        if overall >= floor:
            return band, meaning
    return BANDS[-1][1], BANDS[-1][2]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


#: Respondent roles one person holds, as the summary names them.
_NAMED_ROLES = {
    "CIO": "the CIO",
    "CISO": "the CISO",
    "CEO": "the CEO",
    "CIO_CISO": "the CIO and CISO",
    "CTO": "the CTO",
    "CDO": "the Chief Data Officer",
    "CRO": "the CRO",
    "DPO": "the Data Protection Officer",
}


def _people(respondents: Sequence[Mapping[str, Any]]) -> str:
    """How the respondents are named together: 'the CIO and the CISO', 'the respondents'."""
    roles = [r["role"] for r in respondents]
    if len(set(roles)) == len(roles) and all(role in _NAMED_ROLES for role in roles):
        return _join([_NAMED_ROLES[role] for role in roles])
    return "the respondents"


def top_gaps(findings: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The three to five most important findings: all critical and high ones up to five,
    topped up with the next ones to three."""
    ordered = sorted(
        enumerate(findings), key=lambda pair: (SEVERITY_RANK.get(pair[1]["severity"], 9), pair[0])
    )
    ranked = [f for _, f in ordered]
    urgent = [f for f in ranked if f["severity"] in ("critical", "high")][:MAX_GAPS]
    if len(urgent) >= MIN_GAPS:
        return urgent
    rest = [f for f in ranked if f not in urgent]
    return urgent + rest[: MIN_GAPS - len(urgent)]


def first_actions(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The first things to do: quick wins, then the next 90 days, in priority order; one
    action per recommendation, and at most one "compare your answers" (perception) step."""
    by_id = {f["id"]: f for f in result["findings"]}
    roadmap = result["roadmap"]
    ids = [*roadmap.get("quick_wins", []), *roadmap.get("next_90_days", [])]
    ids += [i for i in roadmap.get("next_12_months", []) if i not in ids]
    actions: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    perception = 0
    for finding in (by_id[i] for i in ids if i in by_id):
        key = finding["recommendation"] if finding["kind"] != "perception" else "perception"
        if key in seen or (finding["kind"] == "perception" and perception):
            continue
        seen.add(key)
        perception += finding["kind"] == "perception"
        actions.append(finding)
        if len(actions) == MAX_ACTIONS:
            break
    return actions


def executive_summary(
    result: Mapping[str, Any], organization: str, domain_titles: Mapping[str, str]
) -> dict[str, Any]:
    """The summary as short paragraphs and lists of plain sentences."""
    overall = result["overall"]
    band: str | None
    band, meaning = score_band(overall)
    respondents = result["respondents"]
    span = result.get("range")
    if result.get("provisional") and span:
        band = None
        paragraphs = [
            f"{organization}'s result is provisional: only {result['completeness']}% of the "
            "required questions were answered, so its score on the governance of its IT and "
            f"security leadership is a range, {span['low']} to {span['high']} out of 100, "
            "with no band until at least 80% are answered."
        ]
    else:
        paragraphs = [
            f"{organization} scores {overall} out of 100 on the governance of its IT and "
            f"security leadership: {band.lower()}, meaning {meaning}."
        ]
    answered = [d for d in result["domains"] if d.get("maturity") is not None]
    if answered:
        below = [d for d in answered if d["maturity"] < d["target"]]
        strongest = max(answered, key=lambda d: (d["maturity"] - d["target"], d["score"]))
        weakest = min(answered, key=lambda d: (d["maturity"] - d["target"], d["score"]))
        if below:
            sentence = (
                f"{len(below)} of {len(result['domains'])} domains are below their target "
                f"maturity. The weakest is {weakest['title']} (maturity "
                f"{weakest['maturity']:.1f} against a target of {weakest['target']})"
            )
            if strongest is not weakest:
                sentence += (
                    f"; the strongest is {strongest['title']} "
                    f"({strongest['maturity']:.1f} against {strongest['target']})"
                )
            paragraphs.append(sentence + ".")
        else:
            paragraphs.append("Every domain answered meets its target maturity.")
    if result.get("clarity") is not None:
        paragraphs.append(
            f"Ownership clarity is {result['clarity']}%: the share of responsibilities whose "
            "one accountable owner fits the organisation. It is shown beside the score and "
            "never adds to it."
        )
    if result["completeness"] < 100 and not result.get("provisional"):
        paragraphs.append(
            f"{result['completeness']}% of the required questions were answered; unanswered "
            'and "don\'t know" answers are left out of the scores, neither gaps nor credit.'
        )

    gaps = [
        {
            "title": f["title"],
            "severity": f["severity"],
            "domain": domain_titles.get(f.get("domain") or "", ""),
            "act": OWNER_SHORT.get(f["act"], f["act"]),
        }
        for f in top_gaps(result["findings"])
    ]
    actions = [
        {
            "recommendation": f["recommendation"],
            "act": OWNER_SHORT.get(f["act"], f["act"]),
            "effort": f["effort"],
        }
        for f in first_actions(result)
    ]
    return {
        "band": band,
        "paragraphs": paragraphs,
        "gaps": gaps,
        "disagreement": _disagreement(result, respondents),
        "actions": actions,
        "method": _method(result, respondents),
    }


def _disagreement(result: Mapping[str, Any], respondents: Sequence[Mapping[str, Any]]) -> str:
    if len(respondents) < 2:
        return (
            "Only one person answered, so this report cannot show where the leaders disagree. "
            "Inviting the CISO (or the CIO) to answer the same questions independently "
            "is often the most revealing next step."
        )
    people = _people(respondents)
    facts = _unresolved_facts(result)
    gaps = result["perception"]["gaps"]
    if not gaps:
        return facts + f"{_capital(people)} gave the same answers wherever both answered."
    domains = [d for d in result["perception"]["domains"] if d.get("disagreement") not in (None, 0)]
    domains.sort(key=lambda d: -d["disagreement"])
    owners = [
        r
        for r in result["raci"]
        if r["status"] == "ambiguous" and len({n["owner"] for n in r["named"]}) > 1
    ]
    sentence = f"{_capital(people)} disagree on {len(gaps)} question" + (
        "s" if len(gaps) != 1 else ""
    )
    if domains:
        top = domains[:2]
        sentence += ", most of all in " + _join(
            [f"{d['title']} ({round(d['disagreement'] * 100)}% of questions)" for d in top]
        )
    sentence += "."
    if owners:
        sentence += (
            f" They name different owners for {len(owners)} responsibilit"
            + ("ies" if len(owners) != 1 else "y")
            + ", for example "
            + _join([f"{r['responsibility']} ({r['title']})" for r in owners[:2]])
            + "."
        )
    return facts + sentence


def _unresolved_facts(result: Mapping[str, Any]) -> str:
    """The facts about the organisation itself that the respondents answer differently,
    first: findings that depend on them are held at medium until they are settled."""
    facts = result.get("unresolved_facts") or []  # results kept before method 2 lack it
    if not facts:
        return ""
    named = _join([f"\u201c{fact['text']}\u201d" for fact in facts[:2]])
    more = f" and {len(facts) - 2} more" if len(facts) > 2 else ""
    return (
        f"They disagree on {len(facts)} fact{'s' if len(facts) != 1 else ''} about the "
        f"organisation itself: {named}{more}. Findings that depend on "
        f"{'them' if len(facts) != 1 else 'it'} are held at medium until settled. "
    )


def _method(result: Mapping[str, Any], respondents: Sequence[Mapping[str, Any]]) -> str:
    names = _join([f"{r['name']} ({r['role']})" for r in respondents]) or "nobody"
    count = len(respondents)
    lead = f"{count} respondent{'s' if count != 1 else ''} answered: {names}."
    if count < 2:
        return lead
    if result["method"].get("combination") == "median_low":
        return (
            f"{lead} Where their answers differ, the lower of two answers counts, and the "
            "median-low of three or more, so one outlier cannot move a score alone; each "
            "respondent's own scores are shown beside the combined ones."
        )
    return f"{lead} {result['method']['description']}"
