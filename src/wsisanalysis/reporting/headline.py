"""The block every page opens with: what it covers, then its key figures in plain words.

Every people count in the block comes from a table published through the guard
(:func:`~wsisanalysis.reporting.tables.publish`), so a small count reads "suppressed"; the
numbers of countries and regions are facts about countries, shown as they are.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis.metrics import coverage, published
from wsisanalysis.metrics.disclosure import HIDDEN_LABEL, PublishedTable
from wsisanalysis.metrics.headline import events, places, previous_event
from wsisanalysis.reporting.tables import Html, is_demo, publish


def dates(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """A date range as readers write it.

    >>> dates(pd.Timestamp("2024-06-10"), pd.Timestamp("2024-06-13 09:00"))
    '10–13 June 2024'
    >>> dates(pd.Timestamp("2024-03-29"), pd.Timestamp("2026-02-03"))
    '29 March 2024 – 3 February 2026'
    >>> dates(pd.NaT, pd.NaT)
    'dates not recorded'
    """
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if pd.isna(first) or pd.isna(last):
        return "dates not recorded"
    if first.normalize() == last.normalize():
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def number(value: Any) -> str:
    """A published count for a sentence: thousands separators, or "suppressed" when hidden."""
    return HIDDEN_LABEL if value is None or pd.isna(value) else f"{int(value):,}"


def _cells(table: PublishedTable, by: str) -> dict[str, Any]:
    data = table.table
    return dict(zip(data[by].astype(str), data["count"], strict=True))


def _total(table: PublishedTable) -> Any:
    data = table.table
    return data["total"].iloc[0] if len(data) else 0


def _split(frame: pd.DataFrame, by: str, threshold: int) -> PublishedTable | None:
    """The published coverage of `by` (None when the column is absent or never recorded)."""
    if by not in frame or (frame[by].astype(str) == "unknown").all():
        return None
    return publish(coverage(frame, by), by=by, source=frame, threshold=threshold)


def covers(frame: pd.DataFrame, *, title: str, note: str = "") -> str:
    """The heading and the "what this page covers" paragraph (escaped)."""
    if C.EVENT in frame and frame[C.EVENT].notna().any():
        listed = events(frame)
        scope = "; ".join(
            f"{html.escape(r.event)} ({dates(r.first, r.last)})" for r in listed.itertuples()
        )
        scope = f"{len(listed)} event{'s' if len(listed) != 1 else ''}: {scope}"
    elif len(frame):
        dated = pd.to_datetime(frame[C.DATE])
        scope = f"activities dated {dates(dated.min(), dated.max())}"
    else:
        scope = "no records"
    source = ("<strong>synthetic demo data</strong> (no real participants)" if is_demo(frame)
              else f"{frame['source'].nunique() if 'source' in frame else 0} export file(s) of real records")  # fmt: skip
    extra = f" {html.escape(note)}" if note else ""
    return (f'<h2 class="wsis-headline-title">{html.escape(title)}</h2>'
            f'<p class="wsis-covers">This page covers {scope}. Data: {source}.{extra}</p>')  # fmt: skip


def _share(part: Any, whole: Any) -> str:
    if part is None or whole is None or pd.isna(part) or pd.isna(whole) or not whole:
        return ""
    return f" ({float(part) / float(whole) * 100:.1f}%)"


def _recorded(cells: dict[str, Any], order: tuple[str, ...]) -> str:
    parts = [f"{C.display_label(k)} {number(cells.get(k))}" for k in order
             if k != "unknown" and not (pd.notna(cells.get(k)) and cells.get(k) == 0)]  # fmt: skip
    missing = cells.get("unknown")
    if missing is None or (pd.notna(missing) and missing == 0):
        return ", ".join(parts)
    return ", ".join(parts) + f"; not recorded for {number(missing)}"


def _people(frame: pd.DataFrame, threshold: int, what: str) -> list[str]:
    """Key figures about people: total, in person / online, newcomers, gender."""
    modes = _split(frame, C.ATTENDANCE_MODE, threshold) or publish(
        coverage(frame, C.ICANN_REGION), by=C.ICANN_REGION, source=frame, threshold=threshold
    )
    total = _total(modes)
    items = [f"<strong>{number(total)}</strong> {what}"]
    if modes.by == (C.ATTENDANCE_MODE,):
        m = _cells(modes, C.ATTENDANCE_MODE)
        items.append(f"in person {number(m.get('onsite'))}{_share(m.get('onsite'), total)}, "
                     f"online {number(m.get('remote'))}{_share(m.get('remote'), total)}"
                     + (f"; mode not recorded for {number(m['unknown'])}" if m.get("unknown") else ""))  # fmt: skip
    newcomers = _split(frame, C.NEWCOMER, threshold)
    if newcomers is not None:
        n = _cells(newcomers, C.NEWCOMER)
        items.append(f"newcomers {number(n.get('newcomer'))}{_share(n.get('newcomer'), total)}"
                     + (f"; not recorded for {number(n['unknown'])}" if n.get("unknown") else ""))  # fmt: skip
    gender = _split(frame, C.GENDER, threshold)
    if gender is not None:
        items.append("gender, where recorded: " + _recorded(_cells(gender, C.GENDER), C.GENDERS))
    return items


def _change(
    everything: pd.DataFrame, frame: pd.DataFrame, total: Any, threshold: int, what: str
) -> str:
    """Change in the number of `what` since the previous event of the series, in words."""
    before = previous_event(everything, frame)
    if before is None:
        several = C.EVENT in frame and frame[C.EVENT].nunique() > 1
        return (
            "several events together: no single previous event to compare with"
            if several
            else "no earlier event in the data"
        )
    rows = everything[everything[C.EVENT] == before]
    earlier = publish(
        coverage(rows, C.ICANN_REGION), by=C.ICANN_REGION, source=rows, threshold=threshold
    )
    then = _total(earlier)
    when = dates(*events(rows)[["first", "last"]].iloc[0])
    if pd.isna(then) or pd.isna(total):
        return f"change since {html.escape(before)} ({when}): {HIDDEN_LABEL}"
    diff = int(total) - int(then)
    pct = f", {diff / int(then) * 100:+.1f}%" if int(then) else ""
    return f"{diff:+,} {what} since {html.escape(before)} ({when}: {int(then):,}{pct})"


def headline(frame: pd.DataFrame, *, title: str, everything: pd.DataFrame | None = None,
             threshold: int = 5, what: str = "participants", note: str = "") -> Html:  # fmt: skip
    """The headline block: what the page covers, then its key figures, each published.

    `frame` holds the rows the page describes (rows of ``load_clean``'s table); `everything`
    the whole clean table, to find the previous event of the series by date.
    """
    items = _people(frame, threshold, what)
    place = places(frame)
    items.insert(1, f"{place['countries']:,} countries in {place['regions']} of ICANN's 5 regions")
    if C.EVENT in frame:
        total = _total(
            publish(
                coverage(frame, C.ICANN_REGION),
                by=C.ICANN_REGION,
                source=frame,
                threshold=threshold,
            )
        )
        items.append(
            _change(frame if everything is None else everything, frame, total, threshold, what)
        )
    body = "".join(f"<li>{item}</li>" for item in items)
    return Html(f'<section class="wsis-headline">{covers(frame, title=title, note=note)}'
                f'<ul class="wsis-key-figures">{body}</ul></section>')  # fmt: skip


def _previous_meeting(meeting: str) -> str:
    """The ICANN meeting before `meeting` in the published totals, in words ("" if none)."""
    from wsisanalysis.reference import public_table

    totals = public_table("icann_meeting_totals")
    order = totals["meeting"].str.removeprefix("ICANN").astype(int)
    before = totals[order < int(meeting.removeprefix("ICANN"))].tail(1)
    if before.empty:
        return ""
    r = before.iloc[0]
    parts = [f"{published.published_figure(r['in_person'])} in person" if str(r["in_person"]) else "",
             f"{published.published_figure(r['remote'])} online" if str(r["remote"]) else "",
             f"{published.published_figure(r['total'])} in all" if str(r["total"]) else ""]  # fmt: skip
    said = ", ".join(p for p in parts if p) or "no totals published"
    return f"The meeting before, {html.escape(r['meeting'])} ({html.escape(str(r['city']))}, {r['year']}): {html.escape(said)}"


def published_headline(meeting: str, igf_year: int, *, title: str) -> Html:
    """The headline of the public-benchmarks page: which meeting and IGF year it covers, then
    what their organisers published (attendance in person and online, countries, the meeting
    before), as published: bounds stay bounds ("over 9,435"), nothing is recomputed."""
    icann, igf = published.meeting_facts(meeting), published.igf_facts(igf_year)
    mode = (
        "held online only"
        if icann["format"] == "virtual"
        else f"{icann['format']} meeting in {icann['city']}"
    )
    where = f"{icann['when']}, {mode}"
    figures = [
        (icann["in_person"], "in person"),
        (icann["online"], "online"),
        (icann["total"], "in all"),
        (icann["countries"], "countries and territories"),
    ]
    said = "; ".join(f"{v} {w}" for v, w in figures if v) or "no totals published"
    items = [
        (
            f"<strong>{html.escape(meeting)}</strong> ({html.escape(where)}): {html.escape(said)}. "
            f"Its regional breakdown counts {html.escape(icann['counted'])} only."
        ),
        _previous_meeting(meeting),
    ]
    igf_said = [
        (igf["total"], "participants"),
        (igf["onsite"], "onsite"),
        (igf["online"], "online"),
        (igf["countries"], "countries"),
        (f"{igf['first_time_pct']}%" if igf["first_time_pct"] else "", "first-time participants"),
    ]
    items.append(
        f"<strong>IGF {igf_year}</strong> ({html.escape(igf['city'])}): "
        + html.escape("; ".join(f"{v} {w}" for v, w in igf_said if v))
        + (f"; gender {html.escape(igf['gender'])}" if igf["gender"] else "")
    )
    covers = (
        f'<h2 class="wsis-headline-title">{html.escape(title)}</h2><p class="wsis-covers">This page covers '
        f"{html.escape(meeting)} ({html.escape(icann['when'])}) and the IGF {igf_year} against fair baselines, and "
        "the regional make-up of every ICANN meeting with a five-region breakdown. Data: <strong>published "
        "figures</strong> (ICANN meeting blogs, IGF statistics pages), already public and shown unsuppressed, as "
        "published: a bound stays a bound. Sources and licences: data/README.md.</p>"
    )
    body = "".join(f"<li>{item}</li>" for item in items if item)
    return Html(f'<section class="wsis-headline">{covers}<ul class="wsis-key-figures">{body}</ul></section>')  # fmt: skip


def page_title(template: str, **parameters: object) -> str:
    """A page's title from its notebook's title template (``metadata.title``) and the run's
    parameters, so that pages of one notebook tell apart: ``{scope}`` is "all events" or the
    event, ``{host}`` names the host country left out (or is empty), and any parameter can be
    named (``{kind}``, ``{meeting}``).

    >>> page_title("Regional coverage — {scope}{host}", event="IGF 2025", host_country="NO")
    'Regional coverage — IGF 2025, Norway (host) excluded'
    >>> page_title("Stakeholder groups — {scope}")
    'Stakeholder groups — all events'
    """
    event = str(parameters.get("event") or "all")
    host = str(parameters.get("host_country") or "").upper()
    named = ""
    if host:
        from wsisanalysis.reference import reference_countries

        names = reference_countries().set_index("iso2")["name"]
        named = f", {names.get(host, host)} (host) excluded"
    fields = {**parameters, "scope": "all events" if event == "all" else event, "host": named}
    try:
        return template.format_map(fields)
    except (KeyError, IndexError, ValueError):  # a field the run does not have: left out
        import re

        return re.sub(r"\{[^{}]*\}", "", template).strip(" —,")
