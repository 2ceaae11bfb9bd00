"""The API's routes, one module per resource, each with a module-level router."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.routes import (
    addresses,
    admin,
    audit,
    freeze_requests,
    incidents,
    keys,
    labels,
    orgs,
    scam_cases,
    screening,
    traces,
    victim_reports,
    watch,
)
from hotpursuit.api.routes.annotations import router as annotations_router  # `annotations`: __future__'s name

ROUTERS: tuple[APIRouter, ...] = (screening.router, labels.router, addresses.router, incidents.router,
                                  traces.router, freeze_requests.router, orgs.router, admin.router, watch.router,
                                  keys.router, audit.router, annotations_router,
                                  victim_reports.router, scam_cases.router)
