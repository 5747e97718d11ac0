"""Golden outputs: the demo's clean tables, cleaning logs and every metrics table the reports
compute, compared with checksums recorded before the restructure (issue #8).

A change that alters any of them on purpose regenerates the record with
``WSISANALYSIS_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and says why in its commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from helpers import DATA

import wsisanalysis as wa
from wsisanalysis import metrics

GOLDEN = DATA / "golden.json"
_UPDATE = os.environ.get("WSISANALYSIS_UPDATE_GOLDEN") == "1"


def _digest(frame: pd.DataFrame) -> str:
    """A checksum of a frame's values, dtypes and column names (order included)."""
    text = frame.reset_index(drop=True).to_csv(index=False, float_format="%.12g", na_rep="<NA>")
    dtypes = ",".join(f"{c}:{t}" for c, t in frame.dtypes.astype(str).items())
    return hashlib.sha256((dtypes + "\n" + text).encode()).hexdigest()[:20]


def _log_digest(log: dict) -> str:
    files = [{k: v for k, v in f.items() if k != "file"} for f in log.get("files", [])]
    stable = {**log, "files": files}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _report_tables(part: pd.DataFrame, eng: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The metric tables the shipped notebooks compute from the demo (runs.toml)."""
    from wsisanalysis.metrics import published

    internet = metrics.reference_baseline("internet_users", "icann_region")
    un = metrics.reference_baseline("un_members", "un_regional_group")
    igf = part[part["event"] == "IGF 2025 Open Forum: ICANN and WSIS+20"]
    sg = metrics.coverage(part, "stakeholder_group")
    topics = metrics.topic_region(eng)
    return {
        "regions": metrics.coverage(part, "icann_region", internet),
        "regions_igf_excl_no": metrics.coverage(
            igf,
            "icann_region",
            metrics.reference_baseline("un_members", "icann_region", exclude="NO"),
        ),
        "un_groups": metrics.coverage(part, "un_regional_group", un),
        "country_counts": metrics.country_counts(part),
        "absent": metrics.absent_countries(part, universe="un_members"),
        "country_coverage": metrics.country_coverage(part, universe="un_members"),
        "development": metrics.development_coverage(part),
        "stakeholder": sg,
        "concentration": pd.DataFrame([metrics.concentration(sg, "stakeholder_group")]).astype(
            str
        ),
        "grid": metrics.coverage(
            part,
            ["icann_region", "stakeholder_group"],
            within="icann_region",
            include_unknown=False,
        ),
        "communities": metrics.coverage(part, "community"),
        "mode_newcomer": metrics.coverage(
            part, ["attendance_mode", "newcomer"], include_unknown=False
        ),
        "retention": metrics.retention(part),
        "windows": metrics.milestone_windows(eng, days=30, since="2024-01-01"),
        "timeline": metrics.activity_timeline(eng, freq="MS"),
        "activity_types": metrics.coverage(eng, "activity_type"),
        "topic_region": topics,
        "icann80": metrics.coverage(
            published.icann_meeting_attendance("ICANN80"),
            "icann_region",
            internet,
            include_unknown=False,
        ),
        "host_effect": published.host_effect(),
        "meeting_shares": published.meeting_shares(),
    }


@pytest.fixture(scope="module")
def outputs(clean_dir: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind in ("participation", "engagement"):
        frame = pd.read_parquet(clean_dir / f"{kind}.parquet")
        out[f"clean/{kind}"] = _digest(frame)
        log = json.loads((clean_dir / f"{kind}_cleaning.json").read_text(encoding="utf-8"))
        out[f"log/{kind}"] = _log_digest(log)
        quarantine = pd.read_csv(clean_dir / f"{kind}_quarantine.csv", dtype=str)
        out[f"quarantine/{kind}"] = _digest(quarantine)
    part = pd.read_parquet(clean_dir / "participation.parquet")
    eng = pd.read_parquet(clean_dir / "engagement.parquet")
    for name, table in _report_tables(part, eng).items():
        out[f"metrics/{name}"] = _digest(table)
    return out


def test_demo_outputs_match_the_golden_record(outputs: dict[str, str]) -> None:
    if _UPDATE or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
        if not _UPDATE:
            pytest.fail(f"no golden record yet: wrote {GOLDEN}; commit it and re-run")
    expected = json.loads(GOLDEN.read_text())
    changed = sorted(k for k in expected.keys() | outputs.keys() if expected.get(k) != outputs.get(k))
    assert not changed, f"outputs differ from the golden record: {changed}"


def test_the_golden_check_sees_a_one_cell_change(outputs, clean_dir) -> None:
    frame = pd.read_parquet(clean_dir / "participation.parquet")
    frame.loc[0, "country_iso2"] = "ZZ" if frame.loc[0, "country_iso2"] != "ZZ" else "FR"
    assert _digest(frame) != outputs["clean/participation"]


def test_public_api_is_unchanged() -> None:
    assert sorted(wa.__all__) == [
        "CleaningResult", "__version__", "clean_engagement", "clean_participation", "coverage",
        "normalize_countries", "public_table", "read_export", "reference_baseline",
        "reference_countries", "suppress", "wsis_timeline",
    ]  # fmt: skip
