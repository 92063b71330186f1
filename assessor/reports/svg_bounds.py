"""Bounds on an SVG logo's structure: how deep its elements nest, and how many it draws once
its references are followed.

A renderer draws ``<use href="#a">`` by drawing ``#a`` again, and an element with
``clip-path="url(#c)"`` by drawing ``#c``'s contents: a chain of references, each used a few
times, multiplies (10 levels of 10 uses draw 10^9 shapes from 1.8 KB, and WeasyPrint ran
out of time and memory on one).  Flattening such a file *is* the explosion, so it is
measured without expanding it (each element once, remembered) and refused past the caps.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET  # noqa: S405  (walks a tree already parsed safely)

#: Elements nested in one another, counting the ones a reference brings in.  Logos from
#: drawing programs nest a handful; 324 nested groups overflowed the sanitiser's stack.
MAX_DEPTH = 32
#: Elements drawn once every reference is followed.  20,000 small shapes take WeasyPrint
#: about 4 s; a logo with a thousand takes 0.3 s.
MAX_EXPANDED = 20_000

_LOCAL_REF = re.compile(r"""url\(\s*['"]?#([A-Za-z_][\w.-]*)['"]?\s*\)""")


class SvgBoundsError(ValueError):
    """An SVG that is too deep, too large once expanded, or refers to itself."""


def depth_message(found: str) -> str:
    return (
        f"The SVG logo nests its elements more than {MAX_DEPTH} deep ({found}). "
        "Flatten its groups in your drawing program, or upload a PNG."
    )


def _references(element: ET.Element) -> list[str]:
    """The ids an element draws again: its ``href`` and every ``url(#id)`` it names."""
    found = []
    for name, value in element.items():
        if name == "href" or name.endswith("}href"):
            if value.strip().startswith("#"):
                found.append(value.strip()[1:])
        else:
            found.extend(_LOCAL_REF.findall(value))
    return found


def check_bounds(root: ET.Element) -> None:
    """Refuse a tree that nests deeper than MAX_DEPTH or draws more than MAX_EXPANDED
    elements once its references are followed, or whose references loop.

    :raise SvgBoundsError: with a message for the person who uploaded it.
    """
    # The first element of an id is the one drawn (WeasyPrint's get_child, a browser's
    # getElementById): later ones with the same id must not stand in for it.
    by_id: dict[str, ET.Element] = {}
    for element in root.iter():
        if element.get("id"):
            by_id.setdefault(element.get("id", ""), element)
    #: (elements drawn, depth) of each element measured so far, by its identity.
    measured: dict[int, tuple[int, int]] = {}
    open_now: set[int] = set()

    def measure(element: ET.Element, level: int) -> tuple[int, int]:
        """(elements drawn, height) of ``element`` drawn at nesting ``level``."""
        key = id(element)
        if key in open_now:
            raise SvgBoundsError(
                "The SVG logo refers to itself (an element uses one that contains it). "
                "Upload a version without such a loop, or a PNG."
            )
        if key not in measured:
            if level > MAX_DEPTH:
                raise SvgBoundsError(depth_message("once its references are followed"))
            open_now.add(key)
            size, height = 1, 0
            targets = [by_id[ref] for ref in _references(element) if ref in by_id]
            for part in [*element, *targets]:
                part_size, part_height = measure(part, level + 1)
                size, height = size + part_size, max(height, part_height)
                if size > MAX_EXPANDED:
                    raise SvgBoundsError(
                        f"The SVG logo draws more than {MAX_EXPANDED:,} shapes once its "
                        "references (<use>, clip paths) are followed. Upload a simpler SVG, "
                        "or a PNG."
                    )
            open_now.discard(key)
            measured[key] = (size, height + 1)
        size, height = measured[key]
        if level + height - 1 > MAX_DEPTH:
            raise SvgBoundsError(depth_message("once its references are followed"))
        return size, height

    measure(root, 1)
