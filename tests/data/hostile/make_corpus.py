"""Write the hostile-input corpus of issue #12 and its EXPECTED.tsv, byte for byte.

Run from anywhere (needs pandas, pyarrow and openpyxl for the Parquet and XLSX files)::

    .venv/bin/python tests/data/hostile/make_corpus.py

Every file is a small participation export with fictional people (e-mails at example.org /
example.gov). Output is deterministic: fixed zip timestamps, gzip mtime 0, fixed workbook
properties. Line numbers in EXPECTED.tsv are computed here from the bytes written, so the
expectations cannot drift from the files. See README.md for the EXPECTED.tsv syntax.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)  # naive: openpyxl wants naive datetimes

HEADER = ["Name", "Email", "Organisation", "Country", "Stakeholder group", "Event", "Date"]
EVENT = "WSIS+20 Open Consultation"
FORMULA = "=SUM(A1)*cmd|' /C calc'!A0"

FIRST = [
    "Amina", "Bruno", "Chen", "Dalia", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jun",
    "Kofi", "Lucia", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sipho", "Tariq",
    "Uma", "Viktor", "Wanjiru", "Xavier", "Yuki", "Zainab",
]  # fmt: skip
LAST = [
    "Abara", "Bianchi", "Castro", "Diallo", "Eriksen", "Farouk", "Gomes", "Haddad", "Ito",
    "Jensen", "Kamau", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe",
    "Rahman", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zulu",
]  # fmt: skip
ISO2 = {"Kenya": "KE", "Brazil": "BR", "Germany": "DE", "Japan": "JP", "India": "IN",
        "Senegal": "SN", "Canada": "CA", "Chile": "CL"}  # fmt: skip
GROUP = {"Civil society": "civil_society", "Technical community": "technical_community",
         "Government": "government", "Private sector": "private_sector",
         "Academia": "academia"}  # fmt: skip
PLACES = [
    ("Kenya", "Civil society", "KICTANet"),
    ("Brazil", "Technical community", "NIC.br"),
    ("Germany", "Government", "Federal Ministry for Digital Affairs"),
    ("Japan", "Private sector", "Example Telecom KK"),
    ("India", "Academia", "Indian Institute of Science"),
    ("Senegal", "Civil society", "Jonction"),
    ("Canada", "Government", "ISED Canada"),
    ("Chile", "Academia", "Universidad de Chile"),
]


def person(i: int) -> list[str]:
    """A fictional, unique participant row (ASCII only) for row number ``i``."""
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
    country, group, org = PLACES[i % len(PLACES)]
    email = f"{first.lower()}.{last.lower()}{i}@example.org"
    return [f"{first} {last}", email, org, country, group, EVENT, f"2025-03-{10 + i % 3:02d}"]


def iso(i: int) -> str:
    return ISO2[person(i)[3]]


def group(i: int) -> str:
    return GROUP[person(i)[4]]


def row_text(fields: list[str]) -> str:
    """One CSV record (minimal quoting, no line terminator); fields holding CR are quoted too.

    Python's writer with ``lineterminator="\\n"`` leaves a bare CR unquoted, which is a record
    break for most readers; quote it so the file is valid RFC 4180.
    """
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    text = buf.getvalue()[:-1]
    if "\r" not in text:
        return text
    return ",".join(
        '"' + f.replace('"', '""') + '"' if "\r" in f else (row_text([f]) if f else "")
        for f in fields
    )


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def fixed_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip (e.g. an openpyxl workbook) with fixed timestamps, same member order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    return fixed_zip(members)


def physical_line(data: bytes, marker: bytes) -> int:
    """1-based LF-counted line on which ``marker`` first occurs."""
    at = data.index(marker)
    return data.count(b"\n", 0, at) + 1


FILES: dict[str, bytes] = {}
EXPECTED: list[tuple[str, str, str]] = []


def add(name: str, data: bytes) -> None:
    FILES[name] = data


def expect(name: str, failure: str, expected: str) -> None:
    if "\t" in expected or "\n" in expected or "\t" in failure:
        raise ValueError(expected)
    EXPECTED.append((name, failure, expected))


def log(name: str, failure: str, rows_in: int, clean: int, quarantined: int, merged: int) -> None:
    expect(
        name,
        failure,
        f"values: log: rows_in={rows_in}; rows_clean={clean}; "
        f"rows_quarantined={quarantined}; duplicates_merged={merged}",
    )


# --------------------------------------------------------------------------------------------
# CSV structure
# --------------------------------------------------------------------------------------------


def unbalanced_quote() -> None:
    name = "unbalanced_quote.csv"
    failure = (
        "unbalanced quote in data row 6 of 20; a naive parser swallows rows 7-20 into one cell"
    )
    lines = [",".join(HEADER)]
    for i in range(1, 21):
        fields = person(i)
        lines.append(",".join(fields))
        if i == 6:  # opening quote never closed; no other quote anywhere in the file
            lines[-1] = '"' + lines[-1]
    data = csv_bytes(lines)
    assert data.count(b'"') == 1 and all(line.count(",") == 6 for line in lines)
    add(name, data)
    bad = physical_line(data, b'"')
    log(name, failure, 20, 19, 1, 0)
    expect(name, failure, f"quarantine:malformed_record rows=1 lines={bad}")
    expect(name, failure, f"values: line={bad + 1}: event={EVENT}; country_iso2={iso(7)}")
    expect(name, failure, f"values: line=21: event={EVENT}; country_iso2={iso(20)}")


def ragged_and_big_late() -> None:
    name = "ragged_row_and_200kb_cell.csv"
    failure = "row with 2 extra fields, and a 200 KB quoted Organisation cell late in the file"
    lines = [",".join(HEADER)]
    big = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit " * 4000)[:200_000]
    for i in range(1, 31):
        fields = person(i)
        if i == 10:
            fields += ["Room 4", "badge printed"]
        if i == 27:
            fields[2] = big
        lines.append(row_text(fields))
    data = csv_bytes(lines)
    add(name, data)
    ragged = physical_line(data, b"badge printed")
    huge = physical_line(data, b"Lorem ipsum")
    log(name, failure, 30, 28, 2, 0)
    expect(name, failure, f"quarantine:field_count_mismatch rows=1 lines={ragged}")
    expect(name, failure, f"quarantine:cell_too_long rows=1 lines={huge}")
    expect(name, failure, f"values: line={huge + 1}: event={EVENT}")


def unquoted_comma() -> None:
    name = "unquoted_comma_in_name.csv"
    failure = "unquoted comma in a name (Smith, John) shifts every later field by one"
    lines = [",".join(HEADER)]
    for i in range(1, 11):
        fields = person(i)
        if i == 4:
            lines.append(
                "Smith, John,john.smith@example.org,Example Registry Ltd,Ireland,"
                f"Private sector,{EVENT},2025-03-11"
            )
            continue
        if i == 6:  # the same mistake done right: quoted
            fields[0] = "Doe, Jane"
            fields[1] = "jane.doe@example.org"
            fields[3] = "Ireland"
        lines.append(row_text(fields))
    data = csv_bytes(lines)
    add(name, data)
    bad = physical_line(data, b"Smith, John")
    good = physical_line(data, b'"Doe, Jane"')
    log(name, failure, 10, 9, 1, 0)
    expect(name, failure, f"quarantine:field_count_mismatch rows=1 lines={bad}")
    expect(name, failure, f"values: line={good}: country_iso2=IE; stakeholder_group={group(6)}")


def multiline_title() -> None:
    name = "multiline_title_above_header.csv"
    failure = "quoted two-line title record above the header (header is physical line 3)"
    title = '"WSIS+20 Review - Open Consultation\nParticipant list exported 2025-03-12",,,,,,'
    lines = [title, ",".join(HEADER)] + [row_text(person(i)) for i in range(1, 11)]
    data = csv_bytes(lines)
    add(name, data)
    header_line = physical_line(data, b"Name,Email")
    assert header_line == 3
    log(name, failure, 10, 10, 0, 0)
    expect(name, failure, f"values: log: files[0].header_row={header_line}")
    expect(
        name,
        failure,
        f"values: line={header_line + 1}: record_id={name}:{header_line + 1}; country_iso2={iso(1)}",
    )
    expect(
        name,
        failure,
        "values: all: no clean or quarantined row holds the header words (Name, Email)",
    )


def mixed_encoding() -> None:
    name = "utf8_with_one_cp1252_line.csv"
    failure = (
        "UTF-8 file (non-ASCII countries) with one line in cp1252 bytes (Côte d'Ivoire, Société)"
    )
    rows = [
        ["Elif Yılmaz", "elif.yilmaz@example.org", "Türk Telekom", "Türkiye", "Private sector"],
        ["João Neves", "joao.neves@example.org", "Universidade de São Tomé", "São Tomé and Príncipe", "Academia"],
        ["Anouk Maduro", "anouk.maduro@example.org", "Curaçao Telecom", "Curaçao", "Private sector"],
        ["Awa Koné", "awa.kone@example.org", "Société Ivoirienne de Télécoms", "Côte d'Ivoire", "Private sector"],
        ["Loïc Payet", "loic.payet@example.org", "Région Réunion", "Réunion", "Government"],
        ["Ximena López", "ximena.lopez@example.org", "Secretaría de Comunicaciones", "México", "Government"],
    ]  # fmt: skip
    out = [(",".join(HEADER) + "\n").encode()]
    for r in rows:
        text = row_text([*r, EVENT, "2025-03-10"]) + "\n"
        out.append(text.encode("cp1252" if r[0] == "Awa Koné" else "utf-8"))
    data = b"".join(out)
    assert "Société".encode("cp1252") in data and "Türkiye".encode() in data
    add(name, data)
    cp = physical_line(data, b"Awa Kon")
    log(name, failure, 6, 6, 0, 0)
    expect(
        name,
        failure,
        f"values: line={cp}: country_iso2=CI; organisation=Société Ivoirienne de Télécoms",
    )
    expect(name, failure, "values: line=2: country_iso2=TR; organisation=Türk Telekom")
    expect(name, failure, "values: line=3: country_iso2=ST; organisation=Universidade de São Tomé")
    expect(name, failure, "values: line=4: country_iso2=CW; organisation=Curaçao Telecom")
    expect(name, failure, "values: line=6: country_iso2=RE; organisation=Région Réunion")
    expect(
        name, failure, "values: line=7: country_iso2=MX; organisation=Secretaría de Comunicaciones"
    )
    expect(
        name,
        failure,
        "values: all: no U+FFFD and no mojibake (Ã, Â) in any clean or quarantined cell",
    )
    expect(name, failure, f"values: log: files[0].notes mentions line {cp} decoded as cp1252")


def cp1252_late() -> None:
    name = "cp1252_non_ascii_after_256kb.csv"
    failure = "cp1252 file whose first non-ASCII byte is past 256 KB (past any 100 KB/256 KB sniffing sample)"
    lines = [",".join(HEADER)]
    i = 0
    while sum(len(x) + 1 for x in lines) < 280_000:
        i += 1
        lines.append(row_text(person(i)))
    special = row_text(
        ["Zoé Bamba", "zoe.bamba@example.org", "Société Générale Côte d'Ivoire", "Côte d'Ivoire",
         "Private sector", EVENT, "2025-03-11"]
    )  # fmt: skip
    lines.append(special)
    lines += [row_text(person(i + k)) for k in range(1, 4)]
    data = csv_bytes(lines, "cp1252")
    first_non_ascii = next(k for k, b in enumerate(data) if b > 0x7F)
    assert first_non_ascii > 262_144, first_non_ascii
    add(name, data)
    rows = len(lines) - 1
    line = physical_line(data, b"Zo\xe9 Bamba")
    log(name, failure, rows, rows, 0, 0)
    expect(
        name,
        failure,
        f"values: line={line}: country_iso2=CI; organisation=Société Générale Côte d'Ivoire",
    )
    expect(name, failure, "values: all: no U+FFFD in any cell")


def archives() -> None:
    inner = csv_bytes([",".join(HEADER)] + [row_text(person(i)) for i in range(1, 6)])
    name = "zip_renamed.csv"
    add(name, fixed_zip({"participants.csv": inner}))
    expect(name, "a zip archive renamed to .csv", f"error: words={name}|zip|extract")

    name = "gzip_valid.csv.gz"
    add(name, gzip.compress(inner, mtime=0))
    failure = "gzip-compressed CSV named .csv.gz: valid, must be read"
    log(name, failure, 5, 5, 0, 0)
    expect(
        name, failure, f"values: line=2: record_id={name}:2; event={EVENT}; country_iso2={iso(1)}"
    )
    expect(name, failure, f"values: line=6: country_iso2={iso(5)}; stakeholder_group={group(5)}")

    name = "xlsx_renamed.csv"
    add(name, workbook_bytes([[HEADER] + [person(i) for i in range(1, 6)]], ["Participants"]))
    expect(name, "an XLSX workbook renamed to .csv", f"error: words={name}|xlsx|rename")


# --------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------


def unicode_digits() -> None:
    name = "aggregate_unicode_digit_counts.csv"
    failure = (
        "aggregate table whose Count uses Arabic-Indic, extended Arabic-Indic and fullwidth digits"
    )
    header = ["Event", "Country", "Stakeholder group", "Count"]
    rows = [
        ("Kenya", "Government", "\u0663", 3),  # ARABIC-INDIC DIGIT THREE
        ("Egypt", "Civil society", "\u0661\u0662", 12),
        ("Japan", "Private sector", "\uff13", 3),  # FULLWIDTH DIGIT THREE
        ("Japan", "Academia", "\uff11\uff12", 12),
        ("Iran", "Government", "\u06f7", 7),  # EXTENDED ARABIC-INDIC DIGIT SEVEN
        ("Brazil", "Technical community", "5", 5),
        ("Morocco", "Academia", "\u0663\u066b\u0665", None),  # 3.5 with ARABIC DECIMAL SEPARATOR
    ]
    lines = [",".join(header)] + [row_text([EVENT, c, g, n]) for c, g, n, _ in rows]
    data = csv_bytes(lines)
    add(name, data)
    log(name, failure, 7, 6, 1, 0)
    for k, (country, _, raw, value) in enumerate(rows, start=2):
        if value is None:
            expect(name, failure, f"quarantine:invalid_count rows=1 lines={k}")
        else:
            cp = " ".join(f"U+{ord(ch):04X}" for ch in raw)
            expect(name, failure, f"values: line={k}: count={value}  (raw {cp}, {country})")


def markup_event() -> None:
    name = "markup_only_event.csv"
    failure = "event cells made only of markup (<b></b>, <script></script>, ...)"
    events = [
        "<b></b>",
        "<script></script>",
        "<script>alert(1)</script>",
        "<p>&nbsp;</p>",
        "<b>WSIS+20 High-Level Event</b>",
        EVENT,
    ]
    lines = [",".join(HEADER)]
    for i, ev in enumerate(events, start=1):
        fields = person(i)
        fields[5] = ev
        lines.append(row_text(fields))
    add(name, csv_bytes(lines))
    log(name, failure, 6, 2, 4, 0)
    expect(name, failure, "quarantine:missing_event rows=4 lines=2,3,4,5")
    expect(name, failure, "values: line=6: event=WSIS+20 High-Level Event")
    expect(name, failure, f"values: line=7: event={EVENT}")


def invisible_chars() -> None:
    name = "invisible_chars_in_event.csv"
    failure = "zero-width space (U+200B) and RLO (U+202E) inside an event name make it look like several events"
    plain = "WSIS+20 High-Level Event"
    variants = [
        plain,
        "WSIS+20 High-Le\u200bvel Event",
        "\u202eWSIS+20 High-Level Event",
        "WSIS+20 High-Level Event\u200b",
        "WSIS+20\u200b High-Level\u202e Event\u202c",
    ]
    lines = [",".join(HEADER)]
    for i, ev in enumerate(variants, start=1):
        fields = person(1 if i == 4 else i)  # row 4 re-registers the person of row 1
        fields[5] = ev
        lines.append(row_text(fields))
    add(name, csv_bytes(lines))
    log(name, failure, 5, 4, 0, 1)
    expect(
        name,
        failure,
        f"values: all: event={plain}  (exactly one distinct event in the clean table)",
    )
    expect(
        name,
        failure,
        "values: line=5: not in clean table (merged into line 2: same e-mail, same event)",
    )


def provenance() -> None:
    name = "provenance_hijack.csv"
    failure = (
        "input columns Source / record_id / source_row try to set provenance (and carry e-mails)"
    )
    header = [*HEADER, "Source", "record_id", "source_row"]
    lines = [",".join(header)]
    hijack = [
        ("Referred by Jane Doe <jane.doe@example.org>", "jane.doe@example.org", "1"),
        ("<b>Referred</b> by jane.doe [at] example [dot] org", "mark.obi@example.org", "999"),
        ("newsletter", "REC-0001", "2"),
    ]
    for i, (src, rid, row) in enumerate(hijack, start=1):
        lines.append(row_text([*person(i), src, rid, row]))
    add(name, csv_bytes(lines))
    log(name, failure, 3, 3, 0, 0)
    kept = [  # the input's own columns: ordinary free text, tag-stripped and scrubbed
        "input_source=Referred by Jane Doe; input_record_id=[e-mail removed]; input_source_row=1",
        (
            "input_source=Referred by [e-mail removed]; input_record_id=[e-mail removed]; "
            "input_source_row=999"
        ),
        "input_source=newsletter; input_record_id=REC-0001; input_source_row=2",
    ]
    for k, values in zip((2, 3, 4), kept, strict=True):
        expect(
            name,
            failure,
            f"values: line={k}: source={name}; source_row={k}; record_id={name}:{k}; {values}",
        )
    expect(
        name,
        failure,
        "values: all: no '@', 'jane.doe' or '<b>' in any clean column or the log  (the input's "
        "Source, record_id and source_row are kept as input_source, input_record_id, "
        "input_source_row)",
    )


def names_in_labels() -> None:
    name = "names_in_label_columns.csv"
    failure = "a person's name typed into the Country and the Stakeholder group columns"
    lines = [",".join(HEADER)]
    rows = [
        ["Maria Gonzalez Lopez", "maria.gonzalez@example.org", "Universidad de Sevilla",
         "Maria Gonzalez Lopez", "Academia", EVENT, "2025-03-10"],
        ["Kwame Mensah Asante", "kwame.asante@example.org", "Ghana Internet Society",
         "Ghana", "Kwame Mensah Asante", EVENT, "2025-03-10"],
        person(3),
    ]  # fmt: skip
    lines += [row_text(r) for r in rows]
    add(name, csv_bytes(lines))
    log(name, failure, 3, 3, 0, 0)
    expect(name, failure, "values: line=2: country_iso2=<NA>; stakeholder_group=academia")
    expect(name, failure, "values: line=3: country_iso2=GH; stakeholder_group=unknown")
    expect(
        name,
        failure,
        "values: log: unresolved has one country_iso2 and one stakeholder_group entry, rows=1 each, "
        "label redacted: 'Maria', 'Gonzalez', 'Kwame', 'Asante' appear nowhere in the log or clean table",
    )


def disguised_emails() -> None:
    name = "disguised_emails_in_organisation.csv"
    failure = "e-mails disguised in the Organisation free text"
    orgs = [
        ("Acme Ltd (jane%40example.org)", "Acme Ltd ([e-mail removed])"),
        ("Acme Ltd, contact jane\uff20example.org", "Acme Ltd, contact [e-mail removed]"),
        ("Acme Ltd - jane [at] example [dot] org", "Acme Ltd - [e-mail removed]"),
        ("Acme Ltd jane(at)example(dot)org", "Acme Ltd [e-mail removed]"),
        ("Acme Ltd jane&#64;example.org", "Acme Ltd [e-mail removed]"),
        ("AT&T Inc.", "AT&T Inc."),
        ("Meet at Kigali Innovation City", "Meet at Kigali Innovation City"),
    ]
    lines = [",".join(HEADER)]
    for i, (raw, _) in enumerate(orgs, start=1):
        fields = person(i)
        fields[2] = raw
        lines.append(row_text(fields))
    add(name, csv_bytes(lines))
    log(name, failure, 7, 7, 0, 0)
    for k, (_, clean) in enumerate(orgs, start=2):
        expect(name, failure, f"values: line={k}: organisation={clean}")
    expect(name, failure, "values: all: 'jane' appears nowhere in the clean table or the log")
    expect(name, failure, "values: log: fixes.privacy.emails_removed_from_text=5")


def html_org() -> None:
    name = "html_in_organisation.csv"
    failure = "Organisation text with HTML tags and entities"
    orgs = [
        ("<b>Internet Society</b>", "Internet Society"),
        ('<a href="https://example.org">Example Foundation</a>', "Example Foundation"),
        ("Kenya ICT Action Network<br>KICTANet", "Kenya ICT Action Network KICTANet"),
        ("<img src=x onerror=alert(1)>Registry Services Ltd", "Registry Services Ltd"),
        ("<script>document.location='https://example.org'</script>Open Data Lab", "Open Data Lab"),
        ("Smith &amp; Partners", "Smith & Partners"),
        ("5 < 6 Foundation", "5 < 6 Foundation"),
    ]
    lines = [",".join(HEADER)]
    for i, (raw, _) in enumerate(orgs, start=1):
        fields = person(i)
        fields[2] = raw
        lines.append(row_text(fields))
    add(name, csv_bytes(lines))
    log(name, failure, 7, 7, 0, 0)
    for k, (_, clean) in enumerate(orgs, start=2):
        expect(name, failure, f"values: line={k}: organisation={clean}")


def email_filename() -> None:
    name = "export_from_jane.doe@example.org.csv"
    failure = "the file name itself contains an e-mail address"
    lines = [",".join(HEADER)] + [row_text(person(i)) for i in range(1, 4)]
    add(name, csv_bytes(lines))
    log(name, failure, 3, 3, 0, 0)
    scrubbed = "export_from_[e-mail removed].csv"
    expect(name, failure, f"values: line=2: source={scrubbed}; record_id={scrubbed}:2")
    expect(
        name,
        failure,
        "values: all: 'jane.doe' and '@' appear nowhere in source, record_id, the log or the quarantine file name column",
    )


def formulas_and_cr() -> None:
    name = "formula_headers_and_bare_cr.csv"
    failure = "cells with a bare CR then =SUM(A1)*cmd|' /C calc'!A0; headers starting with = + - @"
    header = [
        *HEADER,
        '=HYPERLINK("https://example.org","Notes")',
        "+Phone",
        "-Remarks",
        "@Handle",
    ]
    rows = [
        # clean row: Organisation holds a bare CR and a formula
        [*person(1)[:2], f"Acme\r{FORMULA}", "Kenya", "Civil society", EVENT, "2025-03-10",
         "ok", "+254 700 000 000", "-", "@amina"],
        # quarantined (no event): formula-like cells in the extra columns
        [*person(2)[:2], "Example Org", "Brazil", "Academia", "", "2025-03-10",
         f"\r{FORMULA}", "+1 555 0100", FORMULA, "@cmd"],
        # quarantined (no event): CR inside the Organisation, tab-led cell
        [*person(3)[:2], f"ok\r{FORMULA}", "Germany", "Government", "", "2025-03-11",
         "\t=1+1", "", "-2+3", "@SUM(A1)"],
        [*person(4)[:2], "Plain Org", "Japan", "Private sector", EVENT, "2025-03-11",
         "", "", "", ""],
    ]  # fmt: skip
    lines = [row_text(header)] + [row_text(r) for r in rows]
    data = csv_bytes(lines)
    assert data.count(b"\r") == 3 and data.count(b"\n") == 5
    assert data.count(b'"\r=SUM') == 1 and data.count(b'"Acme\r=SUM') == 1
    add(name, data)
    log(name, failure, 4, 2, 2, 0)
    expect(name, failure, "quarantine:missing_event rows=2 lines=3,4")
    expect(
        name, failure, f"values: line=2: organisation=Acme {FORMULA}  (CR collapsed to one space)"
    )
    expect(
        name,
        failure,
        "values: quarantine_csv: read back with csv.reader(newline='') gives exactly 3 records "
        "(header + 2); every field holding CR or LF is double-quoted; source_row column = 3,4",
    )
    expect(
        name,
        failure,
        "values: quarantine_csv: headers written as '=HYPERLINK(...), '+Phone, '-Remarks, '@Handle "
        "(leading apostrophe); cells starting with = + - @ TAB or CR written with a leading apostrophe "
        "(e.g. '=SUM(A1)*cmd|' /C calc'!A0, '\\r=SUM..., '\\t=1+1, '@cmd)",
    )


def bare_cr_unquoted() -> None:
    name = "bare_cr_unquoted.csv"
    failure = "LF-terminated file with an unquoted bare CR inside a cell (old Mac / copy-paste)"
    lines = [",".join(HEADER)]
    for i in range(1, 4):
        fields = person(i)
        if i == 2:
            fields[2] = f"Acme\r{FORMULA}"
            lines.append(",".join(fields))  # deliberately unquoted
        else:
            lines.append(row_text(fields))
    data = csv_bytes(lines)
    assert data.count(b"\r") == 1 and b'"' not in data
    add(name, data)
    log(name, failure, 3, 3, 0, 0)
    expect(name, failure, f"values: line=3: organisation=Acme {FORMULA}; country_iso2={iso(2)}")
    expect(
        name,
        failure,
        "values: log: files[0].notes mentions 1 bare CR kept inside a cell at line 3",
    )


def ranges() -> None:
    name = "out_of_range_dates_and_huge_count.csv"
    failure = "dates outside the pandas datetime range, counts >= 2^63"
    header = ["Event", "Country", "Stakeholder group", "Date", "Count"]
    rows = [
        ["Kenya", "Government", "2025-03-10", "12"],
        ["Kenya", "Civil society", "3025-03-10", "5"],
        ["Brazil", "Academia", "1500-01-01", "4"],
        ["Brazil", "Government", "2025-03-11", "99999999999999999999"],
        ["Japan", "Government", "2025-03-11", str(2**63)],
        ["Japan", "Academia", "2025-03-12", "7"],
    ]
    lines = [",".join(header)] + [row_text([EVENT, *r]) for r in rows]
    add(name, csv_bytes(lines))
    log(name, failure, 6, 2, 4, 0)
    expect(name, failure, "quarantine:date_out_of_range rows=2 lines=3,4")
    expect(name, failure, "quarantine:invalid_count rows=2 lines=5,6")
    expect(name, failure, "values: line=2: date=2025-03-10; count=12")
    expect(name, failure, "values: line=7: date=2025-03-12; count=7")


def huge_cell_early() -> None:
    name = "cell_over_131072_chars_early.csv"
    failure = "a 140,000-character cell in the second data row (Python csv field limit is 131,072)"
    lines = [",".join(HEADER)]
    for i in range(1, 11):
        fields = person(i)
        if i == 2:
            fields[2] = "Internet Governance Forum Secretariat " * 3700
        lines.append(row_text(fields))
    data = csv_bytes(lines)
    add(name, data)
    line = physical_line(data, b"Secretariat")
    assert line == 3
    log(name, failure, 10, 9, 1, 0)
    expect(name, failure, f"quarantine:cell_too_long rows=1 lines={line}")
    expect(name, failure, f"values: line=4: country_iso2={iso(3)}; event={EVENT}")


def many_name_columns() -> None:
    name = "3000_name_columns.csv"
    failure = "3,000 columns all headed 'Name' (header de-duplication must be linear)"
    header = ["Name"] * 3000 + ["Email", "Event", "Country", "Date"]
    lines = [",".join(header)]
    for i in range(1, 6):
        p = person(i)
        lines.append(",".join([p[0]] + [""] * 2999 + [p[1], EVENT, p[3], p[6]]))
    add(name, csv_bytes(lines))
    log(name, failure, 5, 5, 0, 0)
    expect(name, failure, f"values: line=2: country_iso2={iso(1)}; event={EVENT}")
    expect(
        name,
        failure,
        "values: log: files[0].columns_duplicated lists 2999 'Name' columns; reading + cleaning "
        "takes < 5 s (quadratic renaming takes minutes)",
    )


def identities() -> None:
    name = "shared_delegation_email.csv"
    failure = (
        "five people sharing one delegation e-mail with different names (plus one true repeat)"
    )
    names = [
        "Kwesi Boateng",
        "Abena Owusu",
        "Yaw Darko",
        "Efua Mensah",
        "Kojo Asare",
        "Kwesi Boateng",
    ]
    lines = [",".join(HEADER)]
    for n in names:
        lines.append(
            row_text([n, "delegation@example.gov", "Ministry of Communications and Digitalisation",
                      "Ghana", "Government", EVENT, "2025-03-10"])
        )  # fmt: skip
    add(name, csv_bytes(lines))
    log(name, failure, 6, 5, 0, 1)
    expect(
        name,
        failure,
        "values: all: 5 distinct participant_id (lines 2-6); line 7 merged into line 2",
    )

    name = "same_name_no_email.csv"
    failure = "'Li Wei' x6 without e-mail: different countries/organisations are different people"
    rows = [
        ("China", "Tsinghua University"),
        ("Singapore", "National University of Singapore"),
        ("Malaysia", "Universiti Malaya"),
        ("China", "Tsinghua University"),
        ("China", "China Internet Network Information Center"),
        ("Singapore", "Tsinghua University"),
    ]
    lines = [",".join(HEADER)]
    lines += [row_text(["Li Wei", "", org, c, "Academia", EVENT, "2025-03-10"]) for c, org in rows]
    add(name, csv_bytes(lines))
    log(name, failure, 6, 5, 0, 1)
    expect(
        name,
        failure,
        "values: all: 5 distinct participant_id; line 5 merged into line 2 (same name, country and "
        "organisation); lines 6 (other organisation) and 7 (other country) kept apart",
    )

    name = "one_email_many_disguises.csv"
    failure = "one person's e-mail written eight ways (NBSP, mailto:, display name, ';', quotes, fullwidth, case)"
    emails = [
        "a@example.org",
        "\u00a0a@example.org\u00a0",
        "mailto:a@example.org",
        "Ana <a@example.org>",
        "a@example.org;",
        '"a@example.org"',
        "\uff41@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff4f\uff52\uff47",
        "A@Example.ORG",
    ]
    lines = [",".join(HEADER)]
    lines += [
        row_text(
            ["Ana Pereira", e, "Example Institute", "Portugal", "Academia", EVENT, "2025-03-10"]
        )
        for e in emails
    ]
    add(name, csv_bytes(lines))
    log(name, failure, 8, 1, 0, 7)
    expect(
        name,
        failure,
        "values: line=2: country_iso2=PT; stakeholder_group=academia  (the one kept row)",
    )


def stakeholder_labels() -> None:
    name = "stakeholder_labels.csv"
    failure = (
        "stakeholder / community labels that keyword rules misread (board, civil, gov, staff, A/B)"
    )
    header = [*HEADER[:5], "ICANN community", "Event", "Date"]
    rows = [
        ("Non-governmental organization", "", "civil_society", "unknown"),
        ("Civil servant", "", "government", "unknown"),
        ("School board member", "School board member", "unknown", "unknown"),
        ("ISOC board", "ISOC board", "technical_community", "unknown"),
        ("Registry staff", "Registry staff", "technical_community", "unknown"),
        ("Academia/Government", "", "unknown", "unknown"),
        ("Government/Academia", "", "unknown", "unknown"),
        ("Technical community", "ICANN Board", "technical_community", "Board"),
        (
            "Technical community",
            "Member of the ICANN Board of Directors",
            "technical_community",
            "Board",
        ),
    ]
    lines = [row_text(header)]
    for i, (sg, cm, _, _) in enumerate(rows, start=1):
        p = person(i)
        lines.append(row_text([*p[:4], sg, cm, EVENT, p[6]]))
    add(name, csv_bytes(lines))
    log(name, failure, 9, 9, 0, 0)
    for k, (sg, cm, sgv, cmv) in enumerate(rows, start=2):
        label = f"{sg!r}" + (f" / {cm!r}" if cm else "")
        expect(
            name, failure, f"values: line={k}: stakeholder_group={sgv}; community={cmv}  ({label})"
        )
    expect(
        name,
        failure,
        "values: log: unresolved lists 'Academia/Government' and 'Government/Academia' with candidates academia, government",
    )


def countries() -> None:
    name = "country_variants.csv"
    failure = (
        "country spellings that must not map to a neighbour, a city, or two-letter English words"
    )
    cases = [
        ("Republic of Ireland", "IE"),
        ("Saint-Martin", "MF"),
        ("S. Sudan", "SS"),
        ("Virgin Islands (UK)", "VG"),
        ("Dominicana", "DO"),
        ("Lagos", "<NA>"),
        ("no", "<NA>"),
        ("in", "<NA>"),
        ("it", "<NA>"),
        ("me", "<NA>"),
        ("to", "<NA>"),
        ("Kenya", "KE"),
        ("Brazil", "BR"),
        ("Germany", "DE"),
        ("Japan", "JP"),
    ]
    lines = [",".join(HEADER)]
    for i, (label, _) in enumerate(cases, start=1):
        p = person(i)
        p[3] = label
        lines.append(row_text(p))
    add(name, csv_bytes(lines))
    log(name, failure, 15, 15, 0, 0)
    for k, (label, iso) in enumerate(cases, start=2):
        expect(name, failure, f"values: line={k}: country_iso2={iso}  ({label!r})")
    expect(
        name,
        failure,
        "values: log: unresolved country_iso2 labels are exactly Lagos, no, in, it, me, to (1 row each)",
    )


# --------------------------------------------------------------------------------------------
# binary formats
# --------------------------------------------------------------------------------------------


def workbook_bytes(sheets: list[list[list[object]]], titles: list[str], hook=None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in zip(titles, sheets, strict=True):
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    if hook:
        hook(wb)
    wb.properties.creator = "wsisanalysis hostile corpus"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    # openpyxl stamps "modified" with the current time on save; pin it
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    core = members["docProps/core.xml"].decode()
    start = core.find("<dcterms:modified")
    end = core.find("</dcterms:modified>")
    if start >= 0:
        inner = core[start : end + len("</dcterms:modified>")]
        core = core.replace(
            inner,
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:modified>',
        )
        members["docProps/core.xml"] = core.encode()
    return fixed_zip(members)


def workbook() -> None:
    name = "two_sheets_hidden_formula_merged.xlsx"
    failure = "XLSX: two data sheets, a hidden CANCELLED row, a formula without cached value, a merged event cell"
    header = [*HEADER, "Status"]
    day1 = [header]
    for i in range(1, 6):
        p = person(i)
        p[6] = dt.date.fromisoformat(p[6])
        day1.append([*p, "CANCELLED" if i == 3 else "Registered"])
    day1[4][6] = "=DATE(2025,3,10)"  # sheet row 5: formula, openpyxl stores no cached value
    day2_event = "WSIS+20 Open Consultation - Day 2"
    day2 = [header]
    for i in range(6, 10):
        p = person(i)
        p[5] = day2_event if i == 6 else None
        p[6] = dt.date.fromisoformat(p[6])
        day2.append([*p, "Registered"])

    def hook(wb):
        ws1 = wb["Day 1"]
        ws1.row_dimensions[4].hidden = True
        ws2 = wb["Day 2"]
        ws2.merge_cells("F2:F5")

    add(name, workbook_bytes([day1, day2], ["Day 1", "Day 2"], hook))
    log(name, failure, 9, 7, 2, 0)
    expect(name, failure, "quarantine:hidden_row rows=1 lines=Day 1!4  (Status CANCELLED)")
    expect(
        name,
        failure,
        "quarantine:formula_without_value rows=1 lines=Day 1!5  (Date =DATE(2025,3,10))",
    )
    for r in range(2, 6):
        expect(name, failure, f"values: line=Day 2!{r}: event={day2_event}")
    expect(
        name,
        failure,
        "values: all: each clean row's source names its sheet (Day 1 / Day 2); record_id unique",
    )

    # --- Parquet ---------------------------------------------------------------------------
    import pandas as pd

    name = "float_count.parquet"
    failure = "Parquet aggregate whose Count column is float64 (3.0, 2.5, 4.0, -1.0)"
    frame = pd.DataFrame(
        {
            "Event": [EVENT] * 4,
            "Country": ["Kenya", "Kenya", "Brazil", "Japan"],
            "Stakeholder group": ["Government", "Academia", "Civil society", "Academia"],
            "Count": [3.0, 2.5, 4.0, -1.0],
        }
    )
    add(name, parquet_bytes(frame))
    log(name, failure, 4, 2, 2, 0)
    expect(
        name,
        failure,
        "quarantine:invalid_count rows=2 lines=3,5  (2.5 and -1.0; line = data row + 1)",
    )
    expect(name, failure, "values: line=2: count=3")
    expect(name, failure, "values: line=4: count=4")

    name = "email_as_index.parquet"
    failure = "Parquet written with the e-mail as the (named) pandas index"
    frame = pd.DataFrame(
        {
            "Email": [
                "ana.pereira@example.org",
                "ben.okoro@example.org",
                "ana.pereira@example.org",
            ],
            "Name": ["Ana Pereira", "Ben Okoro", "Ana P. Pereira"],
            "Event": [EVENT] * 3,
            "Country": ["Portugal", "Nigeria", "Portugal"],
        }
    ).set_index("Email")
    add(name, parquet_bytes(frame))
    log(name, failure, 3, 2, 0, 1)
    expect(
        name,
        failure,
        "values: all: the index is read as the Email column: line 4 (Ana P. Pereira, same e-mail) merged "
        "into line 2; no e-mail in any clean column",
    )


def parquet_bytes(frame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, engine="pyarrow", compression="snappy")
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# parameter and mapping files
# --------------------------------------------------------------------------------------------


def config_files() -> None:
    name = "params_invalid.toml"
    text = (
        "# parameters for 20-regional-coverage\n"
        'data_dir = "data/interim"\n'
        "baseline = population\n"
        "min_cell = 5\n"
    )
    add(name, text.encode())
    expect(
        name,
        "params file that is not valid TOML (unquoted string)",
        f"error: words={name}|TOML|line 3",
    )

    name = "mapping_invalid.yaml"
    text = (
        "countries:\n"
        '  "Republic of Somaliland": SO\n'
        " stakeholder_groups:\n"
        '    "Youth delegate": civil_society\n'
    )
    add(name, text.encode())
    expect(
        name,
        "mapping file that is not valid YAML (bad indentation)",
        f"error: words={name}|YAML|line 3",
    )

    name = "mapping_not_a_mapping.yaml"
    text = '- countries\n- "Republic of Somaliland": SO\n'
    add(name, text.encode())
    expect(
        name,
        "YAML mapping file whose top level is a list, not a mapping",
        f"error: words={name}|list",
    )

    name = "mapping_cp1252.yaml"
    text = (
        "# mapping saved by a Windows editor in cp1252\n"
        "countries:\n"
        '  "Rép. de Côte d\'Ivoire": CI\n'
        "stakeholder_groups:\n"
        '  "Délégué jeunesse": civil_society\n'
    )
    add(name, text.encode("cp1252"))
    data_name = "mapping_cp1252_data.csv"
    lines = [",".join(HEADER)]
    lines.append(
        row_text(["Awa Koné", "awa.kone@example.org", "Jeunesse Numérique", "Rép. de Côte d'Ivoire",
                  "Délégué jeunesse", EVENT, "2025-03-10"])
    )  # fmt: skip
    add(data_name, csv_bytes(lines))
    expect(
        name,
        f"cp1252-encoded YAML mapping (Côte, Délégué); clean {data_name} with --mapping {name}",
        f"values: {data_name} line=2: country_iso2=CI; stakeholder_group=civil_society  (method user)",
    )


def legacy_workbook() -> None:
    """A legacy .xls (BIFF8) workbook: two data sheets and a notes sheet.

    Needs xlwt (test-only, ``pip install xlwt``); without it the committed file is kept.
    """
    name = "legacy_two_sheets.xls"
    failure = "legacy .xls workbook (BIFF8): two data sheets and a notes sheet, dates as dates"
    try:
        import xlwt
    except ImportError:
        FILES[name] = (HERE / name).read_bytes()
    else:
        book = xlwt.Workbook(encoding="utf-8")
        day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for title, people in (("Day 1", range(1, 4)), ("Day 2", range(4, 6))):
            sheet = book.add_sheet(title)
            for c, text in enumerate(HEADER):
                sheet.write(0, c, text)
            for r, i in enumerate(people, start=1):
                row = person(i)
                for c, value in enumerate(row[:6]):
                    sheet.write(r, c, value)
                sheet.write(r, 6, dt.datetime.fromisoformat(row[6]), day)
        book.add_sheet("Notes").write(0, 0, "Exported for the hostile corpus")
        buf = io.BytesIO()
        book.save(buf)
        FILES[name] = buf.getvalue()
    log(name, failure, 5, 5, 0, 0)
    expect(name, failure, "values: line=Day 1!2: country_iso2=BR; date=2025-03-11")
    expect(name, failure, "values: line=Day 2!3: country_iso2=SN; date=2025-03-12")
    expect(
        name,
        failure,
        "values: all: each clean row's source names its sheet; the log notes the Notes sheet "
        "skipped and that hidden rows cannot be detected in .xls",
    )


def main() -> int:
    unbalanced_quote()
    ragged_and_big_late()
    unquoted_comma()
    multiline_title()
    mixed_encoding()
    cp1252_late()
    archives()
    unicode_digits()
    markup_event()
    invisible_chars()
    provenance()
    names_in_labels()
    disguised_emails()
    html_org()
    email_filename()
    formulas_and_cr()
    bare_cr_unquoted()
    ranges()
    huge_cell_early()
    many_name_columns()
    identities()
    stakeholder_labels()
    countries()
    workbook()
    legacy_workbook()
    config_files()
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    table = ["file\tfailure\texpected"] + ["\t".join(row) for row in EXPECTED]
    (HERE / "EXPECTED.tsv").write_text("\n".join(table) + "\n", encoding="utf-8")
    print(f"wrote {len(FILES)} files and {len(EXPECTED)} expectations to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
