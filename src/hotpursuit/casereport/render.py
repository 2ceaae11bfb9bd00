"""The case report as one self-contained HTML page (Jinja2, every word from the `report` message catalogue
of the chosen language), styled for A4 print: the PDF adapter lays this same page out. Pure: nothing in
the page depends on anything but the document and the language (no clock, no network)."""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable
from functools import cache

from babel.dates import format_datetime
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from hotpursuit.casereport.document import CaseDocument
from hotpursuit.casereport.graph_svg import GraphWords, draw_graph
from hotpursuit.chains.readable import utc
from hotpursuit.i18n.catalogues import checked_language, translations

DOMAIN = "report"
TLP_COLOURS = {"RED": "#FF2B2B", "AMBER+STRICT": "#FFC000", "AMBER": "#FFC000", "GREEN": "#33FF00",
               "CLEAR": "#FFFFFF"}  # TLP 2.0: the label's colour, on black


def _(message: str) -> str:
    """Mark a message for extraction; translated where it is used (the template's gettext)."""
    return message


KINDS = {"exchange": _("exchange"), "bridge": _("bridge"), "mixer": _("mixer"), "issuer": _("stablecoin issuer"),
         "hop limit": _("hop limit"), "dust": _("dust"), "venue": _("venue"), "custodial": _("custodial service")}
ENTERED = {"stolen": _("stolen"), "swapped_in": _("swapped in"), "crossed": _("crossed a bridge")}
FIGURE_NAMES = {"stolen": _("stolen"), "swapped_in": _("swapped in"), "crossed": _("crossed a bridge"),
                "entered": _("entered the trace"), "at_endpoints": _("at endpoints"), "held": _("still held"),
                "at_venues": _("left at venues"), "burned": _("burned or paid as fees"),
                "swapped_out": _("swapped out")}
SUBJECTS = {"incident": _("incident"), "address": _("address"), "tx": _("transaction"), "label": _("label"),
            "annotation": _("annotation")}
STATUSES = {"open": _("open"), "closed": _("closed"), "sent": _("sent"), "accepted": _("accepted"),
            "partial": _("partly frozen"), "declined": _("declined"), "retracted": _("retracted"),
            "impersonating": _("impersonating"), "spam": _("spam"), "unknown": _("unknown"), "native": _("native"),
            "canonical": _("canonical"), "unassessed": _("not assessed"), "tx": _("theft transaction"),
            "received": _("received at"), "address": _("source address")}
MODELS = {"haircut": _("haircut (proportional)"), "fifo": _("first in, first out"), "poison": _("poison")}


def graph_words(t: gettext.NullTranslations) -> GraphWords:
    """The flow graph's words in the language of `t`."""
    return GraphWords(
        # a group box always holds two or more addresses (a group of one is drawn as that address)
        other_addresses=lambda k: t.gettext("{num} other addresses").format(num=f"{k:,}"),
        addresses=lambda k: t.gettext("1 address") if k == 1 else t.gettext("{num} addresses").format(num=f"{k:,}"),
        via=lambda k: t.gettext("via {num}").format(num=f"{k:,}"),
        holds=t.gettext("holds {amount}"), swapped=t.gettext("swapped {paid}"),
        swapped_for=t.gettext("for {gained}"),
        more_swaps=lambda k: t.gettext("other swaps: {num}").format(num=f"{k:,}"),
        crossed=t.gettext("to Bitcoin"), cluster=t.gettext("cluster {id}"),
        kinds={k: t.gettext(v) for k, v in KINDS.items()},
        legend=(("source", t.gettext("source")), ("endpoint", t.gettext("endpoint: can be frozen")),
                ("holder", t.gettext("still holds")), ("frontier", t.gettext("trace stopped (hop limit, dust)")),
                ("pass", t.gettext("passed it on")), ("group", t.gettext("grouped addresses"))),
        title=t.gettext("Flow of the stolen funds"))


Moment = dt.datetime | int | None


def _when(lang: str, block_word: str) -> tuple[Callable[[Moment], str], Callable[[int | None, Moment], str]]:
    """The report's time and block formats in `lang`: English as the rest of hotpursuit writes them, other
    languages through Babel (UTC always)."""
    def when(moment: Moment) -> str:
        """A UTC time in the report's language ("" for an unknown one)."""
        if moment is None:
            return ""
        if lang == "en":
            return utc(moment)
        at = dt.datetime.fromtimestamp(moment, dt.UTC) if isinstance(moment, int) else moment
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
        return format_datetime(at, "long", tzinfo=dt.UTC, locale=lang)

    def at_block(number: int | None, moment: Moment = None) -> str:
        """`block 21,895,238 (2025-02-21 14:13:35 UTC)` in the report's language."""
        if number is None:
            return ""
        text = block_word.format(number=f"{number:,}")
        return text + (f" ({when(moment)})" if moment is not None else "")

    return when, at_block


@cache
def _environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("hotpursuit.casereport", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    t = translations(lang, DOMAIN)
    env.install_gettext_translations(t, newstyle=True)  # type: ignore[attr-defined]
    when, at_block = _when(lang, t.gettext("block {number}"))
    env.filters["when"] = when
    env.globals.update(at_block=at_block, kinds=KINDS, entered=ENTERED, figure_names=FIGURE_NAMES,
                       subjects=SUBJECTS, statuses=STATUSES, models=MODELS, tlp_colours=TLP_COLOURS)
    return env


def base_units_of(lang: str) -> str:
    """How `lang` says an amount of an asset whose decimals nobody knows ({amount} and {asset} filled in)."""
    return translations(checked_language(lang), DOMAIN).gettext("{amount} base units of {asset}")


def render_html(doc: CaseDocument, lang: str) -> str:
    """The document as one HTML page in `lang` (en or ko)."""
    env = _environment(checked_language(lang))
    t = translations(lang, DOMAIN)
    svg = draw_graph(doc.layout, doc.drawing, doc.book, graph_words(t))
    created = doc.incident.opened_at.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%SZ")
    modified = (doc.incident.closed_at or doc.incident.opened_at).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%SZ")
    return env.get_template("report.html").render(doc=doc, lang=lang, graph=Markup(svg), created=created,
                                                  modified=modified)
