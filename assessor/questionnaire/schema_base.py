"""The base of the questionnaire file format: the strict model and the condition language.

:mod:`.schema` (questions, sections, rules) and :mod:`.model_schema` (the responsibility
model, its roles, structure rules and regulations) both build on these.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

#: Roles a respondent may carry: the responsibility model's roles (edition 2), ``CEO``
#: for the CEO, the board or another executive, ``CIO_CISO`` for one person who is both
#: CIO and CISO, and ``OTHER``.
RespondentRole = Literal[
    "CIO",
    "CISO",
    "CIO_CISO",
    "CTO",
    "CDO",
    "CRO",
    "DPO",
    "PRIVACY",
    "COMPLIANCE",
    "CEO",
    "EXTERNAL",
    "OTHER",
]
RESPONDENT_ROLES: tuple[str, ...] = get_args(RespondentRole)
#: How a respondent's role reads (a short label: "CIO and CISO (Ray Delgado) says").
RESPONDENT_ROLE_LABELS: dict[str, str] = {
    "CIO": "CIO",
    "CISO": "CISO",
    "CIO_CISO": "CIO and CISO",
    "CTO": "CTO",
    "CDO": "CDO",
    "CRO": "CRO",
    "DPO": "DPO",
    "PRIVACY": "Privacy officer",
    "COMPLIANCE": "Compliance or legal",
    "CEO": "CEO",
    "EXTERNAL": "External provider",
    "OTHER": "Other",
}
#: A respondent role that is several of the model's roles held by one person.
ROLES_HELD: dict[str, frozenset[str]] = {"CIO_CISO": frozenset({"CIO", "CISO", "CIO_CISO"})}


def holds_role(respondent_role: str | None, wanted: str) -> bool:
    """Whether a respondent of ``respondent_role`` speaks as ``wanted``: their own role, or
    one of the roles they hold together (a dual CIO/CISO is the CIO and the CISO)."""
    if respondent_role is None:
        return False
    return respondent_role == wanted or wanted in ROLES_HELD.get(respondent_role, ())


Scalar = str | int | float | bool


class Strict(BaseModel):
    """Base: unknown keys are errors, instances are immutable, numbers are finite."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def invalid(message: str, at: str = "") -> PydanticCustomError:
    """A validation error raised by a model validator.

    ``at`` is the dotted path, inside the model, of the value at fault (``options.2.score``);
    the loader appends it to the error's location.  The message is passed through the
    context so that braces in it are never taken as a template.
    """
    return PydanticCustomError("invalid", "{message}", {"message": message, "at": at})


# --- conditions -----------------------------------------------------------------


class AllOf(Strict):
    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(Strict):
    any: tuple[Condition, ...] = Field(min_length=1)


class NotOf(Strict):
    not_: Condition = Field(alias="not")


#: Comparison operators a ``{q: ...}`` condition may use, exactly one at a time.
COMPARE_OPS: tuple[str, ...] = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "answered")


def _attr(op: str) -> str:
    """The attribute name of an operator (``in`` is a keyword)."""
    return "in_" if op == "in" else op


class Compare(Strict):
    """``{q: QID, OP: VALUE}``: compares one question's answer."""

    q: str
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Scalar, ...] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Self:
        ops = self.ops
        if len(ops) != 1:
            found = f"found {len(ops)}: {', '.join(ops)}" if ops else "found none"
            raise invalid(
                f"a comparison needs exactly one operator ({', '.join(COMPARE_OPS)}); {found}"
            )
        if ops[0] in ("in", "not_in") and not self.operand:
            raise invalid(f"'{ops[0]}' needs at least one value", ops[0])
        return self

    @property
    def op(self) -> str:
        """The one operator set on this comparison (validated to be exactly one)."""
        ops = self.ops
        return ops[0] if ops else ""

    @property
    def ops(self) -> list[str]:
        """Every operator set (more than one is a validation error)."""
        return [op for op in COMPARE_OPS if getattr(self, _attr(op)) is not None]

    @property
    def operand(self) -> Any:
        return getattr(self, _attr(self.op)) if self.op else None


class RoleIs(Strict):
    """``{respondent_role: CIO}``: true when the answers are one respondent's, of that role."""

    respondent_role: RespondentRole


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            AllOf: "all",
            AnyOf: "any",
            NotOf: "not",
            Compare: "q",
            RoleIs: "respondent_role",
        }.get(type(value))
    if isinstance(value, dict):
        for key in ("all", "any", "not", "q", "respondent_role"):
            if key in value:
                return key
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[Compare, Tag("q")]
    | Annotated[RoleIs, Tag("respondent_role")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition needs one of: all, any, not, q, respondent_role",
    ),
]


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
