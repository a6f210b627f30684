"""URLs of the program pages."""

from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<id:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<id:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<id:pk>/consent/", views.application_consent, name="application_consent"),
    path("commitments/", views.my_commitments, name="my_commitments"),
    path("commitments/<id:pk>/", views.acceptance_detail, name="acceptance"),
    path("committee/", views.committee_queue, name="committee_queue"),
    path(
        "committee/applications/<id:pk>/",
        views.committee_application,
        name="committee_application",
    ),
    path("committee/applications/<id:pk>/vote/", views.application_vote, name="vote"),
    path("committee/applications/<id:pk>/decide/", views.application_decide, name="decide"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("sessions/<id:pk>/", views.session_detail, name="session"),
    path("sessions/<id:pk>/register/", views.session_register, name="session_register"),
    path("sessions/<id:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<id:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<id:pk>/call-off/", views.session_call_off, name="session_call_off"),
    path("sessions/<id:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<id:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<id:pk>/download/", views.resource_download, name="resource_download"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<id:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("<slug:slug>/", views.program_detail, name="detail"),
    path("<slug:slug>/edit/", views.program_edit, name="edit"),
    path("<slug:slug>/status/", views.program_transition, name="transition"),
    path("<slug:slug>/manage/", views.program_manage, name="manage"),
    path("<slug:slug>/committee/add/", views.committee_add, name="committee_add"),
    path(
        "<slug:slug>/committee/<id:user_id>/remove/",
        views.committee_remove,
        name="committee_remove",
    ),
    path("<slug:slug>/people/committee/", views.people_committee, name="people_committee"),
    path("<slug:slug>/people/leader/", views.people_leader, name="people_leader"),
    path("<slug:slug>/apply/<str:role>/", views.apply, name="apply"),
    path("<slug:slug>/commitment/", views.commitment, name="commitment"),
    path("<slug:slug>/commitment/new/", views.commitment_publish, name="commitment_publish"),
    path("<slug:slug>/sessions/new/", views.session_create, name="session_create"),
    path("<slug:slug>/resources/new/", views.resource_create, name="program_resource_create"),
]
