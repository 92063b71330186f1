"""The executive summary's disagreement headline: what the respondents really disagree on,
told apart from "don't know" answers (a briefing need, not a competing view) and from
maturity levels one step apart (which the engine does not count as a difference).

Everything reads the result dict (``Result.to_dict()``) and, for the maturity questions,
their ids (:func:`maturity_questions`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from assessor.questionnaire.schema import Questionnaire
from assessor.reports.labels import in_sentence, role_label

#: The engine's "don't know" value (``assessor.engine.question_kinds.DONT_KNOW``).
DONT_KNOW = "unknown"

#: Respondent roles one person holds, as a sentence names them.
NAMED_ROLES = {
    "CIO": "the CIO",
    "CISO": "the CISO",
    "CEO": "the CEO",
    "CIO_CISO": "the CIO and CISO",
    "CTO": "the CTO",
    "CDO": "the Chief Data Officer",
    "CRO": "the CRO",
    "DPO": "the Data Protection Officer",
}


def join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def people(respondents: Sequence[Mapping[str, Any]]) -> str:
    """How the respondents are named together: 'the CIO and the CISO', 'the respondents'."""
    roles = [r["role"] for r in respondents]
    if len(set(roles)) == len(roles) and all(role in NAMED_ROLES for role in roles):
        return join([NAMED_ROLES[role] for role in roles])
    return "the respondents"


def _named(respondent: Mapping[str, Any], respondents: Sequence[Mapping[str, Any]]) -> str:
    """One respondent as a sentence names them: 'the CEO', or by name where two share a role."""
    roles = [r["role"] for r in respondents]
    if roles.count(respondent["role"]) == 1 and respondent["role"] in NAMED_ROLES:
        return NAMED_ROLES[respondent["role"]]
    return f"{respondent['name']} ({role_label(respondent['role'])})"


def maturity_questions(questionnaire: Questionnaire) -> frozenset[str]:
    """The ids of the scored maturity questions (those whose levels can be one step apart)."""
    return frozenset(
        q.id for q in questionnaire.questions.values() if q.kind == "maturity" and not q.context
    )


def topics(questionnaire: Questionnaire) -> dict[str, str]:
    """Each responsibility's ``topic`` ("fraud prevention"), where the model gives one, to
    name it inside a sentence instead of quoting its title."""
    return {r.id: r.topic for r in questionnaire.model if r.topic}


def unknown_only(gap: Mapping[str, Any]) -> bool:
    """Whether a perception gap is only "don't know" against answers that agree (a
    briefing need, not a disagreement)."""
    values = [a.get("value") for a in gap["answers"]]
    return len({repr(v) for v in values if v != DONT_KNOW}) < 2


def briefing_gaps(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions some respondents answered "don't know" while those who answered agree
    (the engine leaves them out of its perception gaps: an unknown is no view), each as a
    perception gap (``question`` and ``answers``, each answer with its respondent, role,
    value and label), in questionnaire order."""
    given: dict[str, list[dict[str, Any]]] = {}
    for respondent in result["respondents"]:
        for answer in respondent["answers"]:
            if answer.get("shown", True) and answer.get("value") is not None:
                given.setdefault(answer["question"], []).append(
                    {
                        "respondent": respondent["name"],
                        "role": respondent["role"],
                        "value": answer["value"],
                        "label": answer["label"],
                    }
                )
    gaps = []
    for question, answers in given.items():
        values = [a["value"] for a in answers]
        known = {repr(v) for v in values if v != DONT_KNOW}
        if len(answers) > 1 and DONT_KNOW in values and len(known) == 1:
            gaps.append({"question": question, "answers": answers})
    return gaps


def one_level_apart(result: Mapping[str, Any], maturity: Collection[str]) -> int:
    """How many maturity questions two or more respondents answered one level apart (the
    engine counts two levels or more as a difference)."""
    levels: dict[str, list[int]] = {}
    for respondent in result["respondents"]:
        for answer in respondent["answers"]:
            value = answer["value"]
            if answer["question"] not in maturity or not answer.get("shown", True):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            levels.setdefault(answer["question"], []).append(int(value))
    return sum(1 for given in levels.values() if len(given) > 1 and max(given) - min(given) == 1)


