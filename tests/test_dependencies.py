"""Dependency floors: none admits a version with a known security advisory, and the
versions installed here meet every floor."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

#: The last release with a published advisory, and the advisory, per package.  A floor
#: must exclude it.  (SQLAlchemy 2, pydantic 2.6, openpyxl 3.1, psycopg 3, Flask-Login,
#: Flask-WTF, Flask-Limiter and RQ: no advisory against the versions the floors admit.)
VULNERABLE = {
    "weasyprint": ("69.0", "CVE-2026-55073 (GHSA-jf6q-chmf-3h3v): SSRF, fixed in 70.0"),
    "flask": ("3.1.2", "CVE-2026-27205 (GHSA-68rp-wp8r-4726): no Vary: Cookie, fixed in 3.1.3"),
    "werkzeug": ("3.1.5", "CVE-2026-27199 (GHSA-29vq-49wr-vm6x): safe_join, fixed in 3.1.6"),
    "jinja2": ("3.1.5", "CVE-2025-27516 (GHSA-cpwx-vrp4-4pq7): sandbox |attr, fixed in 3.1.6"),
    "pydantic": ("2.3.0", "CVE-2024-3772 (GHSA-mr82-8j83-vxmv): email ReDoS, fixed in 2.4.0"),
    "gunicorn": (
        "22.0.0",
        "CVE-2024-6827 (GHSA-hc5x-x2vx-497g): request smuggling, fixed in 23.0.0",
    ),
}


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    listed = list(project["dependencies"])
    for extra in ("postgres", "serve"):
        listed += project["optional-dependencies"][extra]
    return {canonicalize_name(r.name): r for r in map(Requirement, listed)}


@pytest.mark.parametrize("package", sorted(VULNERABLE))
def test_no_floor_admits_a_version_with_an_advisory(package: str) -> None:
    requirement = _requirements()[package]
    last_vulnerable, advisory = VULNERABLE[package]
    assert not requirement.specifier.contains(last_vulnerable, prereleases=True), advisory


def test_the_installed_versions_meet_the_floors() -> None:
    missing, too_old = [], []
    for name, requirement in _requirements().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            missing.append(name)
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            too_old.append(f"{name} {installed} (needs {requirement.specifier})")
    assert too_old == [] and missing == []
