"""What a password must be (NIST SP 800-63B-4): at least 15 characters, no composition
rules, not a common or easily guessed one (zxcvbn's lists and estimate, shipped in its
package, and the few example passphrases that famous examples made famous), and not made
from the person's own e-mail address or name.

Passwords are NFKC-normalised before they are checked and hashed (SP 800-63B 3.1.1.2), so
the same password typed on another keyboard or device is the same password.  A hash
made before that, from the text as typed, still opens: :func:`matches` tries the
normalised form, then the typed one.
"""

from __future__ import annotations

import re
import unicodedata

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from assessor.operations.errors import InvalidInput

MIN_PASSWORD = 15
MAX_PASSWORD = 200
#: zxcvbn's score runs 0 (too guessable) to 4; below this the password is refused.
MIN_SCORE = 3
#: zxcvbn refuses longer input; what comes after this many characters only adds strength.
_SCORED_LENGTH = 72
#: Pieces of an address or a name shorter than this are too common to refuse.
_OWN_WORD = 4
#: Passphrases published as examples of good ones (xkcd 936): in every cracking list now,
#: yet zxcvbn scores them well.  Compared with letters and digits only, case folded.
_FAMOUS = ("correcthorsebatterystaple", "tr0ub4dor3")
#: What separates the pieces of an address or a name.
_SEPARATORS = re.compile(r"[\s._+\-@'\u2019]+")


def normalised(password: str) -> str:
    """The form a password is checked and hashed in (NFKC)."""
    return unicodedata.normalize("NFKC", password)


def _fold(text: str) -> str:
    """``text`` case- and accent-insensitively: NFKC, case folded, accents dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", _fold(text))


def _own_words(email: str, name: str) -> list[str]:
    """What a password must not be built from: the address, its local part and domain,
    each piece of them split on . _ - +, the name, its words, and each of those reversed;
    folded as :func:`_fold` does."""
    address = _squeezed(email.strip())
    local, _, domain = address.partition("@")
    full_name = _squeezed(name)
    words = [address, local, domain, _SEPARATORS.sub("", domain.split(".")[0])]
    words += [full_name, full_name[::-1]]
    for piece in _SEPARATORS.split(f"{local} {domain} {_fold(name)}"):
        words += [piece, piece[::-1]]
        # The letters of a piece apart from its digits ("john1985": "john").
        words += re.findall(r"[^\W\d_]+", piece)
    return [w for w in dict.fromkeys(words) if len(w) >= _OWN_WORD]


def check_password(password: str, *, email: str, name: str) -> None:
    """:raise InvalidInput: (``field="password"``) why this password is refused."""
    password = normalised(password)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"Use at least {MIN_PASSWORD} characters: a few unrelated words make a good one.",
            field="password",
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Use at most {MAX_PASSWORD} characters.", field="password")
    folded = _squeezed(password)
    bare = re.sub(r"[\W_]+", "", folded)
    if any(example in bare for example in _FAMOUS):
        raise InvalidInput(
            "This is a published example password, in every list attackers try: "
            "choose words of your own.",
            field="password",
        )
    own = _own_words(email, name)
    for word in own:
        if word in folded or word in bare or folded in word:
            raise InvalidInput(
                "Don't build your password from your e-mail address or name.", field="password"
            )
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=own)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        advice = " ".join(
            part for part in (feedback.get("warning"), *feedback.get("suggestions", [])) if part
        )
        raise InvalidInput(
            f"This password is too easy to guess. {advice or 'Add another uncommon word.'}",
            field="password",
        )


def below_floor(password: str) -> bool:
    """Whether a password that opened an account is shorter than today's minimum (set
    before the floor rose to 15): its owner is asked to change it."""
    return len(normalised(password)) < MIN_PASSWORD


def hashed(password: str) -> str:
    """The stored form of a password (of its normalised form)."""
    return generate_password_hash(normalised(password), method="scrypt")


def matches(stored: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from: its normalised form, or,
    for a hash made before passwords were normalised, the text as typed."""
    form = normalised(password)
    if check_password_hash(stored, form):
        return True
    return form != password and check_password_hash(stored, password)
