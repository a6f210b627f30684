"""The coordinator's dashboard, the HR admins' overview and the CSV exports: thin views over
reports.selectors (figures) and reports.exports (rows)."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from pairings.selectors import ending_categories_by_month
from reports import exports, selectors
from reports.charts import bar_chart, line_chart


@require_safe
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    program, coordinates = selectors.program_get_for_reports(user=request.user, slug=slug)
    figures = selectors.program_dashboard_cached(program=program)
    # Each chart's markup, written in Python (reports.charts); the template places it.
    meetings = figures.meetings_per_month
    charts = {
        "funnel": bar_chart("Applications", figures.funnel).html(
            id="funnel", label_heading="Stage", value_heading="Applications"
        ),
        "pairings": bar_chart("Pairings by status", figures.pairings).html(
            id="pairings", label_heading="Status", value_heading="Pairings"
        ),
        "meetings": (
            line_chart("Meetings per month", meetings).html(id="meetings", value_heading="Meetings")
            if meetings is not None
            else None
        ),
        "sessions": (
            bar_chart(
                "Attendance at past group sessions",
                [(f"{s.title} ({s.starts_at:%d %b})", s.attended) for s in figures.sessions],
            ).html(id="sessions", label_heading="Session", value_heading="Attended")
            if figures.sessions
            else None
        ),
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "program": program,
            "d": figures,
            "charts": charts,
            "ending_months": ending_categories_by_month(program=program, user=request.user),
            "exports_people": coordinates,
        },
    )


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    rows = selectors.programs_overview(user=request.user)
    return render(request, "reports/overview.html", {"rows": rows})


def _csv(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _name(slug: str, what: str) -> str:
    return f"{slug}-{what}-{timezone.localdate():%Y-%m-%d}.csv"


@require_safe
def export_participants(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    program = selectors.program_get_for_people_exports(user=request.user, slug=slug)
    return _csv(exports.participants_rows(program=program), _name(slug, "participants"))


@require_safe
def export_meetings(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    program = selectors.program_get_for_people_exports(user=request.user, slug=slug)
    return _csv(exports.meetings_rows(program=program, now=timezone.now()), _name(slug, "meetings"))


@require_safe
def export_figures(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    program, _ = selectors.program_get_for_reports(user=request.user, slug=slug)
    figures = selectors.program_dashboard(program=program)
    months = ending_categories_by_month(program=program, user=request.user)
    return _csv(
        exports.figures_rows(dashboard=figures, ending_months=months), _name(slug, "figures")
    )
