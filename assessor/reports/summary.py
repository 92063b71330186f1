"""The executive summary: the result told in plain words for a CEO or a board."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from assessor.reports.disagreement_text import disagreement, join, second_view
from assessor.reports.labels import SEVERITY_RANK, effort_label, in_sentence, owner_short

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


def possessive(name: str) -> str:
    """ "Acme Ltd's", and "Brightwater Homes'" for a name ending in s."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def _domains(count: int) -> str:
    return f"{count} domain{'s' if count != 1 else ''} {'were' if count != 1 else 'was'}"


def _below_count(below: int, answered: int, unanswered: int) -> str:
    """ "1 of 6 domains is below its target maturity"; where some were not answered,
    only the answered ones count: "3 of the 3 answered domains are below …; 3 domains
    were not answered"."""
    verb = "is below its" if below == 1 else "are below their"
    if not unanswered:
        if below == answered > 1:
            return f"All {answered} domains are below their target maturity"
        return f"{below} of {answered} domains {verb} target maturity"
    return (
        f"{below} of the {answered} answered domain{'s' if answered != 1 else ''} {verb} "
        f"target maturity; {_domains(unanswered)} not answered"
    )


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
    result: Mapping[str, Any],
    organization: str,
    domain_titles: Mapping[str, str],
    maturity: Collection[str] = (),
    topics: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The summary as short paragraphs and lists of plain sentences.  ``maturity``: the
    ids of the maturity questions (:func:`~.disagreement_text.maturity_questions`), to
    tell levels one step apart from agreement; ``topics``: the responsibilities' topics
    (:func:`~.disagreement_text.topics`), to name them in words."""
    overall = result["overall"]
    band: str | None
    band, meaning = score_band(overall)
    respondents = result["respondents"]
    span = result.get("range")
    if result.get("provisional") and span:
        band = None
        paragraphs = [
            f"{possessive(organization)} result is provisional: only {result['completeness']}% of the "
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
        unanswered = len(result["domains"]) - len(answered)
        if below:
            sentence = (
                f"{_below_count(len(below), len(answered), unanswered)}. The weakest is "
                f"{in_sentence(weakest['title'])} (maturity "
                f"{weakest['maturity']:.1f} against a target of {weakest['target']})"
            )
            if strongest is not weakest:
                sentence += (
                    f"; the strongest is {in_sentence(strongest['title'])} "
                    f"({strongest['maturity']:.1f} against {strongest['target']})"
                )
            paragraphs.append(sentence + ".")
        else:
            paragraphs.append(
                "Every domain answered meets its target maturity"
                + (f"; {_domains(unanswered)} not answered." if unanswered else ".")
            )
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
            "act": owner_short(f["act"]),
        }
        for f in top_gaps(result["findings"])
    ]
    actions = [
        {
            "recommendation": f["recommendation"],
            "act": owner_short(f["act"]),
            "effort": effort_label(f["effort"]),
        }
        for f in first_actions(result)
    ]
    return {
        "band": band,
        "paragraphs": paragraphs,
        "gaps": gaps,
        "disagreement": _disagreement(result, respondents, maturity, topics),
        "actions": actions,
        "method": _method(result, respondents),
    }


def _disagreement(
    result: Mapping[str, Any],
    respondents: Sequence[Mapping[str, Any]],
    maturity: Collection[str] = (),
    topics: Mapping[str, str] | None = None,
) -> str:
    if len(respondents) < 2:
        role = respondents[0]["role"] if respondents else ""
        return (
            "Only one person answered, so this report cannot show where the leaders disagree. "
            f"Inviting {second_view(result, role)} to answer the same questions independently "
            "is often the most revealing next step."
        )
    return disagreement(result, respondents, _unresolved_facts(result), maturity, topics)


def _unresolved_facts(result: Mapping[str, Any]) -> str:
    """The facts the respondents answer differently that decide a regulation or that a
    finding rests on, first: findings that depend on them are held at medium until they
    are settled."""
    facts = result.get("unresolved_facts") or []  # results kept before method 2 lack it
    if not facts:
        return ""
    names = [_noun(fact.get("about")) or f"\u201c{fact['text']}\u201d" for fact in facts[:2]]
    named = f"{', '.join(names)} and {len(facts) - 2} more" if len(facts) > 2 else join(names)
    return (
        f"They disagree on {len(facts)} fact{'s' if len(facts) != 1 else ''} to settle "
        f"first: {named}. Findings that depend on "
        f"{'them' if len(facts) != 1 else 'it'} are held at medium until settled. "
    )


def _noun(about: str | None) -> str | None:
    """A question's ``about`` ("on when security hears ...") as a noun phrase in a list
    ("when security hears ...")."""
    return about.removeprefix("on ") if about else about


def _method(result: Mapping[str, Any], respondents: Sequence[Mapping[str, Any]]) -> str:
    names = join([f"{r['name']} ({r['role']})" for r in respondents]) or "nobody"
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
