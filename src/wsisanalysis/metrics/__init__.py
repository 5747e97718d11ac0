"""Coverage metrics, baselines, concentration, engagement over time and disclosure control."""

from __future__ import annotations

from wsisanalysis.metrics.baselines import (
    Baseline,
    reference_baseline,
    table_baseline,
)
from wsisanalysis.metrics.concentration import concentration
from wsisanalysis.metrics.countries import (
    absent_countries,
    country_counts,
    country_coverage,
    development_coverage,
)
from wsisanalysis.metrics.counts import CountError, as_sample, statistics_table
from wsisanalysis.metrics.coverage import (
    coverage,
    exclude_host,
    explode_topics,
    matrix,
    previous_baseline,
    retention,
    rollup_communities,
)
from wsisanalysis.metrics.disclosure import display_counts, suppress
from wsisanalysis.metrics.engagement import activity_timeline, milestone_windows, topic_region
from wsisanalysis.metrics.reconcile import reconcile
from wsisanalysis.metrics.stats import goodness_of_fit, wilson_interval

__all__ = [
    "Baseline",
    "CountError",
    "absent_countries",
    "activity_timeline",
    "as_sample",
    "concentration",
    "country_counts",
    "country_coverage",
    "coverage",
    "development_coverage",
    "display_counts",
    "exclude_host",
    "explode_topics",
    "goodness_of_fit",
    "matrix",
    "milestone_windows",
    "previous_baseline",
    "reconcile",
    "reference_baseline",
    "retention",
    "rollup_communities",
    "statistics_table",
    "suppress",
    "table_baseline",
    "topic_region",
    "wilson_interval",
]
