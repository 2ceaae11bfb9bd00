"""`hotpursuit report case NAME`: turn an organisation's victims' reports into one case (the payments found,
the incident opened and traced, the ring's collectors ranked with evidence)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    ModelOption,
    TableOrJson,
    TaintModel,
    Tlp,
    console,
    user_errors,
)
from hotpursuit.cli.victim_reports import OrgOption
from hotpursuit.store import Store


def case_cmd(
    name: Annotated[str, typer.Argument(help="The case's name, e.g. 'Hanbit Pro fake exchange' (its incident id).")],
    db: DbOption,
    org: OrgOption,
    chain: Annotated[str, typer.Option(help="Chain the victims paid on.")] = "ethereum",
    report: Annotated[list[str] | None, typer.Option(
        "--report", help="Only this report id (repeat; default: every report of --org on --chain).")] = None,
    tlp: Annotated[Tlp | None, typer.Option("--tlp", case_sensitive=False, help=(
        "The case's TLP (its incident's and its site's); default: the strictest of its reports' (RED unless "
        "they say otherwise), since its payments name the victims' wallets."))] = None,
    model: ModelOption = TaintModel.haircut,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Find each report's payment on chain (or say why not), open the case as an incident whose sources are
    those payments, trace it, trace each victim's payment alone, and rank where their money converged (the
    collectors), with the ring's deposit addresses (also those of victims who have not reported) and the
    cash-out. Building again replaces the case. Victims' names and words stay with --org whatever --tlp."""
    from hotpursuit.chains.address_codec import check_chain
    from hotpursuit.jobs.scam_case_job import build_scam_case
    from hotpursuit.store.scam_case_tables import load_case
    from hotpursuit.store.summary import known_chains

    with user_errors(), Store.open(db, must_exist=True) as store:
        check_chain(chain, known_chains(store))
        case = build_scam_case(store, org=org, name=name, chain=chain, report_ids=report,
                               tlp=None if tlp is None else tlp.value,
                               model=model.value)
        stored = load_case(store, case.incident)
    assert stored is not None
    if fmt == TableOrJson.json:
        console.print_json(json.dumps({"id": stored.id, "summary": stored.summary, "reports": stored.reports,
                                       "addresses": stored.addresses}))
        return
    s = stored.summary
    console.print(f"case [bold]{stored.id}[/]: {s['payments_found']} of {s['reports']} reports' payments found; "
                  f"{s['ring_addresses']} ring addresses; collector {s['collector']}; "
                  f"{len(s['further_payers'])} further payers who have not reported", highlight=False)
    table = Table(title="where the victims' money converged (collectors first)")
    for col in ("rank", "address", "role", "victims", "received (base units)", "why"):
        table.add_column(col, overflow="fold")
    for a in stored.addresses[:25]:
        received = ", ".join(f"{v} {k if len(k) < 12 else k[:10] + '…'}" for k, v in a["evidence"]["received"].items())
        table.add_row(str(a["rank"] or ""), a["address"], a["role"], str(a["victims"]), received, a["evidence"]["why"])
    console.print(table)
    missing = [r for r in stored.reports if r["status"] != "found"]
    for r in missing:
        console.print(f"  not found: {r['report_id']}: {r['reason']}", highlight=False, markup=False, soft_wrap=True)
