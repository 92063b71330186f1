"""Ownership findings judged against the organisation (the model's edition 2).

Each owner named is judged as :mod:`.organisation_fit` does, from the structure rules
and facts of this scoring: **expected**, **acceptable** (an alternative that fits here:
never a finding), **awaiting a lead** (no CISO, and a CTO, CIO or vCISO holds the
security duty without the written assignment or the size that makes it acceptable: the
one structural "name a security lead" finding covers it), **misplaced**, **shared**
(SHARED where one owner is wanted) or **orphaned**.  Respondents who name different
owners get one "agree who owns it" finding (``ambiguous``; high when one of them says
nobody).  Every title and recommendation names the
responsibility and the role who should own it, fitted to the organisation: without a
CISO, the security lead; without a CIO (or where the CTO answered and no CIO), the CTO.
"""

from __future__ import annotations

from collections.abc import Sequence

from assessor.engine import wording
from assessor.engine.facts import Facts
from assessor.engine.findings import answer_records
from assessor.engine.organisation_fit import NO_CISO, SECURITY_LEAD_RULE
from assessor.engine.organisation_model import ModelResponsibility, OrganisationModel
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import Evidence, Finding
from assessor.engine.scoring import Combined

FINE = frozenset({"expected", "acceptable", "awaiting_lead"})
#: The structure rules under which a CTO, CIO or vCISO may hold security duties.
NO_CIO = "no_cio"
#: Where there is no CRO, the executives who own the risks accept them (the model's SEC-8).
CRO = "CRO"
EXEC = "EXEC"
SHARED = "SHARED"
#: The structure rule under which one person holds the CIO and the CISO roles, and the
#: owner code of that person (a respondent role: "CIO and CISO").
DUAL_ROLE = "dual_role"
DUAL_OWNER = "CIO_CISO"
#: The responsibility of one named person holding security, in writing.
SECURITY_LEAD = "SEC-2"
#: Where an owner, once decided, is written down.
RECORD = "the written roles and responsibilities"


def fit(model: OrganisationModel, r: ModelResponsibility, code: str, facts: Facts) -> str:
    """How ``code`` fits as the accountable owner of ``r`` here (module docstring)."""
    if code == "NONE":
        return "orphaned"
    if code == "SHARED":
        return "expected" if r.accountable == "SHARED" else "shared"
    held = facts.held
    roles = {code}
    for rule in model.structure:
        if rule.id in held and code in rule.same_person:
            roles |= rule.same_person
    if r.accountable in roles:
        return "expected"
    # With no CISO, a role that may lead security holds its work until a lead is named:
    # the no-CISO finding asks for that (a written lead, or a security executive from
    # about 250 staff), so no finding says "misplaced" for each of its responsibilities.
    awaiting = False
    for alternative in r.alternatives:
        if alternative.role not in roles:
            continue
        if alternative.structure is None or alternative.structure in held:
            if alternative.when.holds(facts.values):
                return "acceptable"
        elif alternative.structure == SECURITY_LEAD_RULE and NO_CISO in held:
            awaiting = True
    return "awaiting_lead" if awaiting else "misplaced"


def owner_phrase(r: ModelResponsibility, facts: Facts) -> tuple[str, str]:
    """Who should own ``r`` here, as words and as the role code that acts."""
    if r.accountable == "CISO" and NO_CISO in facts.held:
        return "the named security lead", "EXEC"
    if r.accountable == "CIO" and (NO_CIO in facts.held or facts.cto_for_cio):
        return wording.ROLE_PHRASES["CTO"], "CTO"
    if r.accountable == CRO and facts.no_cro:
        return wording.ROLE_PHRASES[EXEC], EXEC
    return wording.ROLE_PHRASES[r.accountable], r.accountable


def stand_ins(index: Index, combined: Combined, facts: Facts) -> dict[str, str]:
    """Who acts for a role the organisation does not have: for the CISO, the owner named
    for SEC-2 (one named person holds security) when it fits, else the executive who must
    name one; for the CIO, the CTO where there is no CIO or a CTO answered for IT; for a
    CRO the organisation shows no sign of, the executives; for the CIO and the CISO
    jointly where there is no CISO, whoever acts for the CIO."""
    stand_in: dict[str, str] = {}
    model = index.organisation
    if NO_CISO in facts.held and SECURITY_LEAD in model.responsibilities:
        lead = "EXEC"
        for check in index.owner_checks:
            if check.info.question.responsibility == SECURITY_LEAD:
                code = combined.values.get(check.info.id)
                r = model.responsibilities[SECURITY_LEAD]
                if code is not None and fit(model, r, code, facts) in FINE:
                    lead = code
                break
        stand_in["CISO"] = lead
    if facts.no_cro:
        stand_in[CRO] = EXEC
    if NO_CIO in facts.held or facts.cto_for_cio:
        stand_in["CIO"] = "CTO"
        if stand_in.get("CISO") == "CIO":  # the security lead named is the CTO, too
            stand_in["CISO"] = "CTO"
    if "CISO" in stand_in:
        # "The CIO and the CISO jointly" with no CISO: whoever acts for IT, who has the
        # security lead's part of it too (the no-CISO finding has the lead named).
        stand_in[SHARED] = stand_in.get("CIO", "CIO")
    if DUAL_ROLE in facts.held:
        # One person holds both roles: the CIO's work, the CISO's and theirs jointly are
        # that person's, named one way throughout (as the roadmap names its owner).
        for role in ("CIO", "CISO", SHARED):
            stand_in.setdefault(role, DUAL_OWNER)
    return stand_in


