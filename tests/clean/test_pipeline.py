from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import assert_accounted

from wsisanalysis import clean_engagement, clean_participation
from wsisanalysis import schema as C
from wsisanalysis.clean import clean_files
from wsisanalysis.errors import MappingFileError, MissingColumnError, UnknownLabelError

COUNTS = ("rows_in", "rows_clean", "rows_quarantined", "duplicates_merged")


def _invariant(log):
    assert_accounted(log)
    return True


def test_messy_export_is_cleaned_with_every_row_accounted_for(messy_participation):
    result = clean_participation(messy_participation)
    log = result.log.to_dict()
    assert {k: log[k] for k in COUNTS} == {
        "rows_in": 6,
        "rows_clean": 4,
        "rows_quarantined": 1,
        "duplicates_merged": 1,
    }
    assert log["quarantine_reasons"] == {"empty_row": 1}
    clean = result.clean
    assert clean["country_iso2"].fillna("-").tolist() == ["BR", "GH", "-", "US"]
    assert clean["stakeholder_group"].tolist() == [
        "civil_society",
        "technical_community",
        "academia",
        "government",
    ]
    assert clean["icann_region"].astype(object).fillna("-").tolist() == ["LAC", "AF", "-", "NA"]
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-03-10",
        "2025-03-13",
        "2025-03-11",
        "2025-03-12",
    ]


def test_row_without_email_or_name_is_quarantined():
    raw = pd.DataFrame(
        {"email": ["", "a@x.org"], "name": ["", ""], "event": ["E", "E"], "country": ["FR", "FR"]}
    )
    result = clean_participation(raw)
    assert result.log.quarantine_reasons == {"missing_identity": 1}


def test_input_frame_is_not_modified(messy_participation):
    before = messy_participation.copy()
    clean_participation(messy_participation)
    pd.testing.assert_frame_equal(messy_participation, before)


def test_no_name_or_email_reaches_the_clean_table(messy_participation):
    clean = clean_participation(messy_participation).clean
    text = clean.astype(str).to_string()
    for value in ["Ana", "Silva", "Kwame", "example.org", "example.com", "@"]:
        assert value not in text
    assert not set(C.PERSONAL_COLUMNS) & set(clean.columns)


def test_participant_ids_are_keyed(messy_participation, monkeypatch):
    first = clean_participation(messy_participation).clean["participant_id"]
    monkeypatch.setenv("WSISANALYSIS_KEY", "another-key")
    second = clean_participation(messy_participation).clean["participant_id"]
    assert first.str.match(r"^p_[0-9a-f]{16}$").all()
    assert not set(first) & set(second)


def test_unresolved_labels_are_listed_with_counts_and_candidates():
    raw = pd.DataFrame(
        {
            "email": ["a@x.org", "b@x.org", "c@x.org"],
            "event": ["E"] * 3,
            "country": ["Narnia", "Narnia", "Guatamala"],
            "sector": ["Wizards", "CSO", "CSO"],
        }
    )
    result = clean_participation(raw)
    listed = {(u["column"], u["label"]): u for u in result.log.unresolved}
    assert listed[("country_iso2", "Narnia")]["rows"] == 2
    assert listed[("stakeholder_group", "Wizards")]["rows"] == 1
    assert (
        result.clean["country_iso2"].tolist() == [None, None, "GT"]
        or result.clean["country_iso2"].isna().sum() == 2
    )


def test_strict_mode_raises_listing_every_unresolved_label():
    raw = pd.DataFrame(
        {"email": ["a@x.org", "b@x.org"], "event": ["E", "E"], "country": ["Narnia", "Mordor"]}
    )
    with pytest.raises(UnknownLabelError) as info:
        clean_participation(raw, strict=True)
    assert "Narnia" in str(info.value) and "Mordor" in str(info.value)
    assert len(info.value.unresolved) == 2


def test_mapping_file_adds_headers_and_labels(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        'columns:\n  "Sector of work": stakeholder_group\ncountries:\n  Narnia: GB\nstakeholder_groups:\n  Wizards: academia\n',
        encoding="utf-8",
    )
    raw = pd.DataFrame(
        {
            "email": ["a@x.org"],
            "event": ["E"],
            "country": ["Narnia"],
            "Sector of work": ["Wizards"],
        }
    )
    result = clean_participation(raw, mapping=mapping, strict=True)
    assert result.clean.loc[0, "country_iso2"] == "GB"
    assert result.clean.loc[0, "stakeholder_group"] == "academia"


