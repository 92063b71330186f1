"""The results page's finding filters: query-string parameters (no script needed), each a
select of the values the shown findings can take.

A filter is one :class:`FindingFilter`: built from the result by a function in
:data:`FILTERS`, or, for what the result does not hold (a finding's status, stored beside
it), built by the view and passed to :func:`apply` as ``more``.  The template renders
every filter alike.  An unknown value is not applied and gets a message beside its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wtforms import SelectField, SubmitField

from assessor.reports.labels import SEVERITY_RANK
from assessor.web import plain_words
from assessor.web.forms import Form

#: The value of "any" in every filter (the select's first option).
ANY = ""
#: The domain filter's value for findings about no one domain (the organisation's structure).
NO_DOMAIN = "none"


@dataclass(frozen=True)
class FindingFilter:
    #: Its query-string parameter, the select's name and (prefixed) id.
    name: str
    label: str
    #: (value, label) of each choice besides "any", in the select's order.
    options: tuple[tuple[str, str], ...]
    #: The finding's value for this filter.
    value_of: Callable[[Mapping[str, Any]], str]
    any_label: str = "All"


class FindingFilterForm(Form):
    """The findings' filter (a GET form: it changes nothing, so it carries no token); its
    fields are added per result by :func:`apply`, one select per filter."""

    class Meta:
        csrf = False

    submit = SubmitField("Filter")


@dataclass(frozen=True)
class Filtered:
    findings: list[Mapping[str, Any]]
    total: int
    form: FindingFilterForm
    #: The form's filter fields, in order.
    fields: list[Any] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(f.data not in (None, ANY) and not f.errors for f in self.fields)

    @property
    def valid(self) -> bool:
        return not any(f.errors for f in self.fields)


def by_domain(result: Mapping[str, Any]) -> FindingFilter:
    titles = {d["id"]: d["title"] for d in result["domains"]}
    options = [(d["id"], d["title"]) for d in result["domains"]]
    if any(not f.get("domain") for f in result["findings"]):
        options.append((NO_DOMAIN, "Leadership structure (no one domain)"))
    return FindingFilter(
        "domain",
        "Domain",
        tuple(options),
        lambda f: f.get("domain") if f.get("domain") in titles else NO_DOMAIN,
        any_label="All domains",
    )


def by_severity(result: Mapping[str, Any]) -> FindingFilter:
    return FindingFilter(
        "severity",
        "Severity",
        tuple((code, plain_words.severity(code)) for code in SEVERITY_RANK),
        lambda f: f["severity"],
        any_label="All severities",
    )


def by_status(
    statuses: Mapping[str, str], keys: Mapping[str, str], labels: Mapping[str, str]
) -> FindingFilter:
    """The consultant's status of each finding (stored beside the result, by finding key:
    ``statuses``; ``keys`` maps a finding's id to its key); a finding without one is open."""
    first = next(iter(labels))
    return FindingFilter(
        "status",
        "Status",
        tuple(labels.items()),
        lambda f: statuses.get(keys.get(f["id"], f["id"]), first),
        any_label="All statuses",
    )


#: The filters shown, in order.
FILTERS: list[Callable[[Mapping[str, Any]], FindingFilter]] = [by_domain, by_severity]


def apply(
    result: Mapping[str, Any], args: Mapping[str, str], more: Sequence[FindingFilter] = ()
) -> Filtered:
    """The result's findings that pass every filter ``args`` sets; an unknown value is not
    applied: its field gets a message instead.  ``more``: filters on what the result does
    not hold (a finding's status, say, read by the view), after those of :data:`FILTERS`."""
    filters = [build(result) for build in FILTERS] + list(more)

    class Bound(FindingFilterForm):
        pass

    for f in filters:
        choices = [(ANY, f.any_label), *f.options]
        setattr(
            Bound,
            f.name,
            SelectField(f.label, choices=choices, validate_choice=False, id=f"filter-{f.name}"),
        )
    form = Bound(args)
    findings: Sequence[Mapping[str, Any]] = result["findings"]
    fields = []
    for f in filters:
        bound = form[f.name]
        fields.append(bound)
        asked = (bound.data or ANY).strip()
        if asked == ANY:
            continue
        if asked not in {value for value, _ in f.options}:
            choices = ", ".join(label for _, label in f.options)
            bound.errors = [
                f"There is no {f.label.lower()} {asked[:40]!r}: choose one of {choices}."
            ]
            continue
        findings = [finding for finding in findings if f.value_of(finding) == asked]
    return Filtered(list(findings), len(result["findings"]), form, fields)
