"""Benchmark bands: where one delivered result stands among a firm's comparable clients.

Pure functions over ``Result.to_dict()`` dicts.  What leaves this module is a position
band ("lower quartile", "middle half", "upper quartile") and the group's size: never a
threshold between bands (with few clients a threshold is one client's score) and never
another client's figure.  :func:`position` depends on the other scores only through how
many lie below, level with and above the client's own, so moving any other client's
score on its side of the client's leaves the band as it was (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: A benchmark is shown only over this many organisations or more (the issue's decision).
MIN_GROUP = 10
LOWER, MIDDLE, UPPER = "lower quartile", "middle half", "upper quartile"
#: Size bands by head count: (lowest head count, label), ascending.
SIZE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under 250"),
    (250, "250-999"),
    (1000, "1000-4999"),
    (5000, "5000+"),
)
SIZE_BAND_LABELS = tuple(label for _, label in SIZE_BANDS)
#: The organisation form's size values (``models.ORG_SIZES``) as bands.
_SIZE_VALUES = {
    "1-49": "under 250",
    "50-249": "under 250",
    "250-999": "250-999",
    "1000-4999": "1000-4999",
    "5000+": "5000+",
}


def size_band(value: Any) -> str | None:
    """The band of a head count (a number) or of a size value ("250-999"); None when
    neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        label = None
        for lowest, name in SIZE_BANDS:
            if value >= lowest:
                label = name
        return label
    if isinstance(value, str):
        return _SIZE_VALUES.get(value)
    return None


@dataclass(frozen=True)
class Facts:
    """The context a result is compared by: sector (the option value and its label) and
    size band; None where not answered."""

    sector: str | None
    sector_label: str | None
    size: str | None


def context_facts(result: Mapping[str, Any]) -> Facts:
    """Sector and size band of a delivered result (``sector``; ``size`` or else
    ``employees``): from its context as scored, the settled facts and what respondents
    agree on, so that a sector the respondents dispute and nobody settled places the
    organisation in no sector's group.  Results kept before the context was recorded:
    the first counted respondent who answered."""
    labels: dict[str, dict[Any, str]] = {}
    first: dict[str, Any] = {}
    for person in result.get("respondents", ()):
        for answer in person.get("answers", ()):
            question, value = answer.get("question"), answer.get("value")
            if value is None or isinstance(value, list):
                continue
            labels.setdefault(question, {}).setdefault(value, str(answer.get("label") or value))
            first.setdefault(question, value)
    scored = result.get("context")
    known = scored if isinstance(scored, Mapping) else first
    sector = known.get("sector")
    size = known.get("size") or known.get("employees")
    return Facts(
        sector=str(sector) if sector is not None else None,
        sector_label=labels.get("sector", {}).get(sector, str(sector))
        if sector is not None
        else None,
        size=size_band(size) if size else None,
    )


def same_group(facts: Facts, other: Facts) -> bool:
    """Whether ``other`` is compared with ``facts``: the same sector and size band."""
    return other.sector == facts.sector and other.size == facts.size


def counts(result: Mapping[str, Any]) -> bool:
    """Whether a result may be compared: someone counted, and not marked provisional."""
    return bool(result.get("respondents")) and result.get("provisional") is not True


def headline(result: Mapping[str, Any]) -> int | None:
    value = result.get("overall")
    return int(value) if isinstance(value, int | float) else None


def domain_scores(result: Mapping[str, Any]) -> dict[str, int]:
    """Each answered domain's score (a domain nobody answered scores 0: not a figure)."""
    return {
        d["id"]: int(d["score"])
        for d in result.get("domains", ())
        if d.get("completeness", 0) > 0 and isinstance(d.get("score"), int | float)
    }


def position(own: float, others: Sequence[float]) -> str:
    """The band of ``own`` among ``own`` and ``others``, by mid-rank: the share below
    plus half the share level with it (itself included).  Under a quarter: lower
    quartile; over three quarters: upper quartile; else (a quarter exactly included)
    the middle half.  Ties sit together, so equal scores always share a band."""
    total = len(others) + 1
    below = sum(1 for s in others if s < own)
    level = 1 + sum(1 for s in others if s == own)
    twice_rank = 2 * below + level  # twice the mid-rank count
    if 2 * twice_rank < total:  # mid-rank / total < 1/4
        return LOWER
    if 2 * twice_rank > 3 * total:  # mid-rank / total > 3/4
        return UPPER
    return MIDDLE


@dataclass(frozen=True)
class Band:
    """One band shown: ``band`` is None when the group is too small (``of`` then says
    how many there are)."""

    band: str | None
    of: int

    def to_dict(self) -> dict[str, Any]:
        return {"band": self.band, "of": self.of}


def band_among(own: float | None, others: Sequence[float]) -> Band | None:
    """The band of ``own`` among the others, or a band of None with fewer than
    :data:`MIN_GROUP` organisations in all; None without a figure of one's own."""
    if own is None:
        return None
    total = len(others) + 1
    if total < MIN_GROUP:
        return Band(None, total)
    return Band(position(own, others), total)


def group_label(facts: Facts, count: int) -> str:
    """``23 clients in Retail or e-commerce with 250-999 employees``."""
    noun = "client" if count == 1 else "clients"
    label = f"{count} {noun}"
    if facts.sector_label:
        label += f" in {facts.sector_label}"
    if facts.size:
        label += f" with {facts.size} employees"
    return label


def benchmark(
    own: Mapping[str, Any], peers: Sequence[Mapping[str, Any]], titles: Mapping[str, str]
) -> dict[str, Any]:
    """What is shown of ``own`` among ``peers`` (the latest delivered results of the other
    opted-in clients on the same questionnaire version; those of another sector or size
    band are left out here): plain values only.

    ``{"available": bool, "message": str, "overall": {...} | None, "domains": [...]}``;
    each band is ``{"band", "of", "text"}``; a domain's also ``short`` (the band alone
    when its group is the headline's).
    """
    facts = context_facts(own)
    if not counts(own):
        return _unavailable("no benchmark: this result is provisional or has no answers")
    if facts.sector is None or facts.size is None:
        return _unavailable("no benchmark: the sector and the size must both be answered")
    comparable = [p for p in peers if counts(p) and same_group(facts, context_facts(p))]
    overall = band_among(headline(own), [h for p in comparable if (h := headline(p)) is not None])
    if overall is None or overall.band is None:
        have = overall.of if overall is not None else len(comparable) + 1
        return _unavailable(f"not enough comparable clients: {have} of {MIN_GROUP}")
    peer_domains = [domain_scores(p) for p in comparable]
    domains = []
    for domain_id, score in domain_scores(own).items():
        found = band_among(score, [d[domain_id] for d in peer_domains if domain_id in d])
        if found is None:
            continue
        shown = _shown(found, facts)
        # Among the same group as the headline: the band alone says it.
        short = found.band if found.band and found.of == overall.of else shown["text"]
        domains.append(
            {"id": domain_id, "title": titles.get(domain_id, domain_id), **shown, "short": short}
        )
    return {
        "available": True,
        "message": "",
        "overall": _shown(overall, facts),
        "domains": domains,
    }


def _unavailable(message: str) -> dict[str, Any]:
    return {"available": False, "message": message, "overall": None, "domains": []}


def _shown(found: Band, facts: Facts) -> dict[str, Any]:
    if found.band is None:
        text = f"not enough comparable clients: {found.of} of {MIN_GROUP}"
    else:
        text = f"{found.band} of {group_label(facts, found.of)}"
    return {**found.to_dict(), "text": text}
