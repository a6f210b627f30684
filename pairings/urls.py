"""URLs of the pair's space and the coordinator's pairing pages."""

from django.urls import path

from pairings import views
from pairings.matching import views as matching_views

app_name = "pairings"

urlpatterns = [
    path("", views.my_pairings, name="mine"),
    path("<id:pk>/", views.space, name="space"),
    path("<id:pk>/accept/", views.accept, name="accept"),
    path("<id:pk>/end/", views.end, name="end"),
    path("<id:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<id:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("meetings/<id:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<id:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("meetings/<id:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<id:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("goals/<id:pk>/status/", views.goal_status, name="goal_status"),
    path("goals/<id:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("program/<slug:slug>/", views.program_pairings, name="program"),
    path(
        "program/<slug:slug>/suggestions/<id:employee_id>/",
        views.suggestions,
        name="suggestions",
    ),
    path("program/<slug:slug>/propose/<id:employee_id>/", views.propose, name="propose"),
    path("program/<slug:slug>/matching/", matching_views.matching_page, name="matching"),
    path(
        "program/<slug:slug>/matching/status/",
        matching_views.matching_status,
        name="matching_status",
    ),
    path("program/<slug:slug>/matching/run/", matching_views.matching_start, name="matching_start"),
    path("program/<slug:slug>/matching/pins/", matching_views.pin_add, name="pin_add"),
    path(
        "program/<slug:slug>/matching/people/<str:role>/",
        matching_views.pin_people,
        name="pin_people",
    ),
    path(
        "program/<slug:slug>/matching/pins/<id:pin_id>/remove/",
        matching_views.pin_remove,
        name="pin_remove",
    ),
    path(
        "program/<slug:slug>/matching/pairs/<id:pair_id>/remove/",
        matching_views.proposal_remove,
        name="proposal_remove",
    ),
    path("program/<slug:slug>/matching/swap/", matching_views.proposal_swap, name="proposal_swap"),
    path(
        "program/<slug:slug>/matching/runs/<id:run_id>/publish/",
        matching_views.matching_publish,
        name="matching_publish",
    ),
]
