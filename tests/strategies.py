"""Hypothesis strategies for hostile participation and engagement exports."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

HOSTILE_TEXT = st.one_of(
    st.just(""),
    st.just("   "),
    st.sampled_from([
        "USA", "Etats-Unis", "Sub-Saharan Africa", "N/A", ".uk", "Korea, Rep.", "Côte d’Ivoire",
        "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "+1 202 555", "@SUM(A1)", "NGO", "Gov.",
        "13/10/2025", "10/13/2025", "45642", "2025-12-16", "soon", "1,578", "-4", "0", "3.5", "ICANN82",
        "\u0000", "\ufeff", "日本", "Россия", "a@example.org", "A@EXAMPLE.ORG", "NA", "None", "nan",
    ]),
    st.text(max_size=12),
)  # fmt: skip

PARTICIPATION_HEADERS = ["E-mail", "Full Name", "Organization", "Country/Territory", "Stakeholder Category",
                         "ICANN Community", "Meeting", "Date", "Attendance Type", "Gender", "Count", "Notes"]  # fmt: skip
ENGAGEMENT_HEADERS = ["Activity date", "Activity type", "Actor organisation", "Country", "Topics", "Reach",
                      "Stakeholder group", "Channel"]  # fmt: skip


@st.composite
def hostile_frames(
    draw, headers: list[str], required: list[str], max_rows: int = 25
) -> pd.DataFrame:
    optional = [h for h in headers if h not in required]
    chosen = required + draw(
        st.lists(st.sampled_from(optional), unique=True, max_size=len(optional))
    )
    n = draw(st.integers(min_value=0, max_value=max_rows))
    data = {h: draw(st.lists(HOSTILE_TEXT, min_size=n, max_size=n)) for h in chosen}
    return (
        pd.DataFrame(data, dtype="str")
        if n
        else pd.DataFrame({h: pd.Series([], dtype="str") for h in chosen})
    )