def ownership_findings(index: Index, combined: Combined, facts: Facts) -> list[Finding]:
    """The ownership findings of every owner question of a domain (module docstring)."""
    model = index.organisation
    found: list[Finding] = []
    for check in index.owner_checks:
        info = check.info
        if info.id not in combined.values:
            continue
        r = model.responsibilities[info.responsibility.id]  # type: ignore[union-attr]
        answering = combined.answering(info.id)
        codes = list(dict.fromkeys(view.answers[info.id] for view in answering))
        fits = {code: fit(model, r, code, facts) for code in codes}
        owner, act = owner_phrase(r, facts)
        if len(codes) > 1:
            # Owners who disagree are "no agreed owner", even where one says nobody (which
            # makes it high): the others name someone.
            kind = "ambiguous"
            severity = "high" if "orphaned" in fits.values() else "medium"
            text = _disputed(r, [wording.ROLE_PHRASES.get(c, c) for c in codes], owner)
            act = "EXEC"
        else:
            status = fits[codes[0]]
            if status in FINE:
                continue
            holder = wording.ROLE_PHRASES.get(codes[0], codes[0])
            if codes[0] == "CIO" and (NO_CIO in facts.held or facts.cto_for_cio):
                holder = wording.ROLE_PHRASES["CTO"]  # the CTO answers for the CIO's part
            kind, severity, text = _agreed(status, r, holder, owner)
        found.append(
            check.findings.disputed._replace(
                id=f"{kind}:{info.finding_key}",
                kind=kind,
                severity=wording.bump(severity) if info.weight >= 2.0 else severity,
                title=text.title,
                recommendation=text.recommendation,
                act=act,
                evidence=Evidence(f"generic:{kind}", answer_records(info, answering)),
            )
        )
    return found


def _agreed(
    status: str, r: ModelResponsibility, holder: str, owner: str
) -> tuple[str, str, wording.FindingText]:
    title = _quoted(r)
    if status == "orphaned":
        return (
            "orphaned",
            "high",
            wording.FindingText(
                f"Nobody is accountable for {title}",
                f"Make {owner} accountable for {title}{_consulted(r)}"
                + ("." if _is_the_record(r) else f", and record it in {RECORD}."),
            ),
        )
    if status == "shared":
        return (
            "ambiguous",
            "medium",
            wording.FindingText(
                f"{wording.capital(holder)} share {title} with no one accountable",
                f"Make {owner} accountable for {title}{_consulted(r)}, and write it down: joint "
                f"ownership leaves nobody answerable when it goes wrong.",
            ),
        )
    return (
        "misplaced",
        "medium",
        wording.FindingText(
            f"{wording.capital(holder)} holds {title}, where {owner} should be accountable",
            f"Make {owner} accountable for {title}; {holder} can stay involved."
            + ("" if _is_the_record(r) else f" Record the change in {RECORD}."),
        ),
    )


def _disputed(r: ModelResponsibility, named: Sequence[str], owner: str) -> wording.FindingText:
    title = _quoted(r)
    return wording.FindingText(
        wording.disputed_owner_title(r.topic or title, named),
        f"Agree who is accountable for {title} (we suggest {owner}, or another owner "
        f"that fits the organisation), and write it down so that everyone knows.",
    )


def _is_the_record(r: ModelResponsibility) -> bool:
    """Whether ``r`` is writing down the roles itself (v2's GOV-4), whose owner is not
    "recorded in the written roles and responsibilities": that is their own work."""
    return r.topic is not None and RECORD.endswith(r.topic)


def _quoted(r: ModelResponsibility) -> str:
    return r.topic or f"\u201c{r.title}\u201d"


def _consulted(r: ModelResponsibility) -> str:
    roles = [wording.ROLE_PHRASES[c] for c in r.consulted]
    return f", consulting {wording.join_names(roles)}" if roles else ""
