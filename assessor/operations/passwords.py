"""What a password must be (NIST SP 800-63B-4): at least 15 characters, no composition
rules, not a common or easily guessed one (zxcvbn's lists and estimate, shipped in its
package), and not made from the person's own e-mail address or name."""

from __future__ import annotations

import re

from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

from assessor.operations.errors import InvalidInput

MIN_PASSWORD = 15
MAX_PASSWORD = 200
#: zxcvbn's score runs 0 (too guessable) to 4; below this the password is refused.
MIN_SCORE = 3
#: zxcvbn refuses longer input; what comes after this many characters only adds strength.
_SCORED_LENGTH = 72


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", text.casefold())


def _own_words(email: str, name: str) -> list[str]:
    """The address, its local part and domain name, and the name: what a password must not
    be built from."""
    email = email.strip().casefold()
    local, _, domain = email.partition("@")
    words = [email, local, domain.split(".")[0], _folded(name), *name.casefold().split()]
    return [w for w in dict.fromkeys(words) if len(w) >= 4]


def check_password(password: str, *, email: str, name: str) -> None:
    """:raise InvalidInput: (``field="password"``) why this password is refused."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"Use at least {MIN_PASSWORD} characters: a few unrelated words make a good one.",
            field="password",
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Use at most {MAX_PASSWORD} characters.", field="password")
    folded = _folded(password)
    for word in _own_words(email, name):
        if word in folded or folded in word:
            raise InvalidInput(
                "Don't build your password from your e-mail address or name.", field="password"
            )
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=_own_words(email, name))
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        advice = " ".join(
            part for part in (feedback.get("warning"), *feedback.get("suggestions", [])) if part
        )
        raise InvalidInput(
            f"This password is too easy to guess. {advice or 'Add another uncommon word.'}",
            field="password",
        )


def hashed(password: str) -> str:
    """The stored form of a password."""
    return generate_password_hash(password, method="scrypt")