def test_bad_mapping_file_says_what_is_wrong(tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[stakeholder_groups]\nWizards = "magic"\n', encoding="utf-8")
    raw = pd.DataFrame({"email": ["a@x.org"], "event": ["E"], "sector": ["Wizards"]})
    with pytest.raises(MappingFileError, match="magic"):
        clean_participation(raw, mapping=mapping)


def test_missing_required_column_lists_found_headers_and_accepted_aliases():
    raw = pd.DataFrame({"Full Name": ["A"], "Nationality": ["FR"]})
    with pytest.raises(MissingColumnError) as info:
        clean_participation(raw)
    message = str(info.value)
    assert "event" in message and "Meeting" in message.title() and "'Full Name'" in message


def test_aggregate_rows_are_weighted_by_count():
    raw = pd.DataFrame(
        {
            "Meeting": ["ICANN73"] * 3,
            "Region": ["x"] * 3,
            "Country": ["Kenya", "Brazil", "oops"],
            "Count": ["202", "1,578", "-4"],
        }
    )
    result = clean_participation(raw)
    assert result.clean["count"].tolist() == [202, 1578]
    assert result.log.quarantine_reasons == {"invalid_count": 1}


def test_dd_mm_and_mm_dd_are_detected_per_file(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(
        "email,event,date\nx@e.org,E,13/10/2025\ny@e.org,E,01/02/2025\n", encoding="utf-8"
    )
    b.write_text(
        "email,event,date\nx@e.org,F,10/13/2025\ny@e.org,F,01/02/2025\n", encoding="utf-8"
    )
    result, _ = clean_files([a, b], "participation", tmp_path / "out")
    dates = result.clean["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2025-10-13", "2025-02-01", "2025-10-13", "2025-01-02"]


def test_dayfirst_parameter_overrides_detection():
    raw = pd.DataFrame({"email": ["a@x.org"], "event": ["E"], "date": ["03/04/2025"]})
    assert clean_participation(raw, dayfirst=False).clean.loc[0, "date"] == pd.Timestamp(
        "2025-03-04"
    )
    assert clean_participation(raw, dayfirst=True).clean.loc[0, "date"] == pd.Timestamp(
        "2025-04-03"
    )


def test_written_outputs_follow_the_contract(tmp_path, messy_participation):
    src = tmp_path / "in.csv"
    messy_participation.to_csv(src, index=False)
    _result, paths = clean_files([src], "participation", tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == [
        "participation.parquet",
        "participation_cleaning.json",
        "participation_quarantine.csv",
    ]
    log = json.loads(paths["log"].read_text())
    assert {"rows_in", "rows_clean", "rows_quarantined", "duplicates_merged", "unresolved"} <= set(
        log
    )
    quarantine = pd.read_csv(paths["quarantine"], dtype=str)
    assert set(quarantine["reason"]) == {"empty_row"}
    clean = pd.read_parquet(paths["clean"])
    assert isinstance(clean["stakeholder_group"].dtype, pd.CategoricalDtype)
    assert list(clean["stakeholder_group"].cat.categories) == list(C.STAKEHOLDER_GROUPS)


def test_formula_in_quarantined_row_is_neutralized(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('email,event,organisation\n,E,"=HYPERLINK(""http://x"")"\n', encoding="utf-8")
    _, paths = clean_files([src], "participation", tmp_path / "out")
    assert paths["quarantine"].read_text().count("'=HYPERLINK") == 1


def test_engagement_is_cleaned_with_topics_and_reach():
    raw = pd.DataFrame(
        {
            "Activity date": ["2025-08-29", "2025-08-29", "soon", "2025-12-16"],
            "Activity type": [
                "Written submission",
                "Written submission",
                "Webinar",
                "LinkedIn post",
            ],
            "Actor organisation": ["ccNSO", "ccNSO", "ALAC", "ICANN org"],
            "Country": ["Canada", "Canada", "Ghana", "United States"],
            "Topics": [
                "Multistakeholder model; DNS abuse",
                "Multistakeholder model; DNS abuse",
                "",
                "LEO satellites",
            ],
            "Reach": ["", "", "120", "2,400"],
        }
    )
    result = clean_engagement(raw)
    assert {k: result.log.to_dict()[k] for k in COUNTS} == {
        "rows_in": 4,
        "rows_clean": 2,
        "rows_quarantined": 1,
        "duplicates_merged": 1,
    }
    assert result.clean["activity_type"].tolist() == ["consultation_submission", "social_post"]
    assert result.clean["topics"].tolist() == [
        "dns_security_stability;multistakeholder_model",
        "emerging_tech_satellite",
    ]
    assert result.clean["reach"].tolist() == [pd.NA, 2400] or result.clean["reach"].iloc[1] == 2400


def test_demo_data_cleans_with_the_invariant(clean_dir):
    for kind in ("participation", "engagement"):
        log = json.loads((clean_dir / f"{kind}_cleaning.json").read_text())
        assert _invariant(log)
        assert log["rows_in"] > 1000
        clean = pd.read_parquet(clean_dir / f"{kind}.parquet")
        assert set(clean["icann_region"].dropna()) == {"AF", "AP", "EU", "LAC", "NA"}


def test_demo_clean_parquet_holds_no_personal_data(demo_dir, clean_dir):
    from wsisanalysis.read import read_export

    clean = pd.read_parquet(clean_dir / "participation.parquet").astype(str)
    blob = "\n".join(clean[c].str.cat(sep="\n") for c in clean.columns)
    raw = read_export(next(demo_dir.glob("DEMO_participation_wsis20*"))).frame
    emails = raw["E-mail Address"].dropna().unique()[:200]
    names = raw["Full Name"].dropna().unique()[:200]
    assert "@" not in blob
    assert not [n for n in names if n in blob]
    assert not [e for e in emails if e in blob]


def test_an_exports_own_participant_ids_are_pseudonymized_too():
    raw = pd.DataFrame({"participant id": ["A-17", "A-17", "B-2"], "event": ["E", "E", "E"]})
    result = clean_participation(raw)
    ids = result.clean["participant_id"].tolist()
    assert len(ids) == 2
    assert all(i.startswith("p_") for i in ids)
    assert "A-17" not in ids
    assert result.log.duplicates_merged == 1


def test_example_mapping_file_loads_and_applies():
    from helpers import ROOT

    from wsisanalysis.normalize.mapping import load_mapping

    mapping = load_mapping(ROOT / "data" / "mapping.example.yaml")
    assert mapping.columns["Sector of work"] == "stakeholder_group"
    raw = pd.DataFrame(
        {
            "email": ["a@x.org"],
            "event": ["E"],
            "Home country": ["Republic of Somaliland"],
            "Sector of work": ["Youth delegate"],
        }
    )
    result = clean_participation(raw, mapping=mapping, strict=True)
    assert result.clean.loc[0, "country_iso2"] == "SO"
    assert result.clean.loc[0, "stakeholder_group"] == "civil_society"


def test_a_file_without_an_event_column_takes_the_option_else_its_file_name(tmp_path):
    src = tmp_path / "WSIS_webinar_registrations.csv"
    src.write_text("email,country\na@x.org,FR\nb@x.org,DE\n", encoding="utf-8")
    by_name = clean_participation(src, key="k")
    assert set(by_name.clean["event"]) == {"WSIS webinar registrations"}
    assert by_name.log.files[0].event == {
        "name": "WSIS webinar registrations",
        "source": "file name",
    }
    by_option = clean_participation(src, key="k", event="ICANN85")
    assert set(by_option.clean["event"]) == {"ICANN85"}
    assert by_option.log.files[0].event["source"] == "--event"
    frame = pd.DataFrame({"email": ["a@x.org"], "country": ["FR"]})
    with pytest.raises(MissingColumnError):
        clean_participation(frame, key="k")  # a frame has no file name to fall back on
    assert set(clean_participation(frame, key="k", event="E").clean["event"]) == {"E"}


def test_event_spellings_are_one_event_and_the_merges_are_listed():
    frame = pd.DataFrame(
        {
            "email": ["a@x.org", "a@x.org", "b@x.org", "c@x.org"],
            "event": [
                "IGF 2025 Open Forum",
                "igf 2025 open forum",
                "IGF 2025 - Open Forum",
                "IGF 2024",
            ],
        }
    )
    result = clean_participation(frame, key="k")
    assert sorted(result.clean["event"]) == [
        "IGF 2024",
        "IGF 2025 Open Forum",
        "IGF 2025 Open Forum",
    ]
    assert result.log.duplicates_merged == 1  # a@x.org's two spellings are one event
    assert result.log.event_merges == [
        {
            "event": "IGF 2025 Open Forum",
            "merged": ["igf 2025 open forum", "IGF 2025 - Open Forum"],
            "rows": 2,
        }
    ]


def test_the_record_that_attended_is_kept_over_a_no_show():
    frame = pd.DataFrame(
        {
            "email": ["a@x.org", "a@x.org", "b@x.org", "b@x.org"],
            "event": ["E"] * 4,
            "attended": ["no", "yes", "", "no"],
        }
    )
    result = clean_participation(frame, key="k")
    assert result.clean["attended"].astype(object).fillna("unknown").tolist() == [True, "unknown"]
    assert result.clean["source_row"].tolist() == [2, 3]
    assert result.log.attendance == {
        "frame": {"records": 2, "attended": 1, "not_attended": 0, "unknown": 1}
    }


def test_anonymous_responses_are_kept_and_never_merged():
    from wsisanalysis.read import RawTable

    frame = pd.DataFrame({"Country": ["Kenya", "India", "Kenya"], "Answer": ["a", "b", "a"]})
    table = RawTable(frame, "form.csv", np.arange(2, 5), "csv", anonymous=True)
    result = clean_participation(table, key="k")
    assert len(result.clean) == 3 and result.clean["participant_id"].isna().all()
    assert result.log.files[0].anonymous_participants == 3
    assert result.log.rows_quarantined == 0


def test_strict_lists_unresolved_labels_and_warnings_in_one_error():
    from wsisanalysis.errors import DataQualityError

    frame = pd.DataFrame(
        {"email": ["a@x.org", "b@x.org"], "event": ["E", ""], "country": ["Narnia", "FR"]}
    )
    with pytest.raises(DataQualityError) as info:
        clean_participation(frame, key="k", strict=True)
    message = str(info.value)
    assert "Narnia" in message and "1 of 2 rows (50.0%) were quarantined" in message
    assert isinstance(info.value, UnknownLabelError)


def test_no_raw_export_is_held_while_the_clean_table_is_combined(monkeypatch):
    """Combining is the peak of a run: the last raw export (a full copy of the file as text)
    must be freed by then, not kept alive by the per-export loop's variables."""
    import weakref

    from wsisanalysis.clean import pipeline
    from wsisanalysis.read import RawTable

    alive = []

    def exports():
        for name in ("a", "b"):
            frame = pd.DataFrame({"email": [f"{name}@x.org"], "event": ["E"]}, dtype="str")
            table = RawTable(frame, f"{name}.csv", np.arange(2, 3), "csv")
            alive.append(weakref.ref(table))
            yield table

    combine = pipeline._combine

    def checked(*args, **kwargs):
        assert [ref() for ref in alive] == [None, None], "a raw export is still referenced"
        return combine(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_combine", checked)
    result = pipeline.clean_tables(exports(), key="k")
    assert len(result.clean) == 2


def test_the_column_steps_get_no_copy_of_the_identity_columns(monkeypatch):
    """Identity is hashed before quarantine; copying e-mails and names into the kept rows
    (the largest text columns of an export) only added to the peak."""
    from wsisanalysis.clean import steps

    seen = []
    take = steps.Cells.take

    def recorded(self, keep, *args, **kwargs):
        kept = take(self, keep, *args, **kwargs)
        seen.append(set(kept.table.columns))
        return kept

    monkeypatch.setattr(steps.Cells, "take", recorded)
    raw = pd.DataFrame({"E-mail": ["a@x.org", ""], "Name": ["Ana", ""], "Event": ["E", "E"],
                        "Country": ["Peru", "Chile"]})  # fmt: skip
    result = clean_participation(raw, key="k")
    assert result.clean["participant_id"].notna().all()
    assert seen and not seen[0] & {"email", "name"}, seen


def _participation_rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "E-mail": [f"p{i % (n - 3)}@example.org" for i in range(n)],
            "Country": ["Ghana", "USA", "France"] * (n // 3) + ["Peru"] * (n % 3),
            "Meeting": ["ICANN82"] * (n - 1) + [""],
        }
    )


def test_the_raw_export_is_released_before_the_column_steps(monkeypatch):
    """Memory: once the quarantine is cut, nothing holds the export as read (at 1M rows it is
    ~190 MB that would stay beside every clean column; enumerate()'s cached tuple once did)."""
    import weakref

    from wsisanalysis.clean import pipeline
    from wsisanalysis.read import RawTable

    refs, alive = [], []

    def table(name):
        made = RawTable(_participation_rows(30), name, np.arange(2, 32), "csv")
        refs.append(weakref.ref(made))
        return made

    def tables():  # hands each table over, as the file reader's generator does
        for name in ("a.csv", "b.csv"):
            yield table(name)

    record_ids = pipeline.record_ids

    def spy(*args, **kwargs):
        alive.append(refs[-1]() is not None)
        return record_ids(*args, **kwargs)

    monkeypatch.setattr(pipeline, "record_ids", spy)
    result = pipeline.clean_tables(tables(), "participation", key="k")
    assert alive == [False, False]
    assert _invariant(result.log)


def test_combining_lets_each_exports_clean_rows_go(monkeypatch):
    """Memory: the per-export clean tables are not held while the combined one is built
    (each copy of the table would otherwise add a whole table to the peak)."""
    import weakref

    from wsisanalysis.clean import pipeline

    parts, alive = [], []
    combine, add_reference = pipeline._combine, pipeline.add_reference

    def spy_combine(cleaned, spec, log):
        parts.extend(weakref.ref(part) for part in cleaned)
        return combine(cleaned, spec, log)

    def spy_reference(frame):
        alive.append([part() is not None for part in parts])
        return add_reference(frame)

    monkeypatch.setattr(pipeline, "_combine", spy_combine)
    monkeypatch.setattr(pipeline, "add_reference", spy_reference)
    result = clean_participation([_participation_rows(30), _participation_rows(12)], key="k")
    assert alive == [[False, False]]
    assert result.log.duplicates_merged > 0  # rows were dropped from the combined table


def test_rows_are_dropped_column_by_column_as_loc_drops_them():
    from wsisanalysis.clean.pipeline import _without_rows

    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "c", "d"], dtype="str"),
            "number": pd.Series([1, None, 3, 4], dtype="Int64"),
            "flag": pd.Series([True, None, False, True], dtype="boolean"),
            "group": pd.Categorical(["x", "y", None, "x"]),
            "date": pd.to_datetime(["2025-01-01", None, "2025-01-03", "2025-01-04"]),
            "plain": [1.0, 2.0, 3.0, 4.0],
        },
        index=[10, 11, 12, 13],
    )
    drop = np.array([False, True, False, True])
    expected = frame.loc[~drop]
    out = _without_rows(frame.copy(), drop)
    pd.testing.assert_frame_equal(out, expected)


def test_each_column_a_step_reads_is_let_go_once_no_later_step_reads_it(monkeypatch):
    """Memory: once the vocabulary steps have made their clean columns, the text as read is
    not held to the end of the export (at 1M rows ~75 MB)."""
    from wsisanalysis.clean import pipeline

    left = []
    tag_free_text = pipeline.tag_free_text

    def spy(cells, names):
        left.append(set(cells.table.columns))
        return tag_free_text(cells, names)

    monkeypatch.setattr(pipeline, "tag_free_text", spy)
    raw = pd.DataFrame({"E-mail": ["a@x.org", "b@x.org"], "Event": ["E", "E"],
                        "Country": ["Peru", "Chile"], "Stakeholder group": ["Academia", "Civil"],
                        "Gender": ["Female", "Male"]})  # fmt: skip
    result = clean_participation(raw, key="k")
    assert result.clean["country_iso2"].tolist() == ["PE", "CL"]
    assert left == [set()], left
