"""Engine benchmark: scorings per second on the shipped questionnaire, beside a baseline.

Loads the questionnaire once, draws random valid answer sets (seeded, so every run
scores the same inputs), and for about five seconds per group alternates batches of
``score()`` with batches of the baseline, ``json.dumps`` of the same answers, on one
core.  Times are CPU time of this process, so other work on the machine inflates them
less than wall time would; the ratio (how many baseline dumps one scoring costs) is the
figure to compare between machines.

    .venv/bin/python bench/engine.py [--seconds 5] [--version N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessor.engine import Respondent, parse_answers_document, score  # noqa: E402
from assessor.questionnaire import load_paths  # noqa: E402
from assessor.questionnaire.schema import (  # noqa: E402
    OWNER_CODES,
    RESPONDENT_ROLES,
    Question,
    Questionnaire,
)

BATCH = 50
SETS = 400
NAMES = ("Ann Lee", "Bo Chen", "Cy Diaz")


def random_answer(question: Question, rng: random.Random) -> Any:
    kind = question.kind
    if kind == "owner":
        return rng.choice(OWNER_CODES)
    if kind == "maturity":
        return rng.randint(0, 4)
    values = [option.value for option in question.all_options]
    if kind in ("choice", "yesno"):
        return rng.choice(values)
    if kind == "multi":
        return [v for v in values if rng.random() < 0.4]
    if kind == "number":
        return rng.randint(int(question.min or 1), int(min(question.max or 5000, 5000)))
    return rng.choice(["", "All good.", "We are working on it."])


def random_respondents(q: Questionnaire, count: int, rng: random.Random) -> list[Respondent]:
    people = []
    for n in range(count):
        answers = {
            question.id: random_answer(question, rng)
            for question in q.questions.values()
            if rng.random() < 0.92
        }
        people.append(Respondent(NAMES[n], rng.choice(RESPONDENT_ROLES), answers))
    return people


def measure(
    work: Callable[[Any], object],
    baseline: Callable[[Any], object],
    sets: Sequence[Any],
    seconds: float,
) -> tuple[float, float]:
    """Per-call CPU seconds of ``work`` and of ``baseline``, in alternating batches."""
    spent = [0.0, 0.0]
    calls = [0, 0]
    position = 0
    clock = time.process_time
    deadline = clock() + 2 * seconds
    while clock() < deadline:
        batch = [sets[(position + i) % len(sets)] for i in range(BATCH)]
        position += BATCH
        for slot, function in enumerate((work, baseline)):
            start = clock()
            for item in batch:
                function(item)
            spent[slot] += clock() - start
            calls[slot] += len(batch)
    return spent[0] / calls[0], spent[1] / calls[1]


def loop_step_ns() -> float:
    """CPU nanoseconds per step of a bare Python loop: how fast this machine runs Python."""
    steps = 2_000_000
    start = time.process_time()
    total = 0
    for step in range(steps):
        total += step
    return (time.process_time() - start) / steps * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per group (default 5)")
    parser.add_argument(
        "--version",
        type=int,
        default=None,
        help="the questionnaire version to score (default: the published one)",
    )
    args = parser.parse_args()

    catalog, problems = load_paths([str(ROOT / "questionnaires")])
    try:
        q = catalog.get("cio-ciso-governance", args.version)
    except KeyError:
        parser.exit(2, f"bench/engine.py: no questionnaire version {args.version}\n")
    rng = random.Random(20240601)
    print(
        f"questionnaire: {q.id} v{q.version} ({len(q.questions)} questions, "
        f"{len(q.rules)} rules); {SETS} random answer sets per group; CPU time"
    )
    print(f"for scale: a bare Python loop step takes {loop_step_ns():.0f} ns on this machine")
    score(q, random_respondents(q, 1, rng))  # build and cache the index once

    # The demo answers v2; v1 is timed on the demo as it was on v1.
    demo_file = "demo-v1.json" if q.version == 1 else "demo.json"
    demo = json.loads((ROOT / "tests" / "answers" / demo_file).read_text())
    _, parsed, _ = parse_answers_document(demo, catalog)
    demo_people = [Respondent(p.name, p.role, dict(p.answers)) for p in parsed]
    groups = (("1 respondent", 1, 1), ("2 respondents", 2, 2), ("1-3 respondents", 1, 3))
    runs: list[tuple[str, list[Any]]] = [
        (label, [random_respondents(q, rng.randint(fewest, most), rng) for _ in range(SETS)])
        for label, fewest, most in groups
    ]
    runs.append((f"the demo: two realistic respondents, tests/answers/{demo_file}", [demo_people]))
    for label, sets in runs:
        findings = sum(len(score(q, people).findings) for people in sets) / len(sets)
        per_score, per_dump = measure(
            lambda people: score(q, people),
            lambda people: json.dumps([p.answers for p in people]),
            sets,
            args.seconds,
        )
        print(f"\n{label} ({findings:.0f} findings per result on average)")
        print(f"  scorings per second: {1 / per_score:,.0f}")
        print(f"  baseline, json.dumps of the answers, per second: {1 / per_dump:,.0f}")
        print(f"  ratio: {per_score / per_dump:.1f} (one scoring costs this many baseline dumps)")


if __name__ == "__main__":
    main()
