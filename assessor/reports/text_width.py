"""How wide a line of text is in the report's font (DejaVu Sans, bundled as "Report Sans"),
for the few places the report places text itself: the responsibility grid's columns.

The advance widths of printable ASCII, in thousandths of an em, read once from the
bundled fonts (fontTools' ``hmtx``); any other character counts as an ``M``-less average.
"""

from __future__ import annotations

_FIRST = 32
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838,
)  # fmt: skip
#: Any character beyond ASCII (a wide one, to err on the side of room).
_OTHER = {False: 700, True: 780}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of ``text`` set on one line at ``size`` points, in points."""
    table = _BOLD if bold else _REGULAR
    total = 0
    for char in text:
        index = ord(char) - _FIRST
        total += table[index] if 0 <= index < len(table) else _OTHER[bold]
    return total * size / 1000
