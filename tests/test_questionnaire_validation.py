"""Every kind of fault the validator must catch, each from a small broken file, with the
exact line it prints: ``FILE: location: message``."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessor.questionnaire import (
    Problem,
    QuestionnaireError,
    load_file,
    load_paths,
    load_text,
)

BROKEN = Path(__file__).parent / "questionnaires_broken"

#: file name -> the problems it must produce, as "location: message".
EXPECTED: dict[str, list[str]] = {
    "syntax_error.yaml": [
        "line 20, column 6: YAML syntax error: did not find expected key "
        "(while parsing a block mapping)",
    ],
    "duplicate_key.yaml": [
        "line 5, column 1: YAML error: the key 'title' appears twice in this mapping",
    ],
    "empty.yaml": ["file: the file is empty"],
    "not_a_mapping.yaml": ["top level: expected a mapping (key: value), found a list"],
    "missing_key.yaml": ["top level: missing required key 'title'"],
    "unknown_key.yaml": [
        "sections[1].questions[0]: missing required key 'text'",
        "sections[1].questions[0]: unknown key 'texte' (did you mean 'text'?)",
    ],
    "wrong_kind.yaml": [
        "sections[1].questions[0].kind: 'ownr' is not one of: owner, maturity, choice, multi, "
        "yesno, number, text (did you mean 'owner'?)",
    ],
    "duplicate_question_id.yaml": [
        "sections[1].questions[2].id: duplicate question id 'sec_training' "
        "(first at sections[1].questions[1].id)",
    ],
    "unknown_question.yaml": [
        "sections[1].questions[2].show_if: unknown question 'sec_trainng' "
        "(did you mean 'sec_training'?)",
    ],
    "unknown_responsibility.yaml": [
        "sections[1].questions[0].responsibility: unknown responsibility 'SEC-9' "
        "(did you mean 'SEC-3'?)",
        "model[0]: SEC-1 is not covered by any question: add at least an owner question "
        "with responsibility: SEC-1",
    ],
    "unknown_role_in_condition.yaml": [
        "rules[0].when: 'CSO' is not a role code (one of: CIO, CISO, SHARED, EXEC, NONE) "
        "(did you mean 'CISO'?)",
    ],
    "unknown_role_to_act.yaml": [
        "rules[0].finding.act: 'CEO' is not one of: CIO, CISO, SHARED, EXEC, NONE "
        "(the CEO, the board or another executive is EXEC)",
    ],
    "unknown_answer.yaml": [
        "rules[0].when: 'has_ciso' is a yesno question: write yes or no, not false",
    ],
    "show_if_self.yaml": [
        "sections[1].questions[2].show_if: show_if refers to the question itself",
    ],
    "show_if_later.yaml": [
        "sections[1].questions[1].show_if: show_if refers to 'sec_training_maturity', which "
        "comes later: a question can only depend on questions before it",
    ],
    "unscored_option.yaml": [
        "sections[1].questions[1].options[2].score: option 'unknown' has no score while other "
        "options of this question have one: score every option or none",
    ],
    "zero_weight.yaml": [
        "sections[1].questions[1].weight: must be greater than 0, not 0",
    ],
    "maturity_levels.yaml": [
        "sections[1].questions[2].levels: a maturity question needs exactly 5 level "
        "descriptions (level 0 to level 4), found 4",
    ],
    "unknown_placeholder.yaml": [
        "rules[0].finding.title: unknown placeholder {organisation}: use a question id, "
        "{organization} or {respondent} (did you mean {organization}?)",
    ],
    "uncovered_responsibility.yaml": [
        "model[2]: SEC-5 is not covered by any question: add at least an owner question "
        "with responsibility: SEC-5",
    ],
    "no_operator.yaml": [
        "rules[0].when: a comparison needs exactly one operator "
        "(eq, ne, in, not_in, gt, gte, lt, lte, answered); found none",
    ],
    "two_operators.yaml": [
        "rules[0].when: a comparison needs exactly one operator "
        "(eq, ne, in, not_in, gt, gte, lt, lte, answered); found 2: eq, ne",
    ],
    "in_not_a_list.yaml": [
        "rules[0].when.in: 'in' needs a list of values, like [a, b]; found text 'no'",
    ],
    "numeric_op_on_choice.yaml": [
        "sections[1].questions[2].show_if: 'gt' compares numbers, but 'sec_training' is a "
        "choice question",
    ],
    "role_in_show_if.yaml": [
        "sections[1].questions[2].show_if: respondent_role can only be used in rules: "
        "a show_if sees the answers, not who gives them",
    ],
    "not_a_condition.yaml": [
        "sections[1].questions[2].show_if: expected a condition: a mapping with one of the "
        "keys all, any, not, q, respondent_role; found the keys question, eq",
    ],
    "hash_in_file.yaml": ["hash: the hash is computed when loading: remove it"],
}


def test_every_broken_file_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_reports_file_location_and_message(name: str) -> None:
    path = BROKEN / name
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: {line}" for line in EXPECTED[name]]
    assert all(p.file == str(path) for p in caught.value.problems)


def test_load_paths_reports_every_broken_file_and_loads_none() -> None:
    catalog, problems = load_paths([BROKEN])
    assert len(catalog) == 0
    assert {Path(p.file).name for p in problems} == set(EXPECTED)
    assert len(problems) == sum(len(lines) for lines in EXPECTED.values())


def test_problem_str_and_error_message() -> None:
    problem = Problem("q.yaml", "sections[0].id", "must not be empty")
    assert str(problem) == "q.yaml: sections[0].id: must not be empty"
    error = QuestionnaireError([problem, Problem("q.yaml", "rules", "needs a list")])
    assert str(error) == "q.yaml: sections[0].id: must not be empty\nq.yaml: rules: needs a list"


# --- smaller cases, inline ------------------------------------------------------------

MINI = (
    (BROKEN / "missing_key.yaml").read_text().replace("version: 1\n", "version: 1\ntitle: Mini\n")
)


def problems_of(text: str) -> list[str]:
    """The problems of a text, as "location: message" lines."""
    with pytest.raises(QuestionnaireError) as caught:
        load_text(text, "mini.yaml")
    assert all(p.file == "mini.yaml" for p in caught.value.problems)
    return [f"{p.location}: {p.message}" for p in caught.value.problems]


def test_the_inline_base_is_valid() -> None:
    assert load_text(MINI).id == "mini"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "score: 0}",
            "score: 1.5}",
            "sections[1].questions[1].options[1].score: must be at most 1, not 1.5",
        ),
        (
            "score: 0}",
            "score: .nan}",
            "sections[1].questions[1].options[1].score: must be a finite number, not nan",
        ),
        (
            "id: no_ciso",
            "id: No-CISO",
            "rules[0].id: text 'No-CISO' is not a valid id: use lowercase letters, digits "
            "and _, starting with a letter",
        ),
        (
            "      effort: project",
            "      effort: project\n    weight: -1",
            "rules[0].weight: must be greater than 0, not -1",
        ),
        (
            '{q: has_ciso, eq: "no"}',
            "{q: has_ciso, in: []}",
            "rules[0].when.in: 'in' needs at least one value",
        ),
        (
            '{q: has_ciso, eq: "no"}',
            "{q: has_ciso, eq: [a, b]}",
            "rules[0].when.eq: expected text, a number or true or false, found a list",
        ),
        (
            '{q: has_ciso, eq: "no"}',
            "{all: [{q: has_ciso, eq: maybe}]}",
            "rules[0].when.all[0]: 'maybe' is not an answer of 'has_ciso' "
            "(one of: yes, no, unknown)",
        ),
        (
            '{q: has_ciso, eq: "no"}',
            "{not: {respondent_role: CXO}}",
            "rules[0].when.not.respondent_role: 'CXO' is not one of: "
            "CIO, CISO, CIO_CISO, CTO, CDO, CRO, DPO, PRIVACY, COMPLIANCE, CEO, EXTERNAL, OTHER",
        ),
        (
            '{q: has_ciso, eq: "no"}',
            "{q: sec_training_maturity, gt: 4}",
            "rules[0].when: 'gt: 4' is never true: maturity levels are 0 to 4",
        ),
        (
            "Appoint one; today {sec_program_owner} runs the program.",
            "Appoint {one.",
            "rules[0].finding.recommendation: stray '{': a placeholder is a question id, "
            "organization or respondent in braces, like {organization}",
        ),
        (
            "responsibility: SEC-1\n      act",
            "responsibility: SEC-2\n      act",
            "rules[0].finding.responsibility: unknown responsibility 'SEC-2' "
            "(did you mean 'SEC-3'?)",
        ),
        (
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}",
            "- {id: has_ciso, kind: owner, context: true, text: Is there a CISO?}",
            "sections[0].questions[0].kind: a context question describes the organisation "
            "and is not scored: it cannot be an owner question",
        ),
        (
            "responsibility: SEC-1\n        text",
            "text",
            "sections[1].questions[0]: an owner question needs a responsibility "
            "(the model id it evidences)",
        ),
        (
            "          - {value: never, label: Never, score: 0}\n",
            "",
            "sections[1].questions[1].options: a choice question needs at least two options",
        ),
        (
            "          - {value: never, label: Never, score: 0}\n",
            "          - {value: yearly, label: Never, score: 0}\n",
            "sections[1].questions[1].options[1].value: duplicate option value 'yearly' "
            "(also options[0])",
        ),
        (
            "          - {value: never, label: Never, score: 0}\n",
            "          - {value: true, label: Never, score: 0}\n",
            "sections[1].questions[1].options[1].value: an option value is text or a whole "
            "number, not true/false",
        ),
        (
            "accountable: CISO, consulted: [CIO]}",
            "accountable: CISO, consulted: [CISO]}",
            "model[0].consulted[0]: consulted role CISO is the accountable role",
        ),
        (
            "accountable: CISO}",
            "accountable: NONE}",
            "model[1].accountable: NONE cannot be accountable: name the role the model expects",
        ),
        (
            "  - id: context\n",
            "  - id: security\n",
            "sections[1].id: duplicate section id 'security' (first at sections[0].id)",
        ),
        (
            "      responsibility: SEC-1\n      act",
            "      responsibility: SEC-1\n      act: NONE\n      act",
            "line 42, column 7: YAML error: the key 'act' appears twice in this mapping",
        ),
        (
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}",
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?, options: [{value: 'yes', label: Y}, {value: maybe, label: M}]}",
            "sections[0].questions[0].options[1].value: a yesno option is one of yes, no, "
            "unknown, not 'maybe'",
        ),
        (
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}",
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?, options: [{value: 'yes', label: Y}]}",
            "sections[0].questions[0].options: a yesno question with options needs both yes and no",
        ),
        (
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}",
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?, options: [{value: 'yes', label: Y, score: 1}, "
            "{value: 'no', label: N, score: 0}]}",
            "sections[0].questions[0].options[0].score: a context question is not scored: "
            "remove the scores of its options",
        ),
        (
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}",
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?, responsibility: SEC-1}",
            "sections[0].questions[0].responsibility: a context question is not scored: "
            "remove its responsibility",
        ),
        (
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}",
            "- {id: has_ciso, kind: yesno, context: true, text: Is there a CISO?}\n      - {id: staff, kind: number, context: true, text: How many?, min: 10, "
            "max: 1}",
            "sections[0].questions[1].min: min (10) is greater than max (1)",
        ),
        (
            "        text: How often are staff trained?\n",
            "        text: How often are staff trained?\n        min: 1\n",
            "sections[1].questions[1].min: only number questions have min and max",
        ),
        (
            "        text: Who is accountable for the security program?\n",
            "        text: Who is accountable for the security program?\n        levels: [a]\n",
            "sections[1].questions[0].levels: only maturity questions have levels",
        ),
        (
            "        text: Who is accountable for the security program?\n",
            "        text: Who is accountable for the security program?\n"
            "        options: [{value: a, label: A}]\n",
            "sections[1].questions[0].options: remove the options: owner questions offer the "
            "role codes",
        ),
        (
            "levels: [No training,",
            "levels: ['  ',",
            "sections[1].questions[2].levels[0]: level 0 has no description",
        ),
        (
            "        responsibility: SEC-3\n        text: How often",
            "        text: How often",
            "sections[1].questions[1]: a scored question needs a responsibility (the model id "
            "it evidences)",
        ),
        (
            "      act: EXEC",
            "      act: NONE",
            "rules[0].finding.act: a finding needs a role to act on it, not NONE",
        ),
        (
            "consulted: [CIO]}",
            "consulted: [CIO, CIO]}",
            "model[0].consulted[1]: consulted role CIO is listed twice",
        ),
    ],
)
def test_inline_fault(old: str, new: str, expected: str) -> None:
    assert old in MINI
    assert expected in problems_of(MINI.replace(old, new, 1))


@pytest.mark.parametrize(
    ("question", "condition", "expected"),
    [
        (
            "{id: notes, kind: text, context: true, text: Notes?}",
            "{q: notes, eq: x}",
            "rules[0].when: 'notes' is a text question: compare it only with 'answered'",
        ),
        (
            "{id: staff, kind: number, context: true, text: How many?}",
            "{q: staff, eq: many}",
            "rules[0].when: 'staff' is a number question: compare it with a number, not 'many'",
        ),
    ],
)
def test_comparisons_fit_the_kind(question: str, condition: str, expected: str) -> None:
    text = MINI.replace(
        "text: Is there a CISO?}", "text: Is there a CISO?}\n      - " + question, 1
    ).replace('{q: has_ciso, eq: "no"}', condition, 1)
    assert problems_of(text) == [expected]


def test_keys_must_be_text() -> None:
    assert problems_of("~: 1\n" + MINI) == ["top level: a key must be text, not nothing"]
    assert problems_of("1.5: x\n" + MINI) == ["top level: a key must be text, not the number 1.5"]


def test_a_question_in_the_wrong_section() -> None:
    text = MINI.replace("- {id: has_ciso, kind: yesno,", "- {id: has_ciso, kind: yesno,", 1)
    text = text.replace(
        "    questions:\n      - {id: has_ciso",
        "    questions:\n      - {id: sec_extra_owner, kind: owner, responsibility: SEC-1, "
        "text: Who?}\n      - {id: has_ciso",
        1,
    )
    assert problems_of(text) == [
        "sections[0].questions[0].responsibility: SEC-1 belongs to the domain 'security', "
        "but this question is in the section 'context' (a section holds one domain)"
    ]


def test_yaml_booleans_are_only_true_and_false() -> None:
    """``eq: no`` means the answer "no", as YAML 1.2 reads it, not false."""
    text = MINI.replace('{q: has_ciso, eq: "no"}', "{q: has_ciso, eq: no}")
    q = load_text(text)
    assert q.rules[0].when.model_dump(by_alias=True, exclude_none=True) == {
        "q": "has_ciso",
        "eq": "no",
    }


def test_dates_stay_text() -> None:
    q = load_text(MINI.replace("title: Mini\n", "title: 2024-01-31\n"))
    assert q.title == "2024-01-31"


def test_alias_bombs_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 7):
        bomb += f"{'abcdefg'[level]}: &{'abcdefg'[level]} [{', '.join(['*' + 'abcdefg'[level - 1]] * 10)}]\n"
    assert problems_of(bomb) == ["file: the document has more than 200000 values"]


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    deep = MINI.replace(
        '{q: has_ciso, eq: "no"}', "{not: " * 400 + '{q: has_ciso, eq: "no"}' + "}" * 400
    )
    assert problems_of(deep)


def test_unreadable_files() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_file(BROKEN / "no-such-file.yaml")
    assert [p.message for p in caught.value.problems] == ["no such file"]


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (
            "earlier_versions:\n  - {version: 1}\n",
            "earlier_versions[0].version: version 1 is not earlier than 1",
        ),
        (
            "earlier_versions:\n  - {version: 0}\n",
            "earlier_versions[0].version: must be at least 1, not 0",
        ),
        (
            "earlier_versions:\n  - version: 1\n    questions: {old_q: sec_trainng}\n",
            "earlier_versions[0].questions.old_q: unknown question 'sec_trainng'",
        ),
        (
            "earlier_versions:\n  - version: 1\n    findings:\n"
            "      'SEC-1:practice': [rule:old]\n      'SEC-3:practice': [rule:old]\n",
            "earlier_versions[0].findings.SEC-3:practice: 'rule:old' is already mapped to "
            "'SEC-1:practice'",
        ),
    ],
)
def test_an_earlier_versions_mapping_is_checked(mapping: str, expected: str) -> None:
    """What a newer version says about an earlier one's results (for comparing rounds)."""
    text = MINI + mapping
    if "{version: 1}" not in mapping:
        text = text.replace("version: 1\n", "version: 2\n", 1)
    assert expected in problems_of(text)