def disagreement(
    result: Mapping[str, Any],
    respondents: Sequence[Mapping[str, Any]],
    facts: str,
    maturity: Collection[str] = (),
    topics: Mapping[str, str] | None = None,
) -> str:
    """The disagreement headline after ``facts`` (the unresolved facts' sentence): the
    questions on which two respondents gave different answers (neither "don't know"), by
    domain; the "don't know" answers on questions the others agree on, per respondent; the
    maturity levels one step apart; and the responsibilities given different owners (by
    their ``topics`` where the model has them)."""
    named = people(respondents)
    settled_first = {f["question"] for f in result.get("unresolved_facts") or [] if "question" in f}
    real: list[Mapping[str, Any]] = []
    unknown: dict[str, int] = {}
    for gap in [*result["perception"]["gaps"], *briefing_gaps(result)]:
        if gap["question"] in settled_first:
            continue
        if not unknown_only(gap):
            real.append(gap)
            continue
        for answer in gap["answers"]:
            if answer.get("value") == DONT_KNOW:
                unknown[answer["respondent"]] = unknown.get(answer["respondent"], 0) + 1
    near = one_level_apart(result, maturity) if maturity else 0
    other = " other" if facts else ""
    if real:
        sentence = f"{capital(named)} disagree on {len(real)}{other} question" + (
            "s" if len(real) != 1 else ""
        )
        sentence += _where(real, result) + "."
    elif unknown or near:
        sentence = f"{capital(named)} gave no conflicting answers{other and ' elsewhere'}."
    else:
        where = "both" if len(respondents) == 2 else "more than one of them"
        sentence = f"{capital(named)} gave the same answers wherever {where} answered."
    sentence += _did_not_know(unknown, respondents, more=bool(real))
    if near:
        sentence += (
            f" On {near} maturity question{'s' if near != 1 else ''} they are one level "
            "apart, not counted as a disagreement."
        )
    sentence += _owners(result, topics or {})
    return facts + sentence


def _where(real: Sequence[Mapping[str, Any]], result: Mapping[str, Any]) -> str:
    """ ", most of all in Data (4) and the security program (3)" where two domains or more
    hold them."""
    titles = {d["id"]: in_sentence(d["title"]) for d in result["perception"]["domains"]}
    counts: dict[str, int] = {}
    for gap in real:
        if gap.get("domain") in titles:
            counts[gap["domain"]] = counts.get(gap["domain"], 0) + 1
    if len(counts) < 2:
        return f", all in {titles[next(iter(counts))]}" if counts and len(real) > 1 else ""
    order = sorted(counts, key=lambda d: -counts[d])
    if counts[order[0]] == 1:
        return ", one each in " + join([titles[d] for d in order]) if len(order) <= 3 else ""
    order = order[:2]
    return ", most of all in " + join([f"{titles[d]} ({counts[d]})" for d in order])


def _did_not_know(
    unknown: Mapping[str, int], respondents: Sequence[Mapping[str, Any]], more: bool
) -> str:
    """ " The CEO did not know the answer to 6 more questions: …" (the others agreeing)."""
    if not unknown:
        return ""
    who = [r for r in respondents if r["name"] in unknown]
    first, *rest = who
    count = unknown[first["name"]]
    text = (
        f" {capital(_named(first, respondents))} did not know the answer to {count} "
        f"{'more ' if more else ''}question{'s' if count != 1 else ''}"
    )
    text += "".join(
        f"{' and' if r is who[-1] else ','} {_named(r, respondents)} to {unknown[r['name']]}"
        for r in rest
    )
    others = [r for r in respondents if r["name"] not in unknown]
    answered = (
        f"that {_named(others[0], respondents)} answered"
        if len(others) == 1
        else "that the others answered alike"
    )
    return f"{text} {answered}: listed for briefing, not counted as disagreement."


def _owners(result: Mapping[str, Any], topics: Mapping[str, str]) -> str:
    owners = [
        r
        for r in result["raci"]
        if r["status"] == "ambiguous" and len({n["owner"] for n in r["named"]}) > 1
    ]
    if not owners:
        return ""
    return (
        f" They name different owners for {len(owners)} responsibilit"
        + ("ies" if len(owners) != 1 else "y")
        + ", for example "
        + join([topics.get(r["responsibility"]) or f"\u201c{r['title']}\u201d" for r in owners[:2]])
        + "."
    )


def second_view(result: Mapping[str, Any], role: str) -> str:
    """Whom to invite where one person answered, fitted to the organisation's structure:
    the CISO for a CIO, the CIO for a CISO, another executive for one person in both
    roles, the CEO or whoever handles security where there is no CISO."""
    context = result.get("context") or {}
    if role == "CIO_CISO" or context.get("dual_role") == "yes":
        return "another executive, such as the CEO or the CFO,"
    others = []
    if context.get("has_cio") != "no" and role not in ("CIO", "CTO"):
        others.append("the CIO")
    if context.get("has_ciso") != "no" and role != "CISO":
        others.append("the CISO")
    if others:
        return join(others)
    if role == "CEO":
        return "whoever leads IT and security day to day"
    return "the CEO, or whoever handles security day to day,"
