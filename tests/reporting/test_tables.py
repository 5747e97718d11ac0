"""What a reader sees in a table: plain headers, display names, numbers and dates as such."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics.disclosure import guard
from wsisanalysis.reporting import html_table, show_table
from wsisanalysis.reporting.tables import INTERACTIVE_ROWS, column_label


def _cells(markup: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", markup)


def test_headers_are_plain_words():
    frame = pd.DataFrame(
        columns=["count", "share", C.ICANN_REGION, C.COUNTRY_ISO2, "share_pct", "countries_listed"]
    )
    heads = re.findall(r"<th>(.*?)</th>", html_table(frame).markup)
    assert heads == [
        "Participants",
        "Share of participants",
        "ICANN region",
        "Country",
        "Share (%)",
        "Countries listed",
    ]
    assert column_label("some_new_column") == "Some new column"


def test_numbers_dates_flags_and_codes_read_as_a_reader_expects():
    frame = pd.DataFrame({
        "count": [1234.0, 86.0], "share": [0.1494, 0.5], "ratio": [1.4412, np.nan],
        "start": pd.to_datetime(["2025-12-16", "2024-07-01"]), "ldc": [True, False],
        C.STAKEHOLDER_GROUP: ["civil_society", "intergovernmental"], "topic": ["dns_security_stability", "other"],
    })  # fmt: skip
    cells = _cells(html_table(frame).markup)
    assert cells[:7] == [
        "1,234",
        "14.9%",
        "1.44",
        "16 Dec 2025",
        "Yes",
        "Civil society",
        "DNS security and stability",
    ]
    assert cells[7:] == [
        "86",
        "50.0%",
        "–",
        "1 Jul 2024",
        "No",
        "Intergovernmental organisations",
        "Other",
    ]
    text = html_table(frame).markup
    assert "00:00:00" not in text and "True" not in text and "86.00" not in text


def test_hidden_cells_read_suppressed_in_the_table_and_its_download():
    table = pd.DataFrame({"region": ["AF", "EU", "NA"], "count": [3, 40, 30]})
    markup = show_table(guard(table, "region")).markup
    assert "<td>suppressed</td>" in markup
    assert "3" not in _cells(markup)


def test_text_in_cells_is_escaped_in_text_and_in_the_download_value():
    frame = pd.DataFrame(
        {
            "name": ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'],
            "count": [1000, 2],
        }
    )
    markup = html_table(frame).markup
    assert "<script>alert" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert 'data-v="1000"' in markup, "the download value of a formatted number"


def test_short_tables_are_plain_and_long_ones_sortable_with_every_row():
    short = pd.DataFrame({"count": range(INTERACTIVE_ROWS)})
    long = pd.DataFrame({"count": range(200)})
    assert "wsis-interactive" not in html_table(short).markup
    markup = html_table(long, caption="Long", max_rows=60).markup
    assert markup.count('class="wsis-interactive" data-name="long"') == 1
    assert len(_cells(markup)) == 200, "a sortable table carries every published row"
    assert "more rows not shown" not in markup


def test_a_ratio_of_one_keeps_its_decimals_and_a_count_column_with_a_gap_reads_whole():
    frame = pd.DataFrame({"ratio": [1.0, 0.5], "impact_ratio": [1.0, 1.0], "count": [1234.0, np.nan],
                          "percent": [22.5, 23.0]})  # fmt: skip
    assert _cells(html_table(frame).markup) == [
        "1.00",
        "1.00",
        "1,234",
        "22.5",
        "0.50",
        "1.00",
        "–",
        "23.0",
    ]


def test_hidden_cells_stay_suppressed_and_values_are_named_for_their_column():
    frame = pd.DataFrame({"best candidates": ["suppressed", "non_answer"], "method": ["none", "cctld"],
                          "community": ["none", "GNSO"], "share_at_host_meeting": [0.5, 0.25]})  # fmt: skip
    assert _cells(html_table(frame).markup) == ["suppressed", "Not matched", "No ICANN community", "50.0%",
                                                "Non answer", "ccTLD", "GNSO", "25.0%"]  # fmt: skip


def test_a_date_known_to_the_month_reads_as_a_month_and_downloads_as_one():
    frame = pd.DataFrame({"date": pd.PeriodIndex(["2021-03", "2024-06"], freq="M")})
    markup = html_table(frame).markup
    assert re.findall(r"<td[^>]*>.*?</td>", markup) == [
        '<td data-v="2021-03">March 2021</td>',
        '<td data-v="2024-06">June 2024</td>',
    ]


def test_the_share_of_what_a_table_counts_is_headed_with_it():
    heads = re.findall(
        r"<th>(.*?)</th>",
        html_table(pd.DataFrame(columns=["activities", "share_of_activities"])).markup,
    )
    assert heads == ["Activities", "Share of activities"]
    assert _cells(html_table(pd.DataFrame({"share_of_activities": [0.125]})).markup) == ["12.5%"]
