"""Ids of the CIO/CISO responsibility model, second edition (the shared document
``responsibility-model.md``, which lives outside this repository and is not in CI),
copied here as data so the scenario files can be checked against them."""

from __future__ import annotations

#: Responsibility ids per domain, from the model's tables.
RESPONSIBILITIES: frozenset[str] = frozenset(
    [f"STR-{n}" for n in range(1, 6)]
    + [f"INF-{n}" for n in range(1, 4)]
    + [f"SEC-{n}" for n in range(1, 10)]
    + [f"DAT-{n}" for n in range(1, 8)]
    + [f"TPR-{n}" for n in range(1, 4)]
    + [f"GOV-{n}" for n in range(1, 7)]
)

#: The model's structure rules ("Structure rules" section), by a short id.
STRUCTURE_RULES: frozenset[str] = frozenset({"no-ciso", "dual-role", "reporting-line", "size"})

#: The regulations of the applicability table.  NIST CSF 2.0 and ISO/IEC 27001:2022
#: apply always and are not listed.
REGULATIONS: frozenset[str] = frozenset(
    {"GDPR", "UK-GDPR", "HIPAA", "PCI-DSS", "NIS2", "DORA", "SEC"}
)

#: The model's roles.
ROLES: frozenset[str] = frozenset(
    {
        "CIO",
        "CISO",
        "CTO",
        "CDO",
        "CRO",
        "DPO",
        "PRIVACY",
        "COMPLIANCE",
        "EXEC",
        "EXTERNAL",
        "SHARED",
        "NONE",
    }
)

#: Kinds of gap ("Kinds of gap the engine must find"), plus an unresolved context fact
#: (issue #14, B: a disputed fact is listed first and caps what depends on it).
FINDING_KINDS: frozenset[str] = frozenset(
    {
        "orphaned",
        "misplaced",
        "ambiguous",
        "immature",
        "structural",
        "regulatory",
        "perception",
        "unknown-fact",
    }
)

SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

#: Where v1 asks about a responsibility the second edition split off: v1 asks when risk
#: was assessed under SEC-1, the independent review under SEC-4, board reporting under
#: GOV-2.  The baseline report reads v1 findings through this map.
V1_HOME: dict[str, str] = {"SEC-8": "SEC-1", "SEC-9": "SEC-4", "GOV-5": "GOV-2"}
