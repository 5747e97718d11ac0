"""The public-benchmarks page shows the published figures as published and no statistic that
does not apply to them (issue #11)."""

from __future__ import annotations

import re


def test_benchmarks_page_reproduces_published_figures_without_sampling_statistics(report_project):
    page = (report_project / "reports" / "html" / "50-public-benchmarks__published.html").read_text()
    text = re.sub(r"<script.*?</script>", " ", page, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    # ICANN80 as published (blog: 44.3%, 13.5%, 15.2%, 5.6%, 21.3% of 1,004 in person)
    for figure in ("445", "44.3%", "13.5%", "15.2%", "5.6%", "21.3%"):
        assert figure in text
    # IGF 2025 as published (WEOG 63%), shares only: no counts invented from percentages
    assert "63.0%" in text
    # a census and published percentages get no sampling interval and no chi-square test
    assert "χ²" not in text and "interval 0." not in text
    assert "not a sample" in text
    assert "Which statistics apply" in text
    assert "census" in text and "percentages" in text
